import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STAGES,
  haltReason,
  inStage,
  nextStep,
  planProblem,
  RINGS,
  stableBucket,
  type RolloutClock,
  type Stage,
} from './rollout-rules.js';

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

describe('stableBucket', () => {
  it('is the first 4 bytes of SHA-256("rolloutId:deviceId") mod 10000 / 100', () => {
    // coreutils: printf 'r-1:dev-7' | sha256sum → 6ce35f9c…; 0x6ce35f9c = 1826840476; mod 10000 = 476.
    expect(stableBucket('r-1', 'dev-7')).toBe(4.76);
  });

  it('stays in [0, 100) and spreads devices about evenly', () => {
    const rollout = randomUUID();
    const buckets = ids(4000).map((d) => stableBucket(rollout, d));
    expect(buckets.every((b) => b >= 0 && b < 100)).toBe(true);
    const below10 = buckets.filter((b) => b < 10).length / buckets.length;
    expect(below10).toBeGreaterThan(0.07);
    expect(below10).toBeLessThan(0.13);
  });
});

describe('inStage', () => {
  it('is monotonic in percent: widening a stage never drops a device (property, 40 rollouts × 25 devices)', () => {
    const dropped: string[] = [];
    for (let r = 0; r < 40; r++) {
      const rollout = randomUUID();
      for (const id of ids(25)) {
        let was = false;
        for (let percent = 1; percent <= 100; percent++) {
          const now = inStage({ ring: 'early', percent, soakMinutes: 0 }, rollout, { id, ring: 'early' });
          if (was && !now) dropped.push(`${rollout}/${id} at ${percent}%`);
          was = now;
        }
        if (!was) dropped.push(`${rollout}/${id} not in at 100%`);
      }
    }
    expect(dropped).toEqual([]);
  });

  it('takes every device of an earlier ring and none of a later one', () => {
    const [id] = ids(1);
    const stage: Stage = { ring: 'early', percent: 1, soakMinutes: 0 };
    expect(inStage(stage, 'r', { id: id!, ring: 'pilot' })).toBe(true);
    expect(inStage({ ...stage, percent: 100 }, 'r', { id: id!, ring: 'broad' })).toBe(false);
  });

  it('along the default plan, a device once in stays in (property)', () => {
    for (const ring of RINGS)
      for (const id of ids(300)) {
        const rollout = randomUUID();
        const membership = DEFAULT_STAGES.map((s) => inStage(s, rollout, { id, ring }));
        const first = membership.indexOf(true);
        expect(first).toBeGreaterThanOrEqual(0);
        expect(membership.slice(first).every(Boolean)).toBe(true);
      }
  });
});

describe('planProblem', () => {
  it('accepts the default plan and refuses rings going back, shrinking shares and bad numbers', () => {
    expect(planProblem(DEFAULT_STAGES)).toBeNull();
    expect(planProblem([])).toMatch(/at least one/);
    expect(
      planProblem([
        { ring: 'early', percent: 100, soakMinutes: 0 },
        { ring: 'pilot', percent: 100, soakMinutes: 0 },
      ]),
    ).toMatch(/pilot → early → broad/);
    expect(
      planProblem([
        { ring: 'early', percent: 50, soakMinutes: 0 },
        { ring: 'early', percent: 10, soakMinutes: 0 },
      ]),
    ).toMatch(/must widen early 50%/);
    expect(planProblem([{ ring: 'broad', percent: 0, soakMinutes: 0 }])).toMatch(/1 to 100/);
    expect(planProblem([{ ring: 'broad', percent: 5, soakMinutes: -1 }])).toMatch(/soakMinutes/);
  });
});

describe('nextStep', () => {
  const t0 = new Date('2026-12-01T00:00:00Z');
  const clock = (over: Partial<RolloutClock>): RolloutClock => ({
    state: 'running',
    currentStage: 0,
    stageStartedAt: t0,
    startAt: t0,
    stages: [
      { ring: 'pilot', percent: 100, soakMinutes: 60 },
      { ring: 'broad', percent: 100, soakMinutes: 30 },
    ],
    ...over,
  });
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

  it('starts a scheduled rollout at its start time, not before', () => {
    const scheduled = clock({ state: 'scheduled', stageStartedAt: null, startAt: at(10) });
    expect(nextStep(scheduled, at(9))).toEqual({ action: 'none' });
    expect(nextStep(scheduled, at(10))).toEqual({ action: 'start' });
  });

  it('advances once the stage has soaked, and completes after the last one', () => {
    expect(nextStep(clock({}), at(59))).toEqual({ action: 'none' });
    expect(nextStep(clock({}), at(60))).toEqual({ action: 'advance', to: 1 });
    expect(nextStep(clock({ currentStage: 1, stageStartedAt: at(60) }), at(90))).toEqual({
      action: 'complete',
    });
  });

  it('leaves paused, halted and completed rollouts alone however long they wait', () => {
    for (const state of ['paused', 'halted', 'completed'] as const)
      expect(nextStep(clock({ state }), at(10_000))).toEqual({ action: 'none' });
  });
});

describe('haltReason', () => {
  const stage: Stage = { ring: 'early', percent: 10, soakMinutes: 0 };
  const limits = { failureThreshold: 0.05, minOutcomes: 5 };

  it('halts past the threshold, with a reason a human reads', () => {
    expect(haltReason({ updated: 22, failed: 3 }, stage, limits)).toBe(
      '3 of 25 updated devices failed (12%) in stage early 10%; threshold 5%',
    );
  });

  it('waits for enough outcomes, and does not halt at the threshold itself', () => {
    expect(haltReason({ updated: 0, failed: 4 }, stage, limits)).toBeNull();
    expect(haltReason({ updated: 19, failed: 1 }, stage, limits)).toBeNull();
    expect(haltReason({ updated: 0, failed: 0 }, stage, { ...limits, minOutcomes: 0 })).toBeNull();
    expect(haltReason({ updated: 0, failed: 5 }, stage, limits)).toMatch(/^5 of 5 .*\(100%\)/);
  });
});
