import { describe, expect, it } from 'vitest';
import { loginProgress, requiredMethods, type AccountFactors } from './login-policy.js';

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
