import { describe, expect, it } from 'vitest';
import { loginProgress, passwordCheckAllowed, requiredMethods, type AccountFactors } from './login-policy.js';

const operator: AccountFactors = {
  kind: 'operator',
  totp: false,
  recoveryCodes: false,
  sim: false,
  simAssigned: false,
  device: false,
};
const official: AccountFactors = {
  kind: 'official',
  totp: false,
  recoveryCodes: false,
  sim: true,
  simAssigned: true,
  device: true,
};

describe('requiredMethods', () => {
  it('TOTP, once enrolled, is always required', () => {
    expect(requiredMethods({ ...operator, totp: true })).toEqual([['otp']]);
    expect(requiredMethods({ ...official, totp: true })).toEqual([['otp']]);
  });
  it('an official with an issued SIM must prove the SIM, TOTP or the device', () => {
    expect(requiredMethods(official)).toEqual([['sim', 'otp', 'hwk']]);
  });
  it('a barred SIM (lost handset) does not make the password enough', () => {
    const lost = { ...official, sim: false, simAssigned: true };
    expect(requiredMethods(lost)).toEqual([['sim', 'otp', 'hwk']]);
    expect(loginProgress(lost, ['pwd'], 'aal1')).toEqual({ done: false, factors: ['device'] });
    expect(loginProgress({ ...lost, device: false }, ['pwd'], 'aal1')).toEqual({ done: false, factors: [] });
  });
  it('an operator without TOTP may sign in with a password only', () => {
    expect(requiredMethods(operator)).toEqual([]);
  });
});

describe('loginProgress', () => {
  it('password alone completes an aal1 sign-in for an operator without factors', () => {
    expect(loginProgress(operator, ['pwd'], 'aal1')).toEqual({ done: true, acr: 'aal1' });
  });

  it('asking for aal2 without a second factor is unreachable: nothing to add', () => {
    expect(loginProgress(operator, ['pwd'], 'aal2')).toEqual({ done: false, factors: [] });
  });

  it('with TOTP enrolled the password is not enough, even when the client asks for aal1', () => {
    const a = { ...operator, totp: true, recoveryCodes: true };
    expect(loginProgress(a, ['pwd'], 'aal1')).toEqual({ done: false, factors: ['totp', 'recovery-code'] });
    expect(loginProgress(a, ['pwd', 'otp', 'mfa'], 'aal1')).toEqual({ done: true, acr: 'aal2' });
  });

  it('an official: password → SIM is aal2; aal3 also needs the attested device', () => {
    expect(loginProgress(official, ['pwd'], 'aal1')).toEqual({ done: false, factors: ['sim', 'device'] });
    expect(loginProgress(official, ['pwd', 'sim', 'mfa'], 'aal2')).toEqual({ done: true, acr: 'aal2' });
    expect(loginProgress(official, ['pwd', 'sim', 'mfa'], 'aal3')).toEqual({
      done: false,
      factors: ['device'],
    });
    expect(loginProgress(official, ['pwd', 'sim', 'hwk', 'mfa'], 'aal3')).toEqual({
      done: true,
      acr: 'aal3',
    });
  });

  it('the attested device satisfies the floor of an official whose SIM cannot be used', () => {
    expect(loginProgress(official, ['pwd', 'hwk', 'mfa'], 'aal1')).toEqual({ done: true, acr: 'aal2' });
  });

  it('a passkey sign-in is aal3 and satisfies the TOTP floor', () => {
    expect(loginProgress({ ...operator, totp: true }, ['hwk', 'mfa'], 'aal3')).toEqual({
      done: true,
      acr: 'aal3',
    });
  });
});

describe('possession first', () => {
  it('after the SIM or the device proved itself first, the password is the only next step', () => {
    expect(loginProgress(official, ['sim'], 'aal1')).toEqual({ done: false, factors: ['password'] });
    expect(loginProgress(official, ['hwk'], 'aal1')).toEqual({ done: false, factors: ['password'] });
    expect(loginProgress(official, ['sim', 'hwk'], 'aal3')).toEqual({ done: false, factors: ['password'] });
  });
  it('a device key before the password is not a passkey: it never completes a sign-in', () => {
    expect(loginProgress({ ...operator, totp: true }, ['hwk'], 'aal1').done).toBe(false);
    expect(loginProgress(official, ['pwd', 'hwk', 'mfa'], 'aal1')).toEqual({ done: true, acr: 'aal2' });
  });
  it('nothing proven yet offers nothing here (the possession factors are listed by the start step)', () => {
    expect(loginProgress(official, [], 'aal1')).toEqual({ done: false, factors: [] });
  });
});

describe('passwordCheckAllowed', () => {
  const open = { passwordClosedAt: null, failedLogins: 99 };
  const closed = { passwordClosedAt: new Date(0), failedLogins: 100 };
  it('below the guess limit the password is checked in any sign-in', () => {
    expect(passwordCheckAllowed(open, [], 100)).toBe(true);
  });
  it('once closed, only after a possession factor in the same sign-in — never after TOTP', () => {
    expect(passwordCheckAllowed(closed, [], 100)).toBe(false);
    expect(passwordCheckAllowed(closed, ['otp'], 100)).toBe(false);
    expect(passwordCheckAllowed(closed, ['sim'], 100)).toBe(true);
    expect(passwordCheckAllowed(closed, ['hwk'], 100)).toBe(true);
  });
  it('someone holding the possession factor gets another limit of guesses, then none', () => {
    expect(passwordCheckAllowed({ ...closed, failedLogins: 199 }, ['sim'], 100)).toBe(true);
    expect(passwordCheckAllowed({ ...closed, failedLogins: 200 }, ['sim'], 100)).toBe(false);
  });
});
