import type { ComplianceReason } from '../compliance/compliance.js';
import type { OsUpdateTarget } from './os-rollouts.js';
import type { OsUpdateState } from './os-updates.schema.js';

/** The device's newest rollout row, as the check-in reads it (null: never offered an update). */
export type OsUpdateSeen = { rolloutId: string; buildId: string; state: OsUpdateState } | null;

export type OsUpdateOutcome = {
  rolloutId: string;
  from: OsUpdateState;
  to: 'updated' | 'failed';
  detail?: string;
};

/** What a check-in must record: an outcome of the rollout it is in, an offer of a new one, both or neither. */
export type OsUpdateStep = { outcome: OsUpdateOutcome | null; offer: OsUpdateTarget | null };

/** Compliance reasons that say the device did not boot our OS properly: an update that leads to them failed. */
export const BOOT_FAILURE_REASONS: readonly ComplianceReason[] = ['BOOT_KEY_COMPROMISED', 'BOOT_STATE'];

export const NOTHING: OsUpdateStep = { outcome: null, offer: null };

/**
 * Pure: from the device's newest rollout row, the release hardened-os wants it on now, the build it reports
 * and its compliance reasons at this check-in, what changes. An offered device that reports the target build
 * has updated — unless it is non-compliant for its boot, then the update failed; an updated device that turns
 * non-compliant for its boot (before an attestation verified it) failed too. A target is offered once per
 * rollout, and never to a device that already runs its build.
 */
export function osUpdateStep(
  seen: OsUpdateSeen,
  target: OsUpdateTarget | null,
  osBuild: string,
  reasons: readonly ComplianceReason[],
): OsUpdateStep {
  const boot = reasons.filter((r) => BOOT_FAILURE_REASONS.includes(r));
  let outcome: OsUpdateOutcome | null = null;
  if (seen && seen.state === 'offered' && osBuild === seen.buildId)
    outcome =
      boot.length > 0
        ? { rolloutId: seen.rolloutId, from: 'offered', to: 'failed', detail: bootDetail(boot) }
        : { rolloutId: seen.rolloutId, from: 'offered', to: 'updated' };
  else if (seen && seen.state === 'updated' && boot.length > 0)
    outcome = { rolloutId: seen.rolloutId, from: 'updated', to: 'failed', detail: bootDetail(boot) };
  const offer = target && target.buildId !== osBuild && seen?.rolloutId !== target.rolloutId ? target : null;
  return { outcome, offer };
}

export const isNothing = (s: OsUpdateStep): boolean => s.outcome === null && s.offer === null;

function bootDetail(reasons: readonly ComplianceReason[]): string {
  return `non-compliant after the update: ${reasons.join(', ')}`;
}

/** The idempotency key of a rollout's update_os command: one per device and rollout. */
export const rolloutCommandKey = (rolloutId: string): string => `os-rollout:${rolloutId}`;

/** The rollout an update_os command was queued for, from its idempotency key (null: an operator's own). */
export function rolloutOfCommandKey(key: string): string | null {
  return key.startsWith('os-rollout:') ? key.slice('os-rollout:'.length) || null : null;
}
