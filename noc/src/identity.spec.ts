import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { institutionTree } from './components/InstitutionSelect';
import {
  describeAmr,
  describeUserAgent,
  groupSecret,
  hasRole,
  homeFor,
  INSTITUTION_SCOPED_ROLES,
  isInstitutionOperator,
  ROLES,
  type Institution,
} from './identity';
import type { OperatorProfile } from './auth/session';

// The committed contract, read as data (it is a file of the repository, not a package to import).
const openapi = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as {
  'x-pakawaaz-registry': { roles: { name: string; scope: string }[] };
};

describe('describeAmr', () => {
  it('names the methods and leaves out mfa, which two factors imply', () => {
    expect(describeAmr(['pwd', 'otp', 'mfa'])).toBe('password + one-time code');
    expect(describeAmr(['hwk', 'mfa'])).toBe('passkey or hardware key');
    expect(describeAmr([])).toBe('—');
    expect(describeAmr(['pwd', 'x-new'])).toBe('password + x-new');
  });
});

describe('describeUserAgent', () => {
  it('reduces a browser user agent to its name, major version and system', () => {
    expect(
      describeUserAgent(
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      ),
    ).toBe('Chrome 131 on Linux');
    expect(
      describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'),
    ).toBe('Firefox 133 on Windows');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      ),
    ).toBe('Safari 18 on macOS');
    expect(describeUserAgent('curl/8.11.1')).toBe('curl 8');
    expect(describeUserAgent(null)).toBe('—');
  });
});

describe('groupSecret', () => {
  it('groups a base32 secret by four for typing, without a trailing space', () => {
    expect(groupSecret('KMS2SROSKCEMNR3OPOGAAALADLWYXDIW')).toBe('KMS2 SROS KCEM NR3O POGA AALA DLWY XDIW');
    expect(groupSecret('ABCDEF')).toBe('ABCD EF');
  });
});

describe('hasRole', () => {
  const operator = (roles: string[]) => ({ roles }) as OperatorProfile;
  it('grants a held role, and every role to a super-admin, as the server does', () => {
    expect(hasRole(operator(['viewer']), 'viewer')).toBe(true);
    expect(hasRole(operator(['viewer']), 'security-officer')).toBe(false);
    expect(hasRole(operator(['super-admin']), 'security-officer')).toBe(true);
    expect(hasRole(null, 'viewer')).toBe(false);
  });
});

describe('roles', () => {
  it('lists exactly the roles the server registers, and which of them an institution may hold', () => {
    // The committed contract: openapi.json carries the kernel's registry (x-pakawaaz-registry).
    const registered = openapi['x-pakawaaz-registry'].roles;
    expect(ROLES.map((r) => r.role).sort()).toEqual(registered.map((r) => r.name).sort());
    expect([...INSTITUTION_SCOPED_ROLES].sort()).toEqual(
      registered
        .filter((r) => r.scope === 'institution')
        .map((r) => r.name)
        .sort(),
    );
  });
});

describe('institution operators', () => {
  const operator = (kind: 'national' | 'institution') =>
    ({
      roles: ['viewer'],
      scope: { kind, institutionIds: kind === 'national' ? [] : ['m1'] },
    }) as OperatorProfile;
  it('start on Users (national pages refuse them) while national operators start on System', () => {
    expect(isInstitutionOperator(operator('institution'))).toBe(true);
    expect(homeFor(operator('institution'))).toBe('/users');
    expect(isInstitutionOperator(operator('national'))).toBe(false);
    expect(homeFor(operator('national'))).toBe('/system');
    expect(homeFor(null)).toBe('/system');
    // Without the second factor the MFA policy asks for, only My account works.
    expect(homeFor({ ...operator('national'), mfaEnrolmentRequired: true })).toBe('/account');
    // A device-admin and nothing else starts on Devices (Users and System would refuse it).
    expect(homeFor({ ...operator('institution'), roles: ['device-admin'] }, true)).toBe('/devices');
    expect(homeFor({ ...operator('national'), roles: ['device-admin', 'viewer'] }, true)).toBe('/system');
    // Until the server has the device pages' API, they are nobody's start page.
    expect(homeFor({ ...operator('institution'), roles: ['device-admin'] })).toBe('/users');
    // A developer or app reviewer (and nothing else) starts on the store's Apps page, once the server has it.
    expect(homeFor({ ...operator('institution'), roles: ['developer'] }, true, true)).toBe('/store/apps');
    expect(homeFor({ ...operator('national'), roles: ['app-reviewer', 'developer'] }, false, true)).toBe(
      '/store/apps',
    );
    expect(homeFor({ ...operator('national'), roles: ['app-reviewer', 'viewer'] }, false, true)).toBe(
      '/system',
    );
    expect(homeFor({ ...operator('institution'), roles: ['developer'] })).toBe('/users');
  });
});

describe('institutionTree', () => {
  const institution = (id: string, name: string, parentId: string | null) =>
    ({ id, name, parentId, kind: parentId ? 'department' : 'ministry' }) as Institution;
  it('lists ministries by name, each followed by its departments', () => {
    const tree = institutionTree([
      institution('d2', 'Passports', 'm2'),
      institution('m1', 'Finance', null),
      institution('m2', 'Interior', null),
      institution('d1', 'Immigration', 'm2'),
      institution('orphan', 'Customs', 'gone'),
    ]);
    expect(tree.map((t) => [t.institution.name, t.depth])).toEqual([
      ['Customs', 0],
      ['Finance', 0],
      ['Interior', 0],
      ['Immigration', 1],
      ['Passports', 1],
    ]);
  });
});
