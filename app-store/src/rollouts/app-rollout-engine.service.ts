import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AuditService, DATABASE, LOGGER, type DatabaseHandle, type Logger } from '@pakawaaz/platform';
import { randomUUID } from 'node:crypto';
import {
  isUniqueViolation,
  PublishingRepository,
  type AppRow,
  type VersionRow,
} from '../publishing/publishing.repository.js';
import {
  APP_FLEET,
  FLEET_PAGE,
  type AppFleet,
  type FleetCommand,
  type FleetCommandOutcome,
} from './app-fleet.js';
import {
  addSums,
  appAutoHaltReason,
  DEFAULT_APP_FAILURE_THRESHOLD,
  DEFAULT_APP_MIN_DEVICES,
  deviceSums,
  figuresOf,
  inRollout,
  installKey,
  installKeyPrefix,
  mandatoryInstallKey,
  needsInstall,
  NO_SUMS,
  rolloutComplete,
  rolloutInstallPrefix,
  runsVersion,
  uninstallKey,
  type AppRolloutFigures,
  type AppRolloutState,
  type AppRolloutSums,
} from './app-rollout-rules.js';
import { AppRolloutsRepository, type AppRolloutRow } from './app-rollouts.repository.js';
import { walkDevices } from './fleet-walk.js';

/** How often the engine reconciles (installs take minutes: a handset acts at its next check-in). */
export const APP_TICK_MS = 30_000;
/**
 * Most devices one rollout, or one mandatory app in one institution, is reconciled over per pass, so that no
 * tick holds a node for long. A larger institution is walked over several ticks: each pass resumes where the
 * last stopped (a rollout's cursor is in its row, a mandatory app's in this node's memory) and the walk starts
 * again at the first device once it reached the last, so every handset is reached.
 */
export const MAX_DEVICES_PER_PASS = 50 * FLEET_PAGE;
/**
 * How long after a kill the engine keeps uninstalling the version from handsets that report it since: as long
 * as an install of it delivered before the kill could still be acknowledged (device-mgmt's commands expire
 * after 7 days), and a handset that installed it reports it at its next check-in.
 */
export const KILL_SWEEP_MS = 7 * 24 * 3_600_000;
/**
 * How long a completed rollout is still weighed (and halted if failing): a 100 % rollout completes as soon as
 * every handset installed the version, before their crash reports come at the next check-ins.
 */
export const SOAK_MS = 7 * 24 * 3_600_000;
const SYSTEM = { type: 'system', id: 'app-store' } as const;
/** States the automatic halt weighs: handsets it reached before a pause still report crashes. */
const WEIGHED: readonly AppRolloutState[] = ['running', 'paused'];
/** What the automatic halt may halt: a completed rollout too, while it soaks. */
const HALTABLE: readonly AppRolloutState[] = [...WEIGHED, 'completed'];

export type RolloutPass = {
  readonly targeted: number;
  /** Devices targeted that still lack the version. */
  readonly stillNeeding: number;
  readonly figures: AppRolloutFigures;
  readonly queuedNow: number;
};

type Actor = { id: string; name: string };
const ENGINE_ACTOR: Actor = { id: 'system:app-store', name: 'app store rollouts' };

/**
 * What moves app rollouts without an operator: every tick (and right after an operator's action) each
 * running rollout queues the install on its share of the institution's handsets that lack the version, is
 * weighed on what those handsets report, and is halted automatically over its failure threshold or completed
 * at 100 %. Mandatory apps go to every handset of their institutions. Changes to a rollout are conditional
 * updates, so two nodes never both make one; queued commands are idempotent by key, so two nodes queueing the
 * same install make one command.
 */
