import { coreNetworkDomain } from '@pakawaaz/core-network';
import { platformDomain, registerDomains } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { identityDomain } from '../identity.domain.js';
import { effectiveRoles, holdsNationalRole, needsPasskey, roleScopeProblems } from './roles.js';

// As the composition root does (with every domain), so the rules read the registered definitions.
registerDomains([platformDomain, coreNetworkDomain, identityDomain]);

describe('effectiveRoles', () => {
  it('withholds every role while the MFA policy finds no second factor, passkey or not', () => {
    const roles = ['super-admin', 'viewer'] as const;
    expect(effectiveRoles(roles, ['pwd'], false, true)).toEqual({ roles: [], withheld: [...roles] });
    expect(effectiveRoles(roles, ['pwd'], true, true)).toEqual({ roles: [], withheld: [...roles] });
    expect(effectiveRoles(roles, ['pwd'], false, false)).toEqual({ roles: [...roles], withheld: [] });
  });

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

  it('follows the scope each domain registered: institution roles of every domain, national ones of none', () => {
    const all = [
      'viewer',
      'billing',
      'sim-operator',
      'network-admin',
      'security-officer',
      'super-admin',
    ] as const;
    expect(roleScopeProblems(all, 'inst-1').map((p) => p.role)).toEqual([
      'sim-operator',
      'network-admin',
      'security-officer',
      'super-admin',
    ]);
  });
});

describe('needsPasskey', () => {
  it('is what the domains registered: super-admin and security-officer', () => {
    expect(['super-admin', 'security-officer', 'viewer', 'network-admin'].filter(needsPasskey)).toEqual([
      'super-admin',
      'security-officer',
    ]);
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
