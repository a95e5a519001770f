import { describe, expect, it } from 'vitest';
import {
  parentProblem,
  sees,
  seenOfficials,
  visibleInstitutions,
  type InstitutionNode,
} from './visibility.js';

const ministry = (id: string, scope: InstitutionNode['directoryScope'] = 'hierarchy') =>
  ({ id, parentId: null, directoryScope: scope, kind: 'ministry' }) as const;
const dept = (id: string, parentId: string, scope: InstitutionNode['directoryScope'] = 'hierarchy') =>
  ({ id, parentId, directoryScope: scope, kind: 'department' }) as const;

const nodes = [
  ministry('interior'),
  dept('passports', 'interior'),
  dept('police', 'interior', 'own'),
  ministry('finance', 'own'),
  dept('revenue', 'finance'),
  ministry('cabinet', 'all'),
];

const sorted = (v: 'all' | Set<string>) => (v === 'all' ? v : [...v].sort());

describe('visibleInstitutions', () => {
  it('hierarchy: a ministry sees itself and its departments', () => {
    expect(sorted(visibleInstitutions('interior', nodes, []))).toEqual(['interior', 'passports', 'police']);
  });
  it('hierarchy: a department sees its ministry and its sibling departments, not other ministries', () => {
    expect(sorted(visibleInstitutions('passports', nodes, []))).toEqual(['interior', 'passports', 'police']);
  });
  it('own: only itself, even inside a hierarchy', () => {
    expect(sorted(visibleInstitutions('police', nodes, []))).toEqual(['police']);
    expect(sorted(visibleInstitutions('finance', nodes, []))).toEqual(['finance']);
  });
  it('all: everyone', () => {
    expect(visibleInstitutions('cabinet', nodes, [])).toBe('all');
  });
  it('grants add to the scope, only from the granted side and only to existing institutions', () => {
    const grants = [
      { institutionId: 'finance', visibleId: 'interior' },
      { institutionId: 'finance', visibleId: 'gone' },
    ];
    expect(sorted(visibleInstitutions('finance', nodes, grants))).toEqual(['finance', 'interior']);
    expect(sorted(visibleInstitutions('interior', nodes, grants))).toEqual([
      'interior',
      'passports',
      'police',
    ]);
  });
  it('an unknown viewer sees nobody', () => {
    expect(sorted(visibleInstitutions('nowhere', nodes, []))).toEqual([]);
  });
});

describe('parentProblem', () => {
  it('accepts a ministry as parent and no parent at all', () => {
    expect(parentProblem(null, 'interior', nodes)).toBe(null);
    expect(parentProblem('x', null, nodes)).toBe(null);
  });
  it('refuses a department as parent, an unknown parent, and itself', () => {
    expect(parentProblem(null, 'passports', nodes)).toMatch(/attached to a ministry/);
    expect(parentProblem(null, 'nope', nodes)).toMatch(/not found/);
    expect(parentProblem('interior', 'interior', nodes)).toMatch(/own parent/);
  });
});

describe('seenOfficials / sees (the people search and the chat’s member check)', () => {
  it('national viewers see everyone, officials of no institution too', () => {
    const seen = seenOfficials(null, nodes, []);
    expect([sees(seen, 'finance'), sees(seen, null)]).toEqual([true, true]);
  });
  it('scope all: every institution, no official of none', () => {
    const seen = seenOfficials('cabinet', nodes, []);
    expect([sees(seen, 'revenue'), sees(seen, null)]).toEqual([true, false]);
  });
  it('otherwise the visible institutions, the viewer’s own even when unknown to the tree', () => {
    expect(seenOfficials('police', nodes, [{ institutionId: 'police', visibleId: 'finance' }])).toEqual({
      kind: 'institutions',
      ids: ['police', 'finance'],
    });
    expect(seenOfficials('ghost', nodes, [])).toEqual({ kind: 'institutions', ids: ['ghost'] });
    expect(sees(seenOfficials('police', nodes, []), 'interior')).toBe(false);
  });
});