@Injectable()
export class AppRolloutEngine implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;
  /** Devices one pass reaches at most (a test lowers it to walk an institution over several ticks). */
  maxDevicesPerPass = MAX_DEVICES_PER_PASS;
  /** Where each mandatory app's walk of an institution stopped (`appId:institutionId`), on this node. */
  private readonly mandatoryCursors = new Map<string, string>();
  /** Where each killed version's sweep of an institution stopped (`versionId:institutionId`), on this node. */
  private readonly killCursors = new Map<string, string>();
  /** The clock of the kill sweep (a test moves it on). */
  now: () => number = Date.now;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly repo: AppRolloutsRepository,
    private readonly publishing: PublishingRepository,
    private readonly audit: AuditService,
    // Bound by the composition root to device-mgmt; without it nothing is installed (rollouts refuse to start).
    @Optional() @Inject(APP_FLEET) readonly fleet?: AppFleet,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.fleet) return;
    this.timer = setInterval(() => void this.tickQuietly(), APP_TICK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs a tick unless one runs on this node already (an operator's action nudges it). */
  async tickQuietly(): Promise<void> {
    if (this.running) return;
    this.running = this.tick().catch((err: unknown) =>
      this.logger?.error({ err }, 'app rollout tick failed'),
    );
    await this.running;
    this.running = null;
  }

  /**
   * One reconciliation of every running or paused rollout and of those completed in the last SOAK_MS (weighed
   * only: halted if failing, which cancels their open installs and stops the mandatory rule pushing the
   * version), the cancel of what halted ones left queued (a halt on a node without a fleet, or whose cancel
   * failed), the sweep of recently killed versions, then every mandatory app.
   */
  async tick(): Promise<void> {
    if (!this.fleet) return;
    const soaking = await this.repo.completedSince(new Date(this.now() - SOAK_MS));
    for (const r of [...(await this.repo.inStates(WEIGHED)), ...soaking]) {
      try {
        await this.reconcile(r);
      } catch (err) {
        this.logger?.error({ err, rollout: r.id }, 'reconciling an app rollout failed');
      }
    }
    for (const r of await this.repo.haltedToCancel()) await this.cancelInstalls(r);
    await this.sweepKilled();
    await this.mandatory();
  }

  /**
   * The devices that may run a version without reporting it yet: a handset executes an install at one
   * check-in and reports its apps at the next, its command meanwhile delivered (or succeeded).
   */
  async installedOrInstalling(fleet: AppFleet, versionId: string): Promise<Set<string>> {
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
  async uninstall(
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
    return { ...walked, queued: await this.queue(fleet, commands, actor) };
  }

  /**
   * Every version killed in the last KILL_SWEEP_MS is uninstalled again from the handsets that report it (or
   * acknowledged its install) since the kill: the kill itself only reached those that had reported it then.
   */
  async sweepKilled(): Promise<number> {
    const fleet = this.fleet;
    if (!fleet) return 0;
    let added = 0;
    for (const { versionId } of await this.repo.killedSince(new Date(this.now() - KILL_SWEEP_MS))) {
      try {
        const version = await this.publishing.version(versionId);
        const app = version && (await this.publishing.app(version.appId));
        if (!version || !app) continue;
        const mayRun = await this.installedOrInstalling(fleet, versionId);
        for (const institutionId of await this.repo.institutionsOffering(app.id)) {
          const at = `${versionId}:${institutionId}`;
          const from = this.killCursors.get(at);
          const walked = await this.uninstall(
            fleet,
            app,
            version,
            institutionId,
            from,
            this.maxDevicesPerPass,
            mayRun,
            ENGINE_ACTOR,
          );
          if (walked.end || walked.last === undefined) this.killCursors.delete(at);
          else this.killCursors.set(at, walked.last);
          added += walked.queued;
        }
      } catch (err) {
        this.logger?.error({ err, versionId }, 'uninstalling a killed app version failed');
      }
    }
    if (added > 0) this.logger?.warn({ commands: added }, 'killed app version: more uninstalls queued');
    return added;
  }

  /**
   * One pass of a rollout: from its cursor, over at most maxDevicesPerPass devices, queues (while running) the
   * install on those of its share that lack the version, and adds what they report to the figures of the
   * cycle. The rollout is weighed on the figures of the cycle so far (halting it over its threshold: a sample
   * of at least minDevices proves the rate), and completed at the end of a cycle that ran at 100 % throughout
   * and found no device lacking the version.
   */
  async reconcile(r: AppRolloutRow): Promise<RolloutPass | undefined> {
    const fleet = this.fleet;
    if (!fleet) return undefined;
    const version = await this.publishing.version(r.versionId);
    const app = version && (await this.publishing.app(version.appId));
    if (!version || !app) return undefined;
    // Withdrawn without a kill: its installs would only fail (the catalogues dropped it) and skew the figures.
    if (version.state !== 'approved') {
      if (r.state !== 'completed') await this.halt(r.id, `version ${version.state}`, WEIGHED, null);
      return undefined;
    }
    const pass = await this.survey(fleet, app, version, r, r.cursor ?? undefined, r.state === 'running');
    const cycle = r.cursor !== null && r.sweep?.partial ? addSums(r.sweep.partial, pass.sums) : pass.sums;
    const cyclePercent = r.cursor !== null && r.sweep ? Math.min(r.sweep.percent, r.percent) : r.percent;
    const out = { targeted: cycle.targeted, stillNeeding: cycle.stillNeeding, figures: figuresOf(cycle) };
    const reason = appAutoHaltReason(out.figures, r);
    if (reason) {
      await this.halt(r.id, reason, HALTABLE, null, out.figures);
      return { ...out, queuedNow: 0 };
    }
    const queuedNow = r.state === 'running' ? await this.queueWhileRunning(fleet, r, pass.commands) : 0;
    // An institution one pass covers keeps no cursor: nothing to write.
    const moved =
      pass.end && r.cursor === null && r.sweep === null
        ? true
        : await this.repo.advance(
            r.id,
            r.cursor,
            pass.end ? null : (pass.last ?? null),
            pass.end
              ? { partial: null, percent: r.percent, last: cycle }
              : { partial: cycle, percent: cyclePercent, last: r.sweep?.last ?? null },
          );
    if (moved && pass.end && r.state === 'running' && cyclePercent === 100)
      if (rolloutComplete(r.percent, cycle.stillNeeding)) await this.complete(r, app, version);
    return { ...out, queuedNow };
  }

  private async complete(r: AppRolloutRow, app: AppRow, version: VersionRow): Promise<void> {
    const done = await this.repo.transition(r.id, ['running'], {
      state: 'completed',
      completedAt: new Date(this.now()),
    });
    if (done)
      await this.audit.record({
        actor: SYSTEM,
        action: 'app-store.rollout.completed',
        target: `app-rollout:${r.id}`,
        details: {
          package: app.packageName,
          versionCode: version.versionCode,
          institutionId: r.institutionId,
        },
      });
  }

  /**
   * The figures of a rollout, without queueing anything (what an operator's `get` shows): weighed now when one
   * pass covers the institution; else those the engine summed over its last whole cycle (or its cycle so far),
   * which spares each read a pass over 50,000 handsets.
   */
  async figures(r: AppRolloutRow): Promise<Omit<RolloutPass, 'queuedNow'> | undefined> {
    const fleet = this.fleet;
    const version = await this.publishing.version(r.versionId);
    const app = version && (await this.publishing.app(version.appId));
    if (!fleet || !version || !app) return undefined;
    const stored = r.sweep?.last ?? r.sweep?.partial;
    const sums = stored ?? (await this.survey(fleet, app, version, r, undefined, false)).sums;
    return { targeted: sums.targeted, stillNeeding: sums.stillNeeding, figures: figuresOf(sums) };
  }

  /**
   * One pass over the institution's handsets after `after`: which are in the share, which of those lack the
   * version (and have no install command of this rollout, nor an open one under another key, e.g. the
   * mandatory rule's), and each one's part of the figures.
   */
  private async survey(
    fleet: AppFleet,
    app: AppRow,
    version: VersionRow,
    r: AppRolloutRow,
    after: string | undefined,
    queueing: boolean,
  ) {
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
    const walked = await walkDevices(fleet, r.institutionId, after, this.maxDevicesPerPass, (d) => {
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

  /**
   * Queues a rollout's installs only if it is still running: `r` was read at the start of the pass, and an
   * operator (or another node's engine) may have paused or halted it since. Checked again after queueing: a
   * halt that landed between the check and the queue may have cancelled before these were queued, so they are
   * cancelled here (a halt after this second read cancels them itself).
   */
  private async queueWhileRunning(
    fleet: AppFleet,
    r: AppRolloutRow,
    commands: readonly FleetCommand[],
  ): Promise<number> {
    if (commands.length === 0) return 0;
    const before = await this.repo.get(r.id);
    if (before?.state !== 'running' || before.percent < r.percent) return 0;
    const added = await this.queue(fleet, commands, ENGINE_ACTOR);
    const after = await this.repo.get(r.id);
    if (after?.state === 'halted') await this.cancelInstalls(after);
    return added;
  }

  /** Queues in chunks of FLEET_PAGE; returns how many commands were new. */
  async queue(fleet: AppFleet, commands: readonly FleetCommand[], actor: Actor): Promise<number> {
    let added = 0;
    for (let i = 0; i < commands.length; i += FLEET_PAGE)
      added += await fleet.queue(commands.slice(i, i + FLEET_PAGE), actor);
    return added;
  }

  /**
   * Mandatory apps: the newest approved stable version goes to every handset of each institution that offers
   * it and lacks it — first through a rollout at 100 % the system starts (so that the automatic halt weighs
   * it), then, once that completed, by this rule to handsets enrolled since — unless a running or paused rollout of the app there governs the share, or that version
   * was halted there (an operator, or the automatic halt, stopped it: the mandatory rule does not override).
   * Its install key is one per version and device (no rollout): a rollout does not queue a device that has
   * one open, and a version the rule installed is no longer lacking.
   */
  async mandatory(): Promise<number> {
    const fleet = this.fleet;
    if (!fleet) return 0;
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
            added += (await this.startMandatory(app, version, institutionId))?.queuedNow ?? 0;
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
        const walked = await walkDevices(
          fleet,
          institutionId,
          this.mandatoryCursors.get(at),
          this.maxDevicesPerPass,
          (d) => {
            if (needsInstall(d, app.packageName, version.versionCode))
              commands.push(installCommand(app, version, mandatoryInstallKey(version.id, d.id), d.id));
          },
        );
        if (walked.end || walked.last === undefined) this.mandatoryCursors.delete(at);
        else this.mandatoryCursors.set(at, walked.last);
        try {
          added += await this.queue(fleet, commands, ENGINE_ACTOR);
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
  private async startMandatory(
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

  /**
   * Halts a rollout still in one of `from` (audited). `by` null: the automatic halt, which is also logged as
   * an error so that the NOC sees it. Undefined when it was not in `from` any more.
   */
  async halt(
    id: string,
    reason: string,
    from: readonly AppRolloutState[],
    by: { actor: Parameters<AuditService['record']>[0]['actor']; requestId: string } | null,
    figures?: AppRolloutFigures,
  ): Promise<AppRolloutRow | undefined> {
    const row = await this.database.db.transaction(async (tx) => {
      const halted = await this.repo.transition(id, from, { state: 'halted', haltReason: reason }, tx);
      if (halted)
        await this.audit.record(
          {
            actor: by?.actor ?? SYSTEM,
            action: 'app-store.rollout.halted',
            target: `app-rollout:${id}`,
            details: {
              versionId: halted.versionId,
              institutionId: halted.institutionId,
              reason,
              automatic: by === null,
              ...(figures ? { figures } : {}),
            },
            ...(by ? { requestId: by.requestId } : {}),
          },
          tx,
        );
      return halted;
    });
    if (row && by === null)
      this.logger?.error(
        { rollout: id, versionId: row.versionId, institutionId: row.institutionId, reason },
        'app rollout halted automatically',
      );
    if (row) await this.cancelInstalls(row);
    return row;
  }

  /**
   * Cancels a halted rollout's installs that have not reached handsets (the fleet's `cancel`: queued, and
   * delivered but unacknowledged), and notes it on the row. Without a fleet, or when the fleet fails, the halt
   * stands and a later tick on a node with a fleet cancels them. Handsets keep what they installed.
   */
  async cancelInstalls(r: AppRolloutRow): Promise<number> {
    if (!this.fleet) return 0;
    try {
      const cancelled = await this.fleet.cancel(
        rolloutInstallPrefix(r.versionId, r.id),
        `rollout halted: ${r.haltReason ?? ''}`.slice(0, 1_000),
      );
      await this.repo.installsCancelled(r.id);
      if (cancelled > 0)
        this.logger?.info(
          { rollout: r.id, commands: cancelled },
          'halted app rollout: queued installs cancelled',
        );
      return cancelled;
    } catch (err) {
      this.logger?.error({ err, rollout: r.id }, 'cancelling a halted app rollout’s installs failed');
      return 0;
    }
  }
}

function installCommand(app: AppRow, version: VersionRow, key: string, deviceId: string): FleetCommand {
  return {
    deviceId,
    type: 'install_app',
    params: { package: app.packageName, versionCode: version.versionCode, apkSha256: version.apkSha256 },
    key,
  };
}
