import { describe, expect, it } from 'vitest';
import { acrFor, atLeast, sessionEnded, SESSION_LIMITS, withMfa } from './session-policy.js';

describe('acrFor', () => {
  it.each([
    [['pwd'], 'aal1'],
    [['pwd', 'otp', 'mfa'], 'aal2'],
    [['pwd', 'sim', 'mfa'], 'aal2'],
    [['pwd', 'sim', 'hwk', 'mfa'], 'aal3'],
    [['pwd', 'hwk', 'mfa'], 'aal2'],
    [['hwk', 'mfa'], 'aal3'],
    [['hwk'], null],
    [['otp'], null],
    [['sim'], null],
    [[], null],
  ] as const)('%j → %s', (amr, acr) => {
    expect(acrFor(amr)).toBe(acr);
  });
});

describe('withMfa', () => {
  it('adds mfa for a knowledge plus a possession factor only', () => {
    expect(withMfa(['pwd', 'otp']).sort()).toEqual(['mfa', 'otp', 'pwd']);
    expect(withMfa(['pwd'])).toEqual(['pwd']);
    expect(withMfa(['otp', 'sim'])).toEqual(['otp', 'sim']);
  });
});

describe('atLeast', () => {
  it('orders aal1 < aal2 < aal3 and treats null as nothing', () => {
    expect(atLeast('aal2', 'aal1')).toBe(true);
    expect(atLeast('aal2', 'aal3')).toBe(false);
    expect(atLeast(null, 'aal1')).toBe(false);
  });
});

describe('sessionEnded', () => {
  const t0 = new Date('2026-12-01T08:00:00Z');
  const aal3 = {
    createdAt: t0,
    lastSeenAt: t0,
    idleTimeoutSeconds: SESSION_LIMITS.aal3.idleSeconds,
    expiresAt: new Date(t0.getTime() + SESSION_LIMITS.aal3.absoluteSeconds * 1000),
  };
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
  it('AAL3: alive at 15 min idle, ended after', () => {
    expect(sessionEnded(aal3, at(15))).toBe(null);
    expect(sessionEnded(aal3, at(15.01))).toBe('idle');
  });
  it('ends at the absolute limit however active it was', () => {
    expect(sessionEnded({ ...aal3, lastSeenAt: at(12 * 60 - 1) }, at(12 * 60))).toBe('expired');
  });
  it('NIST limits: AAL2 30 min / 12 h, AAL3 15 min / 12 h', () => {
    expect(SESSION_LIMITS.aal2).toEqual({ idleSeconds: 1800, absoluteSeconds: 43_200 });
    expect(SESSION_LIMITS.aal3).toEqual({ idleSeconds: 900, absoluteSeconds: 43_200 });
  });
});
