import { describe, expect, it } from 'vitest';
import { effectiveRoles, holdsNationalRole, roleScopeProblems } from './roles.js';

describe('effectiveRoles', () => {
  const roles = ['super-admin', 'security-officer', 'viewer'] as const;
  it('withholds the passkey roles from a password sign-in when enforced', () => {
    expect(effectiveRoles(roles, ['pwd', 'otp', 'mfa'], true)).toEqual({
      roles: ['viewer'],
      withheld: ['super-admin', 'security-officer'],
    });
  });
  it('a passkey sign-in (hwk without a password) carries them', () => {
    expect(effectiveRoles(roles, ['hwk', 'mfa'], true).withheld).toEqual([]);
  });
  it('a device key after a password is not a passkey', () => {
    expect(effectiveRoles(roles, ['pwd', 'hwk', 'mfa'], true).withheld).toEqual([
      'super-admin',
      'security-officer',
    ]);
  });
  it('without enforcement every role is kept', () => {
    expect(effectiveRoles(roles, ['pwd'], false)).toEqual({ roles: [...roles], withheld: [] });
  });
});

describe('roleScopeProblems', () => {
  it('national roles cannot be held inside an institution', () => {
    expect(roleScopeProblems(['viewer', 'network-admin'], 'inst-1')).toEqual([
      { role: 'network-admin', reason: 'national_only' },
    ]);
    expect(roleScopeProblems(['network-admin'], null)).toEqual([]);
  });
});

describe('holdsNationalRole', () => {
  it('is true for any role outside the institution-scoped ones', () => {
    expect(holdsNationalRole(['viewer', 'device-admin', 'app-reviewer', 'billing'])).toBe(false);
    for (const r of ['sim-operator', 'network-admin', 'security-officer', 'super-admin'])
      expect(holdsNationalRole(['viewer', r])).toBe(true);
    expect(holdsNationalRole(['god'])).toBe(false);
  });
});
