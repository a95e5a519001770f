import { type Logger } from '@pakawaaz/platform';
import { PublishingRepository, type AppRow, type VersionRow } from '../publishing/publishing.repository.js';
import { type AppFleet, type FleetCommand } from './app-fleet.js';
import { installKeyPrefix, runsVersion, uninstallKey } from './app-rollout-rules.js';
import { AppRolloutsRepository } from './app-rollouts.repository.js';
import { walkDevices } from './fleet-walk.js';
import { ENGINE_ACTOR, queueCommands, type Actor } from './rollout-pass.js';

/**
 * The devices that may run a version without reporting it yet: a handset executes an install at one
 * check-in and reports its apps at the next, its command meanwhile delivered (or succeeded).
 */
export async function installedOrInstalling(fleet: AppFleet, versionId: string): Promise<Set<string>> {
  return new Set(
    (await fleet.outcomes(installKeyPrefix(versionId)))
      .filter((o) => o.state === 'delivered' || o.state === 'succeeded')
      .map((o) => o.deviceId),
  );
}

/**
 * Queues the uninstall of a killed version on the institution's handsets after `after` (at most `limit`) that
 * report exactly that version or are in `mayRun`: one that did not install it fails the command harmlessly
 * (it names the versionCode). Keyed per version and device: a repeat queues nothing twice.
 */
export async function uninstall(
  fleet: AppFleet,
  app: AppRow,
  version: VersionRow,
  institutionId: string,
  after: string | undefined,
  limit: number,
  mayRun: ReadonlySet<string>,
  actor: Actor,
): Promise<{ queued: number; last: string | undefined; end: boolean }> {
  const commands: FleetCommand[] = [];
  const walked = await walkDevices(fleet, institutionId, after, limit, (d) => {
    if (mayRun.has(d.id) || runsVersion(d, app.packageName, version.versionCode))
      commands.push({
        deviceId: d.id,
        type: 'uninstall_app',
        params: { package: app.packageName, versionCode: version.versionCode },
        key: uninstallKey(version.id, d.id),
      });
  });
  return { ...walked, queued: await queueCommands(fleet, commands, actor) };
}

/**
 * The engine's sweep of killed versions. Each version's walk of an institution resumes where the last pass
 * stopped: its cursor is kept in this node's memory.
 */
export class KillSweep {
  /** Where each killed version's sweep of an institution stopped (`versionId:institutionId`), on this node. */
  private readonly cursors = new Map<string, string>();

  constructor(
    private readonly repo: AppRolloutsRepository,
    private readonly publishing: PublishingRepository,
    private readonly logger?: Logger,
  ) {}

  /**
   * Every version killed since `since` (the engine passes KILL_SWEEP_MS ago) is uninstalled again from the
   * handsets that report it (or acknowledged its install) since the kill: the kill itself only reached those
   * that had reported it then. Over at most `limit` devices per version and institution.
   */
  async sweep(fleet: AppFleet, since: Date, limit: number): Promise<number> {
    let added = 0;
    for (const { versionId } of await this.repo.killedSince(since)) {
      try {
        const version = await this.publishing.version(versionId);
        const app = version && (await this.publishing.app(version.appId));
        if (!version || !app) continue;
        const mayRun = await installedOrInstalling(fleet, versionId);
        for (const institutionId of await this.repo.institutionsOffering(app.id)) {
          const at = `${versionId}:${institutionId}`;
          const from = this.cursors.get(at);
          const walked = await uninstall(
            fleet,
            app,
            version,
            institutionId,
            from,
            limit,
            mayRun,
            ENGINE_ACTOR,
          );
          if (walked.end || walked.last === undefined) this.cursors.delete(at);
          else this.cursors.set(at, walked.last);
          added += walked.queued;
        }
      } catch (err) {
        this.logger?.error({ err, versionId }, 'uninstalling a killed app version failed');
      }
    }
    if (added > 0) this.logger?.warn({ commands: added }, 'killed app version: more uninstalls queued');
    return added;
  }
}
