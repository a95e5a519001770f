import { describe, expect, it } from 'vitest';
import { failedFactor, SignInTally, succeededFactors } from './sign-in-tally.js';

const MIN = 60_000;

describe('SignInTally', () => {
  it('counts outcomes per factor in fixed buckets, oldest first', () => {
    const tally = new SignInTally(5 * MIN, 10);
    tally.record('pwd', 'succeeded', 0);
    tally.record('pwd', 'failed', 1 * MIN);
    tally.record('otp', 'failed', 4 * MIN);
    tally.record('pwd', 'failed', 5 * MIN);
    expect(tally.rows()).toEqual([
      { at: new Date(0), factor: 'pwd', succeeded: 1, failed: 1 },
      { at: new Date(0), factor: 'otp', succeeded: 0, failed: 1 },
      { at: new Date(5 * MIN), factor: 'pwd', succeeded: 0, failed: 1 },
    ]);
    expect(tally.rows(6 * MIN).map((r) => r.at.getTime())).toEqual([5 * MIN]);
  });

  it('keeps only the newest buckets', () => {
    const tally = new SignInTally(MIN, 3);
    for (let i = 0; i < 10; i++) tally.record('sim', 'succeeded', i * MIN);
    expect(tally.rows().map((r) => r.at.getTime())).toEqual([7 * MIN, 8 * MIN, 9 * MIN]);
  });

  it('puts a late record in its bucket while it is kept, and drops it after', () => {
    const tally = new SignInTally(MIN, 2);
    tally.record('hwk', 'succeeded', 5 * MIN);
    tally.record('hwk', 'succeeded', 6 * MIN);
    tally.record('hwk', 'failed', 5 * MIN + 1);
    tally.record('hwk', 'failed', 1 * MIN);
    expect(tally.rows()).toEqual([
      { at: new Date(5 * MIN), factor: 'hwk', succeeded: 1, failed: 1 },
      { at: new Date(6 * MIN), factor: 'hwk', succeeded: 1, failed: 0 },
    ]);
  });
});

describe('factor names', () => {
  it('maps the failed steps LoginFailures records onto the amr vocabulary', () => {
    expect(failedFactor('password')).toBe('pwd');
    expect(failedFactor('password-after-factor:closed')).toBe('pwd');
    expect(failedFactor('totp:replayed')).toBe('otp');
    expect(failedFactor('recovery-code')).toBe('otp');
    expect(failedFactor('passkey')).toBe('hwk');
    expect(failedFactor('sim:not-owner')).toBe('sim');
    expect(failedFactor('radius-pap:invalid')).toBe('radius');
    expect(failedFactor('something-new')).toBeNull();
  });

  it('takes the factors of a completed sign-in from its amr, without mfa', () => {
    expect(succeededFactors(['pwd', 'otp', 'mfa'])).toEqual(['pwd', 'otp']);
    expect(succeededFactors(['hwk'])).toEqual(['hwk']);
  });
});
