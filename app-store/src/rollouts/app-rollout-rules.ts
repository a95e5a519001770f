import { createHash } from 'node:crypto';
import type { FleetCommandOutcome, FleetDevice } from './app-fleet.js';

export const APP_ROLLOUT_STATES = ['running', 'paused', 'halted', 'completed'] as const;
export type AppRolloutState = (typeof APP_ROLLOUT_STATES)[number];
/** States that hold an (app, institution): one of them at a time, and it governs that app's installs there. */
export const ACTIVE_APP_ROLLOUT_STATES: readonly AppRolloutState[] = ['running', 'paused'];

export const DEFAULT_APP_FAILURE_THRESHOLD = 0.05;
export const DEFAULT_APP_MIN_DEVICES = 5;

/**
 * Idempotency keys of the fleet commands (at most 200 characters, `app:` first: the port's rule). Every install
 * of a version is under `installKeyPrefix` (what the kill switch cancels). A rollout's carry its id, so that
 * halting it cancels its installs and no other institution's rollout of a vendor's version, and so that a
 * later rollout of the same version is not blocked by the commands the halt cancelled (a key stays taken once
 * used). The mandatory rule's carry no rollout: one per version and device.
 */
export const installKeyPrefix = (versionId: string): string => `app:install:${versionId}:`;
export const rolloutInstallPrefix = (versionId: string, rolloutId: string): string =>
  `${installKeyPrefix(versionId)}${rolloutId}:`;
export const installKey = (versionId: string, rolloutId: string, deviceId: string): string =>
  `${rolloutInstallPrefix(versionId, rolloutId)}${deviceId}`;
export const mandatoryInstallKey = (versionId: string, deviceId: string): string =>
  `${installKeyPrefix(versionId)}${deviceId}`;
export const uninstallKey = (versionId: string, deviceId: string): string =>
  `app:uninstall:${versionId}:${deviceId}`;

/**
 * A device's place in [0, 10000): the first 4 bytes of SHA-256(appId:deviceId), big-endian, mod 10000. Keyed
 * by the app, not the rollout or version: the same devices go first for each version of an app (a next
 * version reaches the handsets that proved the last one), and widening a rollout keeps every device it held.
 */
export function appBucket(appId: string, deviceId: string): number {
  return createHash('sha256').update(`${appId}:${deviceId}`).digest().readUInt32BE(0) % 10_000;
}

/** Whether the device is among the first `percent` (1..100) of the app's devices. */
export function inRollout(appId: string, deviceId: string, percent: number): boolean {
  return appBucket(appId, deviceId) < percent * 100;
}

/** Whether the device still needs the version: it reports no such package, or an older versionCode. */
export function needsInstall(device: Pick<FleetDevice, 'apps'>, pkg: string, versionCode: number): boolean {
  return !device.apps.some((a) => a.package === pkg && a.versionCode >= versionCode);
}

/** Whether the device reports exactly this version (what the kill switch uninstalls). */
export function runsVersion(device: Pick<FleetDevice, 'apps'>, pkg: string, versionCode: number): boolean {
  return device.apps.some((a) => a.package === pkg && a.versionCode === versionCode);
}

/**
 * Command states that weigh a device as attempted: the handset answered. An expired one is not among them: the
 * handset never took the version, which says nothing of it (and would dilute the rate), nor a cancelled one:
 * the store (a halt, the kill switch) or an operator withdrew it before the handset took it.
 */
const FINAL_STATES: ReadonlySet<FleetCommandOutcome['state']> = new Set(['succeeded', 'failed']);

export type AppRolloutFigures = {
  /** Devices that have the version's install command (queued or later). */
  readonly queued: number;
  /** Devices reporting the version (or whose install command succeeded). */
  readonly installed: number;
  /** Install commands the handset reported failed. */
  readonly failed: number;
  /** Devices reporting crashes of this version. */
  readonly crashing: number;
  /** Devices that installed the version and whose attestation then failed. */
  readonly attestationFailures: number;
  /** Devices weighed: an answered install command, or given one and reporting the version. */
  readonly attempted: number;
  /** Failed installs + crashing + attestation failures (a device counted once). */
  readonly failures: number;
  /** failures / attempted (0 before any attempt). */
  readonly failureRate: number;
};

/**
 * Weighs a version on the devices of one institution that the store gave an install command of it (`outcomes`,
 * any key: a rollout's or the mandatory rule's; a cancelled one is no command). A handset's report is its own
 * word: one the store never installed the version on (installed by hand, or not at all) could halt any rollout
 * by reporting crashes of it, so it is not weighed. A device counts once: it failed when its install command
 * failed, or it reports crashes of this version, or it installed the version and its attestation then failed
 * (a version that breaks the handset's integrity is as bad as one that crashes). Expired and cancelled
 * commands are not attempted (the handset never took the version).
 */
