import type { ComplianceReason } from '../compliance/compliance.js';
import type { OsUpdateTarget } from './os-rollouts.js';
import type { OsUpdateState } from './os-updates.schema.js';

/**
 * The device's newest rollout row, as the check-in reads it (null: never offered an update), with the
 * update_os command it was offered with (its state and expiry) and every rollout the device has a row for
 * (newest first, at most ROLLOUTS_SEEN): none of those is offered again.
 */
export type OsUpdateSeen = {
  rolloutId: string;
  buildId: string;
  state: OsUpdateState;
  command?: { id: string; state: string; expiresAt: string } | null;
  rollouts?: readonly string[] | null;
} | null;

/** How many of a device's rollout rows the check-in reads (a device sees a few rollouts a year). */
export const ROLLOUTS_SEEN = 50;

export type OsUpdateOutcome = {
  rolloutId: string;
  from: OsUpdateState;
  to: 'updated' | 'failed';
  detail?: string;
};

/**
 * What a check-in must record: an outcome of the rollout it is in, an offer of a new one, both or neither.
 * `renews`: the offer is of the rollout the device is already offered, whose command (this id) expired
 * unacknowledged — the device is eligible again and gets a new command.
 */
export type OsUpdateStep = {
  outcome: OsUpdateOutcome | null;
  offer: OsUpdateTarget | null;
  renews?: string | undefined;
};

/** Compliance reasons that say the device did not boot our OS properly: an update that leads to them failed. */
export const BOOT_FAILURE_REASONS: readonly ComplianceReason[] = ['BOOT_KEY_COMPROMISED', 'BOOT_STATE'];

export const NOTHING: OsUpdateStep = { outcome: null, offer: null };

/**
 * Pure: from the device's newest rollout row, the release hardened-os wants it on now, the build it reports
 * and its compliance reasons at this check-in, what changes. An offered device that reports the target build
 * has updated — unless it is non-compliant for its boot, then the update failed; an updated device that turns
 * non-compliant for its boot (before an attestation verified it) failed too. A target is offered once per
 * rollout, and never to a device that already runs its build — nor for a rollout the device has a row for
 * (an older completed rollout offered again after a newer one halted: it was offered before, and the check-in
 * must not take the locking path each time to find that out). One exception: an offered device whose
 * command expired without an acknowledgement (the handset was off, or never got it) is offered the same
 * rollout again with a new command — it is back to eligible; its rollout outcome stays "offered" (pending).
 */
export function osUpdateStep(
  seen: OsUpdateSeen,
  target: OsUpdateTarget | null,
  osBuild: string,
  reasons: readonly ComplianceReason[],
  now: Date = new Date(),
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
  if (!target || target.buildId === osBuild) return { outcome, offer: null };
  if (seen?.rolloutId === target.rolloutId) {
    const expired = outcome === null && seen.state === 'offered' && commandExpired(seen.command, now);
    return expired ? { outcome, offer: target, renews: seen.command!.id } : { outcome, offer: null };
  }
  if (seen?.rollouts?.includes(target.rolloutId)) return { outcome, offer: null };
  return { outcome, offer: target };
}

/** States of a command nobody acknowledged: past its expiry it was never carried out. Cancelled is an operator's "no". */
const UNACKNOWLEDGED: ReadonlySet<string> = new Set(['queued', 'delivered', 'expired']);

function commandExpired(command: NonNullable<OsUpdateSeen>['command'], now: Date): boolean {
  return !!command && UNACKNOWLEDGED.has(command.state) && Date.parse(command.expiresAt) <= now.getTime();
}

export const isNothing = (s: OsUpdateStep): boolean => s.outcome === null && s.offer === null;

function bootDetail(reasons: readonly ComplianceReason[]): string {
  return `non-compliant after the update: ${reasons.join(', ')}`;
}

/**
 * The idempotency key of a rollout's update_os command: one per device and rollout, and one more per renewal
 * after an expiry (`@` and the renewal's time: concurrent renewals of one expiry still make one command).
 */
export const rolloutCommandKey = (rolloutId: string, renewedAt?: Date): string =>
  `os-rollout:${rolloutId}${renewedAt ? `@${renewedAt.getTime()}` : ''}`;

/** The rollout an update_os command was queued for, from its idempotency key (null: an operator's own). */
export function rolloutOfCommandKey(key: string): string | null {
  if (!key.startsWith('os-rollout:')) return null;
  return key.slice('os-rollout:'.length).split('@')[0] || null;
}
