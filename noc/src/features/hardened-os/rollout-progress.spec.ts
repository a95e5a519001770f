import { describe, expect, it } from 'vitest';
import { actionsFor, failureRate, progressText, whereText, type OsRollout } from './rollout-progress';

const none = { offered: 0, updated: 0, failed: 0, pending: 0 };
const rollout = (over: Partial<OsRollout>): OsRollout => ({
  id: 'r1',
  releaseId: 'rel',
  model: 'shiba',
  release: null,
  state: 'running',
  currentStage: 2,
  startAt: '2026-12-04T10:00:00.000Z',
  stageStartedAt: '2026-12-04T10:00:00.000Z',
  failureThreshold: 0.05,
  minOutcomes: 5,
  haltReason: null,
  createdBy: 'operator:x',
  createdAt: '2026-12-04T10:00:00.000Z',
  updatedAt: '2026-12-04T10:00:00.000Z',
  stages: [
    { ring: 'pilot', percent: 100, soakMinutes: 60, status: 'done', progress: none },
    { ring: 'early', percent: 10, soakMinutes: 60, status: 'done', progress: none },
    { ring: 'early', percent: 50, soakMinutes: 60, status: 'current', progress: none },
  ],
  rings: [],
  scope: 'national',
  ...over,
});

describe('rollout progress', () => {
  it('reads counts as updated / failed / pending, and weighs failures like the automatic halt', () => {
    expect(progressText(none)).toBe('none offered yet');
    const c = { offered: 30, updated: 22, failed: 3, pending: 5 };
    expect(progressText(c)).toBe('22 updated · 3 failed · 5 pending');
    expect(failureRate(c)).toBeCloseTo(0.12);
    expect(failureRate(none)).toBeNull();
  });

  it('says where a rollout stands', () => {
    expect(whereText(rollout({}))).toBe('stage 3 of 3: early 50%');
    expect(whereText(rollout({ state: 'paused' }))).toBe('paused at stage 3 of 3: early 50%');
    expect(whereText(rollout({ state: 'completed' }))).toBe('all 3 stages done');
  });

  it('offers pause, resume and halt only where the server allows them', () => {
    expect(actionsFor(rollout({}))).toEqual({ pause: true, resume: false, advance: true, halt: true });
    expect(actionsFor(rollout({ state: 'paused' }))).toEqual({
      pause: false,
      resume: true,
      advance: false,
      halt: true,
    });
    expect(actionsFor(rollout({ state: 'scheduled' })).advance).toBe(false);
    for (const state of ['halted', 'completed'] as const)
      expect(actionsFor(rollout({ state }))).toEqual({
        pause: false,
        resume: false,
        advance: false,
        halt: false,
      });
  });
});