export function weighVersion(
  pkg: string,
  versionCode: number,
  outcomes: readonly Pick<FleetCommandOutcome, 'deviceId' | 'state'>[],
  devices: readonly FleetDevice[],
): AppRolloutFigures {
  const byDevice = new Map(outcomes.map((o) => [o.deviceId, o.state]));
  const attempted = new Set<string>();
  const failing = new Set<string>();
  let installed = 0;
  let failed = 0;
  let crashing = 0;
  let attestationFailures = 0;
  for (const [deviceId, state] of byDevice) {
    if (FINAL_STATES.has(state)) attempted.add(deviceId);
    if (state === 'failed') {
      failed += 1;
      failing.add(deviceId);
    }
  }
  for (const d of devices) {
    const state = byDevice.get(d.id);
    if (state === undefined || state === 'cancelled') continue;
    const app = d.apps.find((a) => a.package === pkg && a.versionCode === versionCode);
    const took = app !== undefined || state === 'succeeded';
    if (!took) continue;
    installed += 1;
    attempted.add(d.id);
    if (app && app.crashes > 0) {
      crashing += 1;
      failing.add(d.id);
    }
    if (d.attestationFailed) {
      attestationFailures += 1;
      failing.add(d.id);
    }
  }
  return {
    queued: byDevice.size,
    installed,
    failed,
    crashing,
    attestationFailures,
    attempted: attempted.size,
    failures: failing.size,
    failureRate: attempted.size === 0 ? 0 : failing.size / attempted.size,
  };
}

/** A rollout's figures over some of the institution's devices, each device counted in one pass only. */
export type AppRolloutSums = Omit<AppRolloutFigures, 'failureRate'> & {
  /** Devices in the share. */
  readonly targeted: number;
  /** Devices in the share that still lack the version. */
  readonly stillNeeding: number;
};

export const NO_SUMS: AppRolloutSums = {
  targeted: 0,
  stillNeeding: 0,
  queued: 0,
  installed: 0,
  failed: 0,
  crashing: 0,
  attestationFailures: 0,
  attempted: 0,
  failures: 0,
};

/**
 * One device's part of a rollout's figures: what weighVersion counts for it, from its report and its install
 * command's state (undefined: none). Only a device in the share that the store gave an install command of the
 * version (`state`, this rollout's, or `commanded`: under another key, e.g. the mandatory rule's or an earlier
 * rollout's; cancelled ones are none) is weighed on its report. Every figure counts devices, so the figures of
 * an institution are the sum of its devices' parts, whichever passes they were read in.
 */
export function deviceSums(
  pkg: string,
  versionCode: number,
  device: FleetDevice,
  state: FleetCommandOutcome['state'] | undefined,
  inShare: boolean,
  commanded = false,
): AppRolloutSums {
  const weighed = inShare && (commanded || (state !== undefined && state !== 'cancelled'));
  const app = device.apps.find((a) => a.package === pkg && a.versionCode === versionCode);
  const took = weighed && (app !== undefined || state === 'succeeded');
  const crashing = took && app !== undefined && app.crashes > 0;
  const attestation = took && device.attestationFailed;
  const failed = state === 'failed';
  const n = (b: boolean) => (b ? 1 : 0);
  return {
    targeted: n(inShare),
    stillNeeding: n(inShare && needsInstall(device, pkg, versionCode)),
    queued: n(state !== undefined),
    installed: n(took),
    failed: n(failed),
    crashing: n(crashing),
    attestationFailures: n(attestation),
    attempted: n(took || (state !== undefined && FINAL_STATES.has(state))),
    failures: n(failed || crashing || attestation),
  };
}

export function addSums(a: AppRolloutSums, b: AppRolloutSums): AppRolloutSums {
  const out = { ...a };
  for (const k of Object.keys(NO_SUMS) as (keyof AppRolloutSums)[]) out[k] = a[k] + b[k];
  return out;
}

export function figuresOf(s: AppRolloutSums): AppRolloutFigures {
  const { targeted: _t, stillNeeding: _s, ...f } = s;
  return { ...f, failureRate: s.attempted === 0 ? 0 : s.failures / s.attempted };
}

/**
 * Why the rollout must halt, in words and figures, or null: at least `minDevices` attempted (fewer prove
 * nothing either way) and a failure rate over the threshold.
 */
export function appAutoHaltReason(
  f: AppRolloutFigures,
  limits: { failureThreshold: number; minDevices: number },
): string | null {
  if (f.attempted < limits.minDevices) return null;
  if (f.failures / f.attempted <= limits.failureThreshold) return null;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return (
    `failure rate ${pct(f.failures / f.attempted)} (${f.failures} of ${f.attempted} devices: ` +
    `${f.failed} failed installs, ${f.crashing} crashing, ${f.attestationFailures} failed attestation) ` +
    `is over the threshold of ${pct(limits.failureThreshold)}`
  );
}

/** Done: at 100 % and no device of the institution still lacks the version. */
export function rolloutComplete(percent: number, stillNeeding: number): boolean {
  return percent === 100 && stillNeeding === 0;
}
