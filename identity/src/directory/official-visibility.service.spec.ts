import { describe, expect, it } from 'vitest';
import type { InstitutionsRepository } from './institutions.repository.js';
import { OfficialVisibilityService } from './official-visibility.service.js';

/** A ministry with two departments (hierarchy scope), an isolated one (own), and a grant. */
const institutions = [
  { id: 'ministry', parentId: null, directoryScope: 'hierarchy' },
  { id: 'dept-a', parentId: 'ministry', directoryScope: 'hierarchy' },
  { id: 'dept-b', parentId: 'ministry', directoryScope: 'own' },
  { id: 'agency', parentId: null, directoryScope: 'own' },
  { id: 'other', parentId: null, directoryScope: 'own' },
] as const;
const repo = {
  all: () => Promise.resolve(institutions),
  grants: () => Promise.resolve([{ institutionId: 'agency', visibleId: 'other' }]),
} as unknown as InstitutionsRepository;

describe('OfficialVisibilityService (directory visibility for other domains)', () => {
  const v = new OfficialVisibilityService(repo);

  it('follows the directory scope: own institution, hierarchy, grants', async () => {
    expect(await v.maySee('dept-a', 'dept-a')).toBe(true);
    expect(await v.maySee('dept-a', 'ministry')).toBe(true);
    expect(await v.maySee('dept-a', 'dept-b')).toBe(true);
    expect(await v.maySee('dept-b', 'dept-a')).toBe(false);
    expect(await v.maySee('agency', 'other')).toBe(true);
    expect(await v.maySee('other', 'agency')).toBe(false);
  });

  it('lets a national viewer see everyone, and nobody of an institution see an official of none', async () => {
    expect(await v.maySee(null, 'agency')).toBe(true);
    expect(await v.maySee(null, null)).toBe(true);
    expect(await v.maySee('ministry', null)).toBe(false);
    expect(await v.maySee('unknown', 'ministry')).toBe(false);
  });
});
