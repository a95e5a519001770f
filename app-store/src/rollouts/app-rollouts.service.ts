import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  LOGGER,
  inScope,
  requireRole,
  scopeIds,
  type DatabaseHandle,
  type Db,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { appStoreError } from '../app-store.errors.js';
import { CATALOGUE_TRACKS } from '../catalogue/index.js';
import { isUniqueViolation, PublishingRepository } from '../publishing/publishing.repository.js';
import { ReviewsService } from '../publishing/reviews.service.js';
import type { AppFleet } from './app-fleet.js';
import { AppRolloutEngine } from './app-rollout-engine.service.js';
import {
  ACTIVE_APP_ROLLOUT_STATES,
  DEFAULT_APP_FAILURE_THRESHOLD,
  DEFAULT_APP_MIN_DEVICES,
  installKeyPrefix,
} from './app-rollout-rules.js';
import {
  appRolloutView,
  type AppRolloutHaltInput,
  type AppRolloutInput,
  type AppRolloutListQuery,
  type KillInput,
} from './app-rollouts.dto.js';
import { AppRolloutsRepository, type AppRolloutRow } from './app-rollouts.repository.js';

const actorId = (by: Principal) => `${by.actor.type}:${by.actor.id}`;
const fleetActor = (by: Principal) => ({ id: actorId(by), name: by.name });

/**
 * App rollouts as reviewers steer them, and the kill switch. Reviewers act inside their institution (national
 * ones on any); another institution's rollouts are not said to exist. Every change is audited and followed by a
 * reconciliation of the rollout, so an operator sees its effect without waiting for the next tick.
 */
