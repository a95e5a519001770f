import { describe, expect, it } from 'vitest';
import { parseStages, rolloutText } from './os-rollouts.js';

describe('pakawaaz os rollout', () => {
  it('reads --stages as ring:percent[:soakMinutes], a day by default, and refuses anything else', () => {
    expect(parseStages('pilot:100:60, early:10')).toEqual([
      { ring: 'pilot', percent: 100, soakMinutes: 60 },
      { ring: 'early', percent: 10, soakMinutes: 1440 },
    ]);
    expect(() => parseStages('everyone:100')).toThrow(/ring:percent/);
    expect(() => parseStages('early:ten')).toThrow(/ring:percent/);
  });

  it('shows the stages, the progress per ring and the halt reason', () => {
    const p = { offered: 6, updated: 4, failed: 1, pending: 1 };
    const none = { offered: 0, updated: 0, failed: 0, pending: 0 };
    const text = rolloutText({
      id: 'r1',
      releaseId: 'rel',
      model: 'shiba',
      release: {
        buildId: 'BP1A.250105.004',
        version: '15',
        securityPatchLevel: '2025-01-05',
        fingerprint: 'f',
      },
      state: 'halted',
      currentStage: 1,
      startAt: '2026-12-04T10:00:00.000Z',
      stageStartedAt: '2026-12-04T10:00:00.000Z',
      failureThreshold: 0.05,
      minOutcomes: 5,
      haltReason: '1 of 5 updated devices failed (20%) in stage early 10%; threshold 5%',
      createdBy: 'operator:x',
      createdAt: '2026-12-04T10:00:00.000Z',
      updatedAt: '2026-12-04T10:00:00.000Z',
      stages: [
        { ring: 'pilot', percent: 100, soakMinutes: 60, status: 'done', progress: none },
        { ring: 'early', percent: 10, soakMinutes: 60, status: 'current', progress: p },
      ],
      rings: [
        { ring: 'pilot', ...none },
        { ring: 'early', ...p },
        { ring: 'broad', ...none },
      ],
      scope: 'national',
    });
    expect(text).toContain('halted    stage 2/2 early 10%');
    expect(text).toContain('halted: 1 of 5 updated devices failed (20%) in stage early 10%; threshold 5%');
    expect(text).toContain('   2. early  10%  soak 60 min  current updated 4, failed 1, pending 1');
    expect(text).toContain('  early updated 4, failed 1, pending 1');
  });
});
