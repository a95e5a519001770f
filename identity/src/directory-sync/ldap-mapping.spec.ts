import { describe, expect, it } from 'vitest';
import { mapEntry, plannedDisables, requestedAttributes, type AttributeMapping } from './ldap-mapping.js';

const m: AttributeMapping = {
  username: 'sAMAccountName',
  displayName: 'displayName',
  designation: 'title',
  institution: 'department',
  email: 'mail',
  phone: 'telephoneNumber',
};
const entry = (attributes: Record<string, string | undefined>) => ({
  dn: 'CN=Ayesha Khan,OU=Staff,DC=gov',
  attributes,
});

describe('LDAP entry → official', () => {
  it('maps attributes case-insensitively (LDAP names are) and validates like the CSV import', () => {
    expect(
      mapEntry(
        entry({
          samaccountname: 'AKhan',
          DISPLAYNAME: 'Ayesha Khan',
          title: 'Deputy Secretary',
          department: 'Ministry of Interior',
          mail: 'akhan@gov.example',
        }),
        m,
        null,
      ),
    ).toEqual({
      username: 'akhan',
      displayName: 'Ayesha Khan',
      designation: 'Deputy Secretary',
      institution: 'Ministry of Interior',
      email: 'akhan@gov.example',
      phone: null,
      imsi: null,
    });
    expect(mapEntry(entry({ displayName: 'No Account' }), m, null)).toEqual({
      reason: 'no sAMAccountName attribute',
    });
    expect(
      mapEntry(entry({ sAMAccountName: 'x1', displayName: 'X', department: 'I', mail: 'x' }), m, null),
    ).toEqual({
      reason: 'email is not an address',
    });
  });

  it('places every entry in a fixed institution when the mapping names none', () => {
    const { institution: _none, ...noInst } = m;
    expect(
      mapEntry(entry({ sAMAccountName: 'bb', displayName: 'B' }), noInst, 'Ministry of Finance'),
    ).toMatchObject({
      institution: 'Ministry of Finance',
    });
    expect(requestedAttributes(noInst)).toEqual([
      'sAMAccountName',
      'displayName',
      'title',
      'mail',
      'telephoneNumber',
    ]);
  });
});

describe('plannedDisables', () => {
  const linked = [
    { userId: '1', username: 'a', status: 'active' as const },
    { userId: '2', username: 'b', status: 'active' as const },
    { userId: '3', username: 'c', status: 'disabled' as const },
  ];
  it('disables linked active officials no longer in the directory, once', () => {
    expect(plannedDisables(linked, new Set(['a']), 1)).toEqual([{ userId: '2', username: 'b' }]);
  });
  it('disables nobody when the search found nothing (a wrong base or an outage, not an exodus)', () => {
    expect(plannedDisables(linked, new Set(), 0)).toEqual([]);
  });
});
