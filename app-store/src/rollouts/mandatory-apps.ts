import { AuditService, type DatabaseHandle, type Logger } from '@pakawaaz/platform';
import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type AppRow, type VersionRow } from '../publishing/publishing.repository.js';
import { type AppFleet, type FleetCommand } from './app-fleet.js';
import {
  DEFAULT_APP_FAILURE_THRESHOLD,
  DEFAULT_APP_MIN_DEVICES,
  mandatoryInstallKey,
  needsInstall,
} from './app-rollout-rules.js';
import { AppRolloutsRepository, type AppRolloutRow } from './app-rollouts.repository.js';
import { walkDevices } from './fleet-walk.js';
import { ENGINE_ACTOR, installCommand, queueCommands, SYSTEM, type RolloutPass } from './rollout-pass.js';

/**
 * The mandatory-app rule of the engine. Each app's walk of an institution resumes where the last pass
 * stopped: its cursor is kept in this node's memory. `reconcile` is the engine's first pass of a rollout the
 * rule starts.
 */
export class MandatoryApps {
  /** Where each mandatory app's walk of an institution stopped (`appId:institutionId`), on this node. */
  private readonly cursors = new Map<string, string>();

  constructor(
    private readonly database: DatabaseHandle,
    private readonly repo: AppRolloutsRepository,
    private readonly audit: AuditService,
    private readonly reconcile: (r: AppRolloutRow) => Promise<RolloutPass | undefined>,
    private readonly logger?: Logger,
  ) {}

  /**
   * Mandatory apps: the newest approved stable version goes to every handset of each institution that offers
   * it and lacks it — first through a rollout at 100 % the system starts (so that the automatic halt weighs
   * it), then, once that completed, by this rule to handsets enrolled since — unless a running or paused rollout of the app there governs the share, or that version
   * was halted there (an operator, or the automatic halt, stopped it: the mandatory rule does not override).
   * Its install key is one per version and device (no rollout): a rollout does not queue a device that has
   * one open, and a version the rule installed is no longer lacking. Over at most `limit` devices per app and
   * institution.
   */
  async push(fleet: AppFleet, limit: number): Promise<number> {
    let added = 0;
    for (const { app, version } of await this.repo.mandatoryTargets()) {
      for (const institutionId of await this.repo.institutionsOffering(app.id)) {
        const rollouts = await this.repo.ofApp(app.id, institutionId);
        const governed = rollouts.some(
          (r) =>
            r.state === 'running' ||
            r.state === 'paused' ||
            (r.versionId === version.id && r.state === 'halted'),
        );
        if (governed) continue;
        // Never pushed there yet: through a rollout at 100 % of the system's, weighed (and halted if failing)
        // as any rollout; once it completed, the rule itself reaches the handsets enrolled since.
        if (!rollouts.some((r) => r.versionId === version.id)) {
          try {
            added += (await this.start(app, version, institutionId))?.queuedNow ?? 0;
          } catch (err) {
            this.logger?.error(
              { err, package: app.packageName, institutionId },
              'starting a mandatory app’s rollout failed',
            );
          }
          continue;
        }
        const commands: FleetCommand[] = [];
        const at = `${app.id}:${institutionId}`;
        const walked = await walkDevices(fleet, institutionId, this.cursors.get(at), limit, (d) => {
          if (needsInstall(d, app.packageName, version.versionCode))
            commands.push(installCommand(app, version, mandatoryInstallKey(version.id, d.id), d.id));
        });
        if (walked.end || walked.last === undefined) this.cursors.delete(at);
        else this.cursors.set(at, walked.last);
        try {
          added += await queueCommands(fleet, commands, ENGINE_ACTOR);
        } catch (err) {
          this.logger?.error(
            { err, package: app.packageName, institutionId },
            'queueing a mandatory app failed',
          );
        }
      }
    }
    if (added > 0) this.logger?.info({ commands: added }, 'mandatory app installs queued');
    return added;
  }

  /**
   * The rollout that pushes a mandatory version to an institution: at 100 %, created by the system (listed,
   * and haltable by reviewers, as any), audited. Undefined when one of the app is active there already (an
   * operator or another node came first).
   */
  private async start(
    app: AppRow,
    version: VersionRow,
    institutionId: string,
  ): Promise<RolloutPass | undefined> {
    const row = await this.database.db
      .transaction(async (tx) => {
        const created = await this.repo.insert(
          {
            id: randomUUID(),
            versionId: version.id,
            appId: app.id,
            institutionId,
            percent: 100,
            state: 'running',
            failureThreshold: DEFAULT_APP_FAILURE_THRESHOLD,
            minDevices: DEFAULT_APP_MIN_DEVICES,
            createdById: ENGINE_ACTOR.id,
            createdByName: ENGINE_ACTOR.name,
          },
          tx,
        );
        await this.audit.record(
          {
            actor: SYSTEM,
            action: 'app-store.rollout.started',
            target: `app-rollout:${created.id}`,
            details: { versionId: version.id, institutionId, percent: 100, mandatory: true },
          },
          tx,
        );
        return created;
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) return undefined;
        throw err;
      });
    return row && this.reconcile(row);
  }
}
