import { describe, expect, it } from 'vitest';
import type { RegistryRepository } from '../registry/registry.repository.js';
import { OsRolloutsFacts } from './os-rollouts.facts.js';
import { DEFAULT_STAGES } from './rollout-rules.js';
import { compareVersions } from './rollout-target.js';
import type { RolloutsRepository } from './rollouts.repository.js';

const ROLLOUT = '0f6c2a5e-3b1d-4c7e-9a8f-1d2e3f4a5b6c';
const OLD = {
  id: 'old',
  model: 'shiba',
  buildId: 'AP2A.241105.001',
  version: '15',
  fingerprint: 'f1',
  securityPatchLevel: '2024-11-05',
};
const NEW = {
  id: 'new',
  model: 'shiba',
  buildId: 'BP1A.250105.004',
  version: '15',
  fingerprint: 'f2',
  securityPatchLevel: '2025-01-05',
};
const NEWER = {
  id: 'newer',
  model: 'shiba',
  buildId: 'BP1A.250305.001',
  version: '15',
  fingerprint: 'f3',
  securityPatchLevel: '2025-03-05',
};

function fakes(state = 'running', releases: readonly (typeof OLD)[] = [OLD, NEW, NEWER]) {
  const reads = { n: 0 };
  const rollouts = {
    current: () => {
      reads.n++;
      return Promise.resolve([
        {
          id: ROLLOUT,
          releaseId: 'new',
          model: 'shiba',
          state,
          currentStage: 0,
          stages: [...DEFAULT_STAGES],
        },
      ]);
    },
    rings: () => Promise.resolve([{ institutionId: 'inst-pilot', ring: 'pilot' }]),
  } as unknown as RolloutsRepository;
  const registry = {
    models: () => Promise.resolve([{ codename: 'shiba', name: 'Pixel 8' }]),
    allReleases: () => Promise.resolve(releases),
  } as unknown as RegistryRepository;
  return { reads, facts: new OsRolloutsFacts(rollouts, registry) };
}
const pilot = { id: 'd1', institutionId: 'inst-pilot', model: 'Pixel 8', osBuild: OLD.buildId };

describe('OsRolloutsFacts', () => {
  it('answers a burst of check-ins from one read (no query per call), and again after invalidate', async () => {
    const { reads, facts } = fakes();
    const answers = await Promise.all(Array.from({ length: 100 }, () => facts.targetFor(pilot)));
    expect(answers.every((a) => a?.buildId === NEW.buildId)).toBe(true);
    expect(reads.n).toBe(1);
    facts.invalidate();
    await facts.targetFor(pilot);
    expect(reads.n).toBe(2);
  });

  it('never offers a downgrade, nor the build a device runs, nor anything from a paused rollout', async () => {
    const { facts } = fakes();
    expect(await facts.targetFor({ ...pilot, osBuild: NEWER.buildId })).toBeNull();
    expect(await facts.targetFor({ ...pilot, osBuild: NEW.buildId })).toBeNull();
    // A build we do not know (a development build): offered.
    expect((await facts.targetFor({ ...pilot, osBuild: 'UNKNOWN.1' }))?.rolloutId).toBe(ROLLOUT);
    expect(await facts.targetFor({ ...pilot, model: null })).toBeNull();
    expect(await fakes('paused').facts.targetFor(pilot)).toBeNull();
    expect(await fakes('halted').facts.targetFor(pilot)).toBeNull();
  });
});

describe('downgrades by version', () => {
  // A release of a newer Android version with the same patch level as the one rolled out: a handset on it
  // (say a halted rollout reached it) must not be offered the older version by a completed rollout.
  const V16 = {
    ...NEWER,
    id: 'v16',
    buildId: 'CP1A.250105.002',
    version: '16',
    securityPatchLevel: '2025-01-05',
  };
  const V9 = { ...OLD, id: 'v9', buildId: 'PQ3A.190801.002', version: '9', securityPatchLevel: '2019-08-01' };

  it('never offers an older version, running or completed, whatever the patch levels', async () => {
    for (const state of ['running', 'completed']) {
      const { facts } = fakes(state, [OLD, NEW, V16]);
      expect(await facts.targetFor({ ...pilot, osBuild: V16.buildId })).toBeNull();
      expect((await facts.targetFor(pilot))?.buildId).toBe(NEW.buildId);
    }
  });

  it('compares dotted versions numerically: 9 < 15, 15 < 15.0.1 < 15.0.10, 15 = 15.0', async () => {
    expect(compareVersions('9', '15')).toBe(-1);
    expect(compareVersions('15.0.10', '15.0.1')).toBe(1);
    expect(compareVersions('15', '15.0.1')).toBe(-1);
    expect(compareVersions('15', '15.0')).toBe(0);
    expect(compareVersions('15.1', '15.1')).toBe(0);
    // A device on 9 is offered 15 though "9" > "15" as strings.
    const { facts } = fakes('running', [V9, NEW]);
    expect((await facts.targetFor({ ...pilot, osBuild: V9.buildId }))?.buildId).toBe(NEW.buildId);
  });
});
