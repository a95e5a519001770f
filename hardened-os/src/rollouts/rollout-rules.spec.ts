import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  autoHaltReason,
  DEFAULT_STAGES,
  haltReason,
  isAutomaticHaltReason,
  inStage,
  nextStep,
  planProblem,
  RINGS,
  replacesOutcome,
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

describe('autoHaltReason', () => {
  const stage: Stage = { ring: 'broad', percent: 25, soakMinutes: 0 };
  const limits = { failureThreshold: 0.05, minOutcomes: 5 };
  const none = { updated: 0, failed: 0 };

  it('weighs early failures once later successes bring enough outcomes: F,F,F,F then U', () => {
    // The review's sequence in one stage: four failures (under minOutcomes), then successes.
    expect(
      autoHaltReason({ stage: { updated: 0, failed: 4 }, rollout: { updated: 0, failed: 4 } }, stage, limits),
    ).toBeNull();
    expect(
      autoHaltReason({ stage: { updated: 1, failed: 4 }, rollout: { updated: 1, failed: 4 } }, stage, limits),
    ).toBe('4 of 5 updated devices failed (80%) in stage broad 25%; threshold 5%');
  });

  it('counts failures of earlier stages over the whole rollout', () => {
    // Stage 0 failed 4 (too few to weigh), the rollout widened; stage 1 is clean, the rollout is not.
    expect(
      autoHaltReason({ stage: { updated: 6, failed: 0 }, rollout: { updated: 6, failed: 4 } }, stage, limits),
    ).toBe('4 of 10 updated devices failed (40%) across the rollout; threshold 5%');
    expect(autoHaltReason({ stage: none, rollout: { updated: 2, failed: 4 } }, undefined, limits)).toMatch(
      /across the rollout/,
    );
  });

  it('names the stage first, and stays quiet at or under the threshold or under minOutcomes', () => {
    expect(
      autoHaltReason(
        { stage: { updated: 4, failed: 1 }, rollout: { updated: 40, failed: 1 } },
        stage,
        limits,
      ),
    ).toMatch(/in stage broad 25%/);
    expect(
      autoHaltReason(
        { stage: { updated: 19, failed: 1 }, rollout: { updated: 39, failed: 1 } },
        stage,
        limits,
      ),
    ).toBeNull();
    expect(autoHaltReason({ stage: none, rollout: { updated: 0, failed: 4 } }, stage, limits)).toBeNull();
  });

  it('writes reasons that are recognised as automatic, and only those', () => {
    const stageReason = haltReason({ updated: 22, failed: 3 }, stage, limits)!;
    const rolloutReason = autoHaltReason({ stage: none, rollout: { updated: 6, failed: 4 } }, stage, limits)!;
    expect([stageReason, rolloutReason].map(isAutomaticHaltReason)).toEqual([true, true]);
    expect(isAutomaticHaltReason('boot loop on Pixel 8 Pro')).toBe(false);
  });
});

describe('replacesOutcome', () => {
  const t = (s: number) => new Date(Date.UTC(2026, 11, 4, 10, 0, s));
  const o = (outcome: 'offered' | 'updated' | 'failed', s: number) => ({ outcome, at: t(s) });

  it('lets a result replace the offer whatever the node clocks say, never the other way', () => {
    expect(replacesOutcome(o('updated', 0), o('offered', 30))).toBe(true);
    expect(replacesOutcome(o('failed', 0), o('offered', 30))).toBe(true);
    expect(replacesOutcome(o('offered', 60), o('updated', 0))).toBe(false);
    expect(replacesOutcome(o('offered', 60), o('failed', 0))).toBe(false);
  });

  it('lets failed after updated stand (failed boot or attestation after the update), never the reverse', () => {
    expect(replacesOutcome(o('failed', 0), o('updated', 30))).toBe(true);
    expect(replacesOutcome(o('updated', 60), o('failed', 0))).toBe(false);
  });

  it('changes nothing on redelivery; within one outcome the later report wins', () => {
    for (const x of ['offered', 'updated', 'failed'] as const) {
      expect(replacesOutcome(o(x, 10), o(x, 10))).toBe(false);
      expect(replacesOutcome(o(x, 5), o(x, 10))).toBe(false);
      expect(replacesOutcome(o(x, 20), o(x, 10))).toBe(true);
    }
  });
});
