import { createHash } from 'node:crypto';

/** Rollout rings, earliest first: an institution is in one of them (default broad). */
export const RINGS = ['pilot', 'early', 'broad'] as const;
export type Ring = (typeof RINGS)[number];
export const DEFAULT_RING: Ring = 'broad';
export const ringIndex = (r: Ring): number => RINGS.indexOf(r);

export const ROLLOUT_STATES = ['scheduled', 'running', 'paused', 'halted', 'completed'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];
/** States that hold a model: one of them per model at a time. */
export const ACTIVE_STATES: readonly RolloutState[] = ['scheduled', 'running', 'paused'];

export const OUTCOMES = ['offered', 'updated', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type Stage = { ring: Ring; percent: number; soakMinutes: number };

const DAY = 24 * 60;
/** Pilot institutions first, then a widening share of early, then of everyone else; a day's soak each. */
export const DEFAULT_STAGES: readonly Stage[] = [
  { ring: 'pilot', percent: 100, soakMinutes: DAY },
  { ring: 'early', percent: 10, soakMinutes: DAY },
  { ring: 'early', percent: 50, soakMinutes: DAY },
  { ring: 'early', percent: 100, soakMinutes: DAY },
  { ring: 'broad', percent: 5, soakMinutes: DAY },
  { ring: 'broad', percent: 25, soakMinutes: DAY },
  { ring: 'broad', percent: 100, soakMinutes: DAY },
];
export const DEFAULT_FAILURE_THRESHOLD = 0.05;
export const DEFAULT_MIN_OUTCOMES = 5;
export const MAX_STAGES = 20;
export const MAX_SOAK_MINUTES = 30 * DAY;

export const stageLabel = (s: Stage): string => `${s.ring} ${s.percent}%`;

/**
 * A device's place in [0, 100): the first 4 bytes of SHA-256(rolloutId:deviceId), big-endian, mod 10000,
 * over 100. Stable for the rollout (the same device always lands in the same place), independent between
 * rollouts (the same devices are not always first).
 */
export function stableBucket(rolloutId: string, deviceId: string): number {
  const digest = createHash('sha256').update(`${rolloutId}:${deviceId}`).digest();
  return (digest.readUInt32BE(0) % 10_000) / 100;
}

/**
 * Whether a device is in a stage: every device of an earlier ring is (its ring finished before), a device of
 * the stage's ring when its bucket is below the percentage (so widening never drops one), a later ring none.
 */
export function inStage(stage: Stage, rolloutId: string, device: { id: string; ring: Ring }): boolean {
  const d = ringIndex(device.ring);
  const s = ringIndex(stage.ring);
  if (d !== s) return d < s;
  return stableBucket(rolloutId, device.id) < stage.percent;
}

/** Why a plan cannot run, or null: rings never go back and each ring's share grows. */
export function planProblem(stages: readonly Stage[]): string | null {
  if (stages.length === 0) return 'A rollout needs at least one stage.';
  if (stages.length > MAX_STAGES) return `A rollout has at most ${MAX_STAGES} stages.`;
  for (const [i, s] of stages.entries()) {
    if (!Number.isInteger(s.percent) || s.percent < 1 || s.percent > 100)
      return `Stage ${i + 1}: percent must be a whole number from 1 to 100.`;
    if (!Number.isInteger(s.soakMinutes) || s.soakMinutes < 0 || s.soakMinutes > MAX_SOAK_MINUTES)
      return `Stage ${i + 1}: soakMinutes must be a whole number from 0 to ${MAX_SOAK_MINUTES}.`;
    const prev = stages[i - 1];
    if (!prev) continue;
    if (ringIndex(s.ring) < ringIndex(prev.ring))
      return `Stage ${i + 1} (${stageLabel(s)}) comes after ${stageLabel(prev)}: rings go pilot → early → broad.`;
    if (s.ring === prev.ring && s.percent <= prev.percent)
      return `Stage ${i + 1} (${stageLabel(s)}) must widen ${stageLabel(prev)}.`;
  }
  return null;
}

export type RolloutClock = {
  state: RolloutState;
  currentStage: number;
  stageStartedAt: Date | null;
  startAt: Date;
  stages: readonly Stage[];
};

export type StepDecision =
  { action: 'none' } | { action: 'start' } | { action: 'advance'; to: number } | { action: 'complete' };

/**
 * What the ticker does now: start a scheduled rollout once its start time has come; move a running one to
 * its next stage (or complete it after the last) once the current stage has soaked. Paused, halted and
 * completed rollouts stay as they are.
 */
export function nextStep(r: RolloutClock, now: Date): StepDecision {
  if (r.state === 'scheduled') return now >= r.startAt ? { action: 'start' } : { action: 'none' };
  if (r.state !== 'running' || !r.stageStartedAt) return { action: 'none' };
  const stage = r.stages[r.currentStage];
  if (!stage) return { action: 'complete' };
  if (now.getTime() - r.stageStartedAt.getTime() < stage.soakMinutes * 60_000) return { action: 'none' };
  return r.currentStage + 1 < r.stages.length
    ? { action: 'advance', to: r.currentStage + 1 }
    : { action: 'complete' };
}

export type StageOutcomes = { updated: number; failed: number };

const pct = (x: number) => `${Math.round(x * 100)}%`;

type HaltLimits = { failureThreshold: number; minOutcomes: number };

/** "f of n updated devices failed (r%) <where>; threshold t%" once n ≥ minOutcomes and f / n > threshold. */
function overThreshold(counts: StageOutcomes, where: string, limits: HaltLimits): string | null {
  const took = counts.updated + counts.failed;
  if (took === 0 || took < limits.minOutcomes) return null;
  const rate = counts.failed / took;
  if (rate <= limits.failureThreshold) return null;
  return `${counts.failed} of ${took} updated devices failed (${pct(rate)}) ${where}; threshold ${pct(limits.failureThreshold)}`;
}

const AUTOMATIC =
  /^\d+ of \d+ updated devices failed \(\d+%\) (in stage .+|across the rollout); threshold \d+%$/;
/** Whether a halt reason is one the automatic halt wrote (the operator's own are free text). */
export const isAutomaticHaltReason = (reason: string): boolean => AUTOMATIC.test(reason);

/**
 * Automatic halt for one stage: once at least `minOutcomes` devices of the stage took the update (updated or
 * failed), the rollout halts when the failed share passes the threshold. The reason reads for a human.
 */
export function haltReason(counts: StageOutcomes, stage: Stage, limits: HaltLimits): string | null {
  return overThreshold(counts, `in stage ${stageLabel(stage)}`, limits);
}

/**
 * The automatic halt as the engine weighs it, after every outcome and before every step: the current stage,
 * and the whole rollout (devices keep the stage that first took them, so failures of an earlier stage would
 * otherwise stop counting once the rollout widens, and early failures below `minOutcomes` in one stage
 * would never be weighed with the successes that follow in the next).
 */
export function autoHaltReason(
  counts: { stage: StageOutcomes; rollout: StageOutcomes },
  stage: Stage | undefined,
  limits: HaltLimits,
): string | null {
  return (
    (stage ? haltReason(counts.stage, stage, limits) : null) ??
    overThreshold(counts.rollout, 'across the rollout', limits)
  );
}

/**
 * Which recorded outcome a report replaces. Results outrank the offer whatever their times (each comes from
 * its device-mgmt node's clock), and `failed` outranks `updated`: device-mgmt sends updated, then failed when
 * the boot or attestation after the update fails, and never the other way. Within one rank the later time
 * wins, so a redelivered report changes nothing.
 */
export const outcomeRank = (o: Outcome): number => OUTCOMES.indexOf(o);

export function replacesOutcome(
  incoming: { outcome: Outcome; at: Date },
  recorded: { outcome: Outcome; at: Date },
): boolean {
  const a = outcomeRank(incoming.outcome);
  const b = outcomeRank(recorded.outcome);
  return a !== b ? a > b : incoming.at > recorded.at;
}
