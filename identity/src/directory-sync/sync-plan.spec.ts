import { describe, expect, it } from 'vitest';
import { institutionLookup, type KnownUser } from '../onboarding/onboarding-plan.js';
import { planChunk } from '../onboarding/user-import-chunks.js';
import type { CodedOfficialRow } from '../onboarding/user-import.worker.js';
import { NOT_MANAGED, plannedDisables, refuseUnmanaged, syncScope } from './ldap-mapping.js';

/*
 * A directory's administrator must not reach officials the sync does not manage: the attack is an entry
 * naming an existing official of another ministry (by username) with the administrator's own institution.
 */

const A = '11111111-1111-4111-8111-111111111111';
const A1 = '22222222-2222-4222-8222-222222222222';
const B = '33333333-3333-4333-8333-333333333333';
const tree = [
  { id: A, name: 'Ministry of Interior', parentId: null },
  { id: A1, name: 'Directorate of Passports', parentId: A },
  { id: B, name: 'Ministry of Finance', parentId: null },
];
const row = (username: string, institution: string, line = 1): CodedOfficialRow => ({
  username,
  displayName: 'Directory Name',
  designation: null,
  institution,
  email: null,
  phone: null,
  imsi: null,
  line,
  code: 'code',
  codeHash: 'hash',
});
const victim: KnownUser = {
  id: 'victim-id',
  username: 'fatima',
  kind: 'official',
  status: 'active',
  displayName: 'Fatima Ali',
  designation: 'Joint Secretary',
  institutionId: B,
  email: null,
  phone: null,
};
const plan = (rows: CodedOfficialRow[], known: KnownUser[], scope: string[] | null, managed: string[]) =>
  refuseUnmanaged(
    planChunk(rows, known, institutionLookup(tree, scope), new Map(), new Map()),
    new Set(managed),
  );

describe('a sync never adopts an official it does not manage', () => {
  it('refuses an entry naming an existing unlinked official of another institution (national sync)', () => {
    const [step] = plan([row('fatima', 'Ministry of Interior')], [victim], null, []);
    expect(step).toMatchObject({ action: 'error', username: 'fatima', reason: NOT_MANAGED });
    expect(NOT_MANAGED).toMatch(/exists and is not managed by this directory sync/);
  });

  it('refuses an unlinked official even when nothing would change (no silent link)', () => {
    const same = { ...row('fatima', 'Ministry of Finance'), displayName: 'Fatima Ali' };
    expect(plan([{ ...same, designation: 'Joint Secretary' }], [victim], null, [])[0]).toMatchObject({
      action: 'error',
      reason: NOT_MANAGED,
    });
  });

  it('still creates new officials and updates the ones it manages', () => {
    const steps = plan(
      [row('newcomer', 'Ministry of Interior', 1), row('fatima', 'Ministry of Interior', 2)],
      [victim],
      null,
      ['victim-id'],
    );
    expect(steps.map((s) => s.action)).toEqual(['create', 'update']);
  });

  it('a later removal from the directory does not disable an official it never linked', () => {
    const linked = [{ userId: 'own-id', username: 'newcomer', status: 'active' as const }];
    expect(plannedDisables(linked, new Set(['other']), 1)).toEqual([
      { userId: 'own-id', username: 'newcomer' },
    ]);
  });
});

describe('a sync with a fixed institution stays in its subtree', () => {
  it('is the institution and its departments; national without one; refused if it names none', () => {
    expect(syncScope('Ministry of Interior', tree)).toEqual([A, A1]);
    expect(syncScope(null, tree)).toBeNull();
    expect(syncScope('Ministry of Nowhere', tree)).toEqual({
      reason: `the sync's institution: no institution "Ministry of Nowhere"`,
    });
  });

  it('refuses entries naming another institution, and never moves a linked official out of it', () => {
    const scope = syncScope('Ministry of Interior', tree) as string[];
    const inB = { ...victim, id: 'linked-id', username: 'moved' };
    const steps = plan(
      [
        row('outsider', 'Ministry of Finance', 1),
        row('passport', 'Directorate of Passports', 2),
        row('moved', 'Ministry of Interior', 3),
        row('fatima', 'Ministry of Interior', 4),
      ],
      [inB, victim],
      scope,
      ['linked-id'],
    );
    expect(steps.map((s) => (s.action === 'error' ? s.reason : s.action))).toEqual([
      'institution "Ministry of Finance" is outside your scope',
      'create',
      'the username "moved" is taken',
      'the username "fatima" is taken',
    ]);
  });
});
