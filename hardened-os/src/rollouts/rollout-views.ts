import type { z } from 'zod';
import type { ReleaseRow } from '../registry/registry.repository.js';
import { isAutomaticHaltReason, RINGS, type Outcome, type Ring } from './rollout-rules.js';
import type { RolloutView } from './rollouts.dto.js';
import type { RolloutRow } from './rollouts.repository.js';

export type ProgressCount = { stage: number; ring: Ring; outcome: Outcome; devices: number };
type Progress = { offered: number; updated: number; failed: number; pending: number };

function sum(rows: readonly ProgressCount[]): Progress {
  const n = (o: Outcome) => rows.filter((r) => r.outcome === o).reduce((a, r) => a + r.devices, 0);
  const pending = n('offered');
  const updated = n('updated');
  const failed = n('failed');
  return { offered: pending + updated + failed, updated, failed, pending };
}

/**
 * The halt reason an institution's readers see: the automatic halt's reason counts the whole fleet's devices
 * (other institutions' among them), an operator's is free text; both read as a generic line.
 */
function institutionHaltReason(r: RolloutRow): string | null {
  if (!r.haltReason) return null;
  return isAutomaticHaltReason(r.haltReason)
    ? 'halted automatically: failure rate over threshold'
    : 'halted by a national operator';
}

/** A rollout with its progress per stage and per ring (the counts as given: the caller scoped them). */
export function rolloutView(
  r: RolloutRow,
  release: ReleaseRow | undefined,
  counts: readonly ProgressCount[],
  scope: 'national' | 'institution',
): z.infer<typeof RolloutView> {
  const done = r.state === 'completed';
  const institution = scope === 'institution';
  return {
    id: r.id,
    releaseId: r.releaseId,
    model: r.model,
    release: release
      ? {
          buildId: release.buildId,
          version: release.version,
          securityPatchLevel: release.securityPatchLevel,
          fingerprint: release.fingerprint,
        }
      : null,
    state: r.state,
    currentStage: r.currentStage,
    startAt: r.startAt.toISOString(),
    stageStartedAt: r.stageStartedAt?.toISOString() ?? null,
    failureThreshold: r.failureThreshold,
    minOutcomes: r.minOutcomes,
    haltReason: institution ? institutionHaltReason(r) : r.haltReason,
    // Who created it is the national operators' business: an institution sees no operator ids.
    createdBy: institution ? null : r.createdBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    stages: r.stages.map((s, i) => ({
      ...s,
      status:
        done || i < r.currentStage
          ? 'done'
          : i === r.currentStage && r.state !== 'scheduled'
            ? 'current'
            : 'pending',
      progress: sum(counts.filter((c) => c.stage === i)),
    })),
    rings: RINGS.map((ring) => ({ ring, ...sum(counts.filter((c) => c.ring === ring)) })),
    scope,
  };
}