@Injectable()
export class AppRolloutsService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly repo: AppRolloutsRepository,
    private readonly publishing: PublishingRepository,
    private readonly reviews: ReviewsService,
    private readonly engine: AppRolloutEngine,
    private readonly audit: AuditService,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  async list(q: z.output<typeof AppRolloutListQuery>, by: Principal) {
    requireRole(by, 'app-reviewer');
    if (q.institutionId !== undefined && !inScope(by, q.institutionId))
      throw appStoreError(
        'outside_institution_scope',
        'You may list the rollouts of your own institution only.',
      );
    const rows = await this.repo.list(q.institutionId !== undefined ? [q.institutionId] : scopeIds(by));
    return { rollouts: rows.map((r) => appRolloutView(r)) };
  }

  async get(id: string, by: Principal) {
    requireRole(by, 'app-reviewer');
    const r = await this.found(id, by);
    const pass = await this.engine.figures(r);
    return appRolloutView(r, pass ? { targeted: pass.targeted, ...pass.figures } : null);
  }

  async start(input: z.output<typeof AppRolloutInput>, by: Principal, requestId: string) {
    requireRole(by, 'app-reviewer');
    if (!inScope(by, input.institutionId))
      throw appStoreError('outside_institution_scope', 'You may roll out to your own institution only.');
    this.requireFleet();
    const version = await this.publishing.version(input.versionId);
    const app = version && (await this.publishing.app(version.appId));
    const org = app && (await this.publishing.org(app.orgId));
    // Another institution's version is not said to exist; a vendor's is the national reviewers' to see.
    if (!version || !app || !org || (org.institutionId !== null && !inScope(by, org.institutionId)))
      throw appStoreError('app_version_not_found', 'No version with this id.');
    if (version.state !== 'approved')
      throw appStoreError('version_not_rollable', `This version is ${version.state}, not approved.`);
    if (!(CATALOGUE_TRACKS as readonly string[]).includes(version.track))
      throw appStoreError(
        'version_not_rollable',
        `A ${version.track} version is in no catalogue (pilots are installed by hand).`,
      );
    if (org.institutionId !== null && org.institutionId !== input.institutionId)
      throw appStoreError('version_not_rollable', "This institution's catalogue does not offer this app.");
    const row = await this.database.db
      .transaction(async (tx) => {
        const created = await this.repo.insert(
          {
            id: randomUUID(),
            versionId: version.id,
            appId: app.id,
            institutionId: input.institutionId,
            percent: input.percent,
            state: 'running',
            failureThreshold: input.failureThreshold ?? DEFAULT_APP_FAILURE_THRESHOLD,
            minDevices: input.minDevices ?? DEFAULT_APP_MIN_DEVICES,
            createdById: actorId(by),
            createdByName: by.name,
          },
          tx,
        );
        await this.record(by, 'started', created, { percent: input.percent }, requestId, tx);
        return created;
      })
      .catch((err: unknown) => {
        throw isUniqueViolation(err)
          ? appStoreError(
              'rollout_exists',
              `${app.packageName} has a running or paused rollout in this institution: halt it first.`,
            )
          : err;
      });
    await this.nudge(row);
    return this.get(row.id, by);
  }

  /** Widens the share (never narrows it: a handset that has the version keeps it). */
  async setPercent(id: string, percent: number, by: Principal, requestId: string) {
    requireRole(by, 'app-reviewer');
    const r = await this.found(id, by);
    this.requireFleet();
    if (percent <= r.percent)
      throw appStoreError(
        'percent_not_increasing',
        `The rollout is at ${r.percent}%: a rollout only widens (halt it to stop it).`,
      );
    return this.move(
      r,
      by,
      requestId,
      'widened',
      ACTIVE_APP_ROLLOUT_STATES,
      { percent },
      { from: r.percent, to: percent },
    );
  }

  async pause(id: string, by: Principal, requestId: string) {
    requireRole(by, 'app-reviewer');
    const r = await this.found(id, by);
    return this.move(r, by, requestId, 'paused', ['running'], { state: 'paused' });
  }

  async resume(id: string, by: Principal, requestId: string) {
    requireRole(by, 'app-reviewer');
    const r = await this.found(id, by);
    this.requireFleet();
    return this.move(r, by, requestId, 'resumed', ['paused'], { state: 'running' });
  }

  /**
   * Final: nothing more is installed from it — its installs that have not reached handsets are cancelled
   * (handsets that have the version keep it; see the kill switch).
   */
  async halt(id: string, input: z.output<typeof AppRolloutHaltInput>, by: Principal, requestId: string) {
    requireRole(by, 'app-reviewer');
    await this.found(id, by);
    const row = await this.engine.halt(id, input.reason, ACTIVE_APP_ROLLOUT_STATES, {
      actor: by.actor,
      requestId,
    });
    if (!row) throw this.stateConflict('halted');
    return this.get(id, by);
  }

  /**
   * The kill switch: withdraws the version (the publishing path, so every catalogue drops it), halts its
   * rollouts, and queues its uninstall on every handset reporting exactly that version or whose install of it
   * was delivered or succeeded (it may not have reported it yet), in every institution whose catalogue offered
   * it; its installs not yet on handsets (queued, or delivered and unacknowledged) are
   * cancelled first. Repeating it queues nothing new (the keys) but searches for stragglers again.
   */
  async kill(versionId: string, input: z.output<typeof KillInput>, by: Principal, requestId: string) {
    requireRole(by, 'app-reviewer');
    const version = await this.publishing.version(versionId);
    const app = version && (await this.publishing.app(version.appId));
    const org = app && (await this.publishing.org(app.orgId));
    if (!version || !app || !org || !inScope(by, org.institutionId))
      throw appStoreError('app_version_not_found', 'No version with this id.');
    // Before withdrawing: a kill that cannot uninstall would leave the version on handsets unnoticed.
    const fleet = this.requireFleet();
    if (version.state !== 'withdrawn') await this.reviews.withdraw(versionId, by, requestId);
    // Handsets that may run it without reporting it yet (installed at a check-in, reported at the next): read
    // before the cancel below turns the delivered ones cancelled.
    const mayRun = await this.engine.installedOrInstalling(fleet, versionId);
    // Every install of the version not yet on a handset (any rollout's, any institution's, the mandatory
    // rule's), before the halts: each halt cancels its rollout's again, catching one a tick queued meanwhile.
    // The uninstalls below have keys of their own and are not touched.
    const installsCancelled = await fleet.cancel(
      installKeyPrefix(versionId),
      `version killed: ${input.reason}`,
    );
    const haltedRollouts: string[] = [];
    for (const r of await this.repo.activeOfVersion(versionId)) {
      const halted = await this.engine.halt(r.id, `killed: ${input.reason}`, ACTIVE_APP_ROLLOUT_STATES, {
        actor: by.actor,
        requestId,
      });
      if (halted) haltedRollouts.push(halted.id);
    }
    const institutions = await this.repo.institutionsOffering(app.id);
    let uninstallsQueued = 0;
    for (const institutionId of institutions)
      // Every handset, however many (an operator's act, once): the walk awaits between pages.
      uninstallsQueued += (
        await this.engine.uninstall(
          fleet,
          app,
          version,
          institutionId,
          undefined,
          Infinity,
          mayRun,
          fleetActor(by),
        )
      ).queued;
    // The engine's ticks go on uninstalling it from handsets that report it later (KILL_SWEEP_MS).
    await this.repo.killed(versionId, input.reason);
    await this.audit.record({
      actor: by.actor,
      action: 'app-store.version.killed',
      target: `app:${app.packageName}`,
      details: {
        versionId,
        versionCode: version.versionCode,
        reason: input.reason,
        haltedRollouts,
        institutions,
        installsCancelled,
        uninstallsQueued,
      },
      requestId,
    });
    this.logger?.warn(
      { package: app.packageName, versionCode: version.versionCode, installsCancelled, uninstallsQueued },
      'app version killed',
    );
    return { versionId, haltedRollouts, institutions, installsCancelled, uninstallsQueued };
  }

  private requireFleet(): AppFleet {
    const fleet = this.engine.fleet;
    if (!fleet)
      throw appStoreError(
        'fleet_unavailable',
        'This node has no device fleet bound: nothing can be installed.',
      );
    return fleet;
  }

  private async found(id: string, by: Principal): Promise<AppRolloutRow> {
    const r = await this.repo.get(id);
    if (!r || !inScope(by, r.institutionId))
      throw appStoreError('rollout_not_found', 'No rollout with this id.');
    return r;
  }

  private async move(
    r: AppRolloutRow,
    by: Principal,
    requestId: string,
    what: string,
    from: Parameters<AppRolloutsRepository['transition']>[1],
    set: Parameters<AppRolloutsRepository['transition']>[2],
    extra: Record<string, unknown> = {},
  ) {
    const row = await this.database.db.transaction(async (tx) => {
      // Conditional on the percent read too: two operators widening at once do not both win.
      const moved = await this.repo.transition(r.id, from, set, tx, r.percent);
      if (moved) await this.record(by, what, moved, extra, requestId, tx);
      return moved;
    });
    if (!row) throw this.stateConflict(what);
    await this.nudge(row);
    return this.get(row.id, by);
  }

  /** Reconciles the rollout now; a failure is the next tick's to retry, the operator's change stands. */
  private async nudge(row: AppRolloutRow): Promise<void> {
    try {
      await this.engine.reconcile(row);
    } catch (err) {
      this.logger?.error({ err, rollout: row.id }, 'reconciling an app rollout after a change failed');
    }
  }

  private stateConflict(what: string) {
    return appStoreError(
      'rollout_state_conflict',
      `This rollout cannot be ${what} in its current state (it changed meanwhile, or it is halted or completed).`,
    );
  }

  private record(
    by: Principal,
    what: string,
    r: AppRolloutRow,
    details: Record<string, unknown>,
    requestId: string,
    tx: Db,
  ) {
    return this.audit.record(
      {
        actor: by.actor,
        action: `app-store.rollout.${what}`,
        target: `app-rollout:${r.id}`,
        details: { versionId: r.versionId, institutionId: r.institutionId, percent: r.percent, ...details },
        requestId,
      },
      tx,
    );
  }
}
