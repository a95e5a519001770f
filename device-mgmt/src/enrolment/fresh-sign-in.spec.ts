import { describe, expect, it } from 'vitest';
import { staleSignIn } from './fresh-sign-in.js';

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
const s = NOW / 1000;
const rule = { maxAuthAgeSeconds: 300, acr: 'aal2' as const };

describe('a desktop enrolment needs a recent, multi-factor sign-in', () => {
  it('accepts a sign-in of the last five minutes with a second factor (aal2, aal3)', () => {
    expect(staleSignIn({ authTime: s - 299, acr: 'aal2' }, rule, NOW)).toBeNull();
    expect(staleSignIn({ authTime: s - 300, acr: 'aal3' }, rule, NOW)).toBeNull();
  });

  it('refuses a token of an older sign-in, however recently it was refreshed', () => {
    expect(staleSignIn({ authTime: s - 301, acr: 'aal2' }, rule, NOW)).toMatch(/last 300 seconds/);
    expect(staleSignIn({ authTime: s - 4 * 3600, acr: 'aal3' }, rule, NOW)).toMatch(/last 300 seconds/);
  });

  it('refuses a token without auth_time, and one from the future beyond clock skew', () => {
    expect(staleSignIn({ acr: 'aal2' }, rule, NOW)).toMatch(/last 300 seconds/);
    expect(staleSignIn({ authTime: s + 3600, acr: 'aal2' }, rule, NOW)).toMatch(/last 300 seconds/);
    expect(staleSignIn({ authTime: s + 30, acr: 'aal2' }, rule, NOW)).toBeNull();
  });

  it('refuses a password-only sign-in (aal1) or none, unless the deployment asks only aal1', () => {
    expect(staleSignIn({ authTime: s, acr: 'aal1' }, rule, NOW)).toMatch(/second factor/);
    expect(staleSignIn({ authTime: s, acr: null }, rule, NOW)).toMatch(/second factor/);
    expect(staleSignIn({ authTime: s, acr: 'aal1' }, { ...rule, acr: 'aal1' }, NOW)).toBeNull();
    expect(staleSignIn({ authTime: s, acr: 'aal2' }, { ...rule, acr: 'aal3' }, NOW)).toMatch(/aal3/);
  });
});
