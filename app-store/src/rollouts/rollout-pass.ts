import { type AppRow, type VersionRow } from '../publishing/publishing.repository.js';
import { FLEET_PAGE, type AppFleet, type FleetCommand, type FleetCommandOutcome } from './app-fleet.js';
import {
  addSums,
  deviceSums,
  inRollout,
  installKey,
  installKeyPrefix,
  needsInstall,
  NO_SUMS,
  rolloutInstallPrefix,
  type AppRolloutFigures,
  type AppRolloutSums,
} from './app-rollout-rules.js';
import { type AppRolloutRow } from './app-rollouts.repository.js';
import { walkDevices, type WalkEnd } from './fleet-walk.js';

export type RolloutPass = {
  readonly targeted: number;
  /** Devices targeted that still lack the version. */
  readonly stillNeeding: number;
  readonly figures: AppRolloutFigures;
  readonly queuedNow: number;
};

export type Actor = { id: string; name: string };
export const ENGINE_ACTOR: Actor = { id: 'system:app-store', name: 'app store rollouts' };
export const SYSTEM = { type: 'system', id: 'app-store' } as const;

/** Queues in chunks of FLEET_PAGE; returns how many commands were new. */
export async function queueCommands(
  fleet: AppFleet,
  commands: readonly FleetCommand[],
  actor: Actor,
): Promise<number> {
  let added = 0;
  for (let i = 0; i < commands.length; i += FLEET_PAGE)
    added += await fleet.queue(commands.slice(i, i + FLEET_PAGE), actor);
  return added;
}

/**
 * One pass over the institution's handsets after `after` (at most `limit`): which are in the share, which of
 * those lack the version (and have no install command of this rollout, nor an open one under another key, e.g.
 * the mandatory rule's), and each one's part of the figures.
 */
export async function survey(
  fleet: AppFleet,
  app: AppRow,
  version: VersionRow,
  r: AppRolloutRow,
  after: string | undefined,
  queueing: boolean,
  limit: number,
): Promise<WalkEnd & { sums: AppRolloutSums; commands: FleetCommand[] }> {
  const mine = rolloutInstallPrefix(version.id, r.id);
  const state = new Map<string, FleetCommandOutcome['state']>();
  const openElsewhere = new Set<string>();
  // Given an install of the version under any key (not cancelled): only these are weighed on their reports.
  const commanded = new Set<string>();
  for (const o of await fleet.outcomes(installKeyPrefix(version.id))) {
    if (o.state !== 'cancelled') commanded.add(o.deviceId);
    if (o.key.startsWith(mine)) state.set(o.deviceId, o.state);
    else if (o.state === 'queued' || o.state === 'delivered') openElsewhere.add(o.deviceId);
  }
  const commands: FleetCommand[] = [];
  let sums: AppRolloutSums = NO_SUMS;
  const walked = await walkDevices(fleet, r.institutionId, after, limit, (d) => {
    const inShare = inRollout(app.id, d.id, r.percent);
    const lacking = inShare && needsInstall(d, app.packageName, version.versionCode);
    const queue = queueing && lacking && !state.has(d.id) && !openElsewhere.has(d.id);
    if (queue) commands.push(installCommand(app, version, installKey(version.id, r.id, d.id), d.id));
    // Counted as queued now: the cycle's figures are kept, and must not miss this pass's commands.
    const part = deviceSums(
      app.packageName,
      version.versionCode,
      d,
      queue ? 'queued' : state.get(d.id),
      inShare,
      commanded.has(d.id),
    );
    sums = addSums(sums, part);
  });
  return { ...walked, sums, commands };
}

export function installCommand(
  app: AppRow,
  version: VersionRow,
  key: string,
  deviceId: string,
): FleetCommand {
  return {
    deviceId,
    type: 'install_app',
    params: { package: app.packageName, versionCode: version.versionCode, apkSha256: version.apkSha256 },
    key,
  };
}
