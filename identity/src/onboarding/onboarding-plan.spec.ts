import { describe, expect, it } from 'vitest';
import { institutionLookup, planOfficial, type KnownUser } from './onboarding-plan.js';
import type { OfficialRecord } from './official-record.js';

const A = '11111111-1111-4111-8111-111111111111';
const A1 = '22222222-2222-4222-8222-222222222222';
const B = '33333333-3333-4333-8333-333333333333';
const B1 = '44444444-4444-4444-8444-444444444444';
const all = [
  { id: A, name: 'Ministry of Interior' },
  { id: A1, name: 'Passports' },
  { id: B, name: 'Ministry of Finance' },
  { id: B1, name: 'Passports' },
];
const scoped = institutionLookup(all, [A, A1]);
const national = institutionLookup(all, null);
const rec = (o: Partial<OfficialRecord> = {}): OfficialRecord => ({
  username: 'ayesha',
  displayName: 'Ayesha Khan',
  designation: null,
  institution: 'ministry of interior',
  email: null,
  phone: null,
  imsi: null,
  ...o,
});
const known = (o: Partial<KnownUser> = {}): KnownUser => ({
  id: 'u1',
  username: 'ayesha',
  kind: 'official',
  status: 'active',
  displayName: 'Ayesha Khan',
  designation: null,
  institutionId: A,
  email: null,
  phone: null,
  ...o,
});

describe('planOfficial', () => {
  it('creates, updates only changed fields, or leaves alone', () => {
    expect(planOfficial(1, rec(), undefined, scoped)).toMatchObject({
      action: 'create',
      profile: { institutionId: A },
    });
    expect(planOfficial(1, rec(), known(), scoped)).toMatchObject({ action: 'unchanged', userId: 'u1' });
    expect(planOfficial(1, rec({ designation: 'DS', institution: A1 }), known(), scoped)).toEqual({
      action: 'update',
      key: 1,
      userId: 'u1',
      username: 'ayesha',
      changes: { designation: 'DS', institutionId: A1 },
      imsi: null,
    });
  });

  it('resolves institutions by id or unambiguous name, inside the caller’s scope', () => {
    expect(planOfficial(1, rec({ institution: 'Passports' }), undefined, national)).toMatchObject({
      action: 'error',
      reason: 'institution "Passports" names 2 institutions: give its id',
    });
    expect(planOfficial(1, rec({ institution: B1 }), undefined, national)).toMatchObject({
      action: 'create',
    });
    expect(planOfficial(1, rec({ institution: 'Ministry of Finance' }), undefined, scoped)).toMatchObject({
      reason: 'institution "Ministry of Finance" is outside your scope',
    });
    expect(planOfficial(1, rec({ institution: 'Nowhere' }), undefined, scoped)).toMatchObject({
      reason: 'no institution "Nowhere"',
    });
  });

  it('never updates an operator or another institution’s official, and says no more than "taken"', () => {
    const taken = { action: 'error', reason: 'the username "ayesha" is taken' };
    expect(planOfficial(1, rec(), known({ kind: 'operator', institutionId: A }), scoped)).toMatchObject(
      taken,
    );
    expect(planOfficial(1, rec(), known({ institutionId: B }), scoped)).toMatchObject(taken);
  });
});
