import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AuditService, DATABASE, LOGGER, type DatabaseHandle, type Logger } from '@pakawaaz/platform';
import { PublishingRepository, type AppRow, type VersionRow } from '../publishing/publishing.repository.js';
import { APP_FLEET, FLEET_PAGE, type AppFleet, type FleetCommand } from './app-fleet.js';
import {
  addSums,
  appAutoHaltReason,
  figuresOf,
  rolloutComplete,
  type AppRolloutFigures,
  type AppRolloutState,
} from './app-rollout-rules.js';
import { AppRolloutsRepository, type AppRolloutRow } from './app-rollouts.repository.js';
import { installedOrInstalling, KillSweep, uninstall } from './kill-sweep.js';
import { MandatoryApps } from './mandatory-apps.js';
import { RolloutHalts, type HaltedBy } from './rollout-halts.js';
import { ENGINE_ACTOR, queueCommands, survey, SYSTEM, type Actor, type RolloutPass } from './rollout-pass.js';

export type { RolloutPass } from './rollout-pass.js';

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
/** States the automatic halt weighs: handsets it reached before a pause still report crashes. */
const WEIGHED: readonly AppRolloutState[] = ['running', 'paused'];
/** What the automatic halt may halt: a completed rollout too, while it soaks. */
const HALTABLE: readonly AppRolloutState[] = [...WEIGHED, 'completed'];

/**
 * What moves app rollouts without an operator: every tick (and right after an operator's action) each
 * running rollout queues the install on its share of the institution's handsets that lack the version, is
 * weighed on what those handsets report, and is halted automatically over its failure threshold or completed
 * at 100 %. Mandatory apps go to every handset of their institutions. Changes to a rollout are conditional
 * updates, so two nodes never both make one; queued commands are idempotent by key, so two nodes queueing the
 * same install make one command. The mandatory rule (mandatory-apps.ts), the kill sweep (kill-sweep.ts), the
 * halts (rollout-halts.ts) and a rollout's pass over its devices (rollout-pass.ts) are its parts.
 */
@Injectable()
export class AppRolloutEngine implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;
  /** Devices one pass reaches at most (a test lowers it to walk an institution over several ticks). */
  maxDevicesPerPass = MAX_DEVICES_PER_PASS;
  /** The clock of the kill sweep (a test moves it on). */
  now: () => number = Date.now;
  private readonly halts: RolloutHalts;
  private readonly killSweep: KillSweep;
  private readonly mandatoryApps: MandatoryApps;

  constructor(
    @Inject(DATABASE) database: DatabaseHandle,
    private readonly repo: AppRolloutsRepository,
    private readonly publishing: PublishingRepository,
    private readonly audit: AuditService,
    // Bound by the composition root to device-mgmt; without it nothing is installed (rollouts refuse to start).
    @Optional() @Inject(APP_FLEET) readonly fleet?: AppFleet,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {
    this.halts = new RolloutHalts(database, repo, audit, fleet, logger);
    this.killSweep = new KillSweep(repo, publishing, logger);
    this.mandatoryApps = new MandatoryApps(database, repo, audit, (r) => this.reconcile(r), logger);
  }

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

  /** The devices that may run a version without reporting it yet (see kill-sweep.ts). */
  installedOrInstalling(fleet: AppFleet, versionId: string): Promise<Set<string>> {
    return installedOrInstalling(fleet, versionId);
  }

  /** Queues the uninstall of a killed version on the institution's handsets after `after` (see kill-sweep.ts). */
  uninstall(...args: Parameters<typeof uninstall>): ReturnType<typeof uninstall> {
    return uninstall(...args);
  }

  /** The sweep of the versions killed in the last KILL_SWEEP_MS (see kill-sweep.ts). */
  async sweepKilled(): Promise<number> {
    if (!this.fleet) return 0;
    return this.killSweep.sweep(this.fleet, new Date(this.now() - KILL_SWEEP_MS), this.maxDevicesPerPass);
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
    const queueing = r.state === 'running';
    const pass = await survey(
      fleet,
      app,
      version,
      r,
      r.cursor ?? undefined,
      queueing,
      this.maxDevicesPerPass,
    );
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
    const sums =
      stored ?? (await survey(fleet, app, version, r, undefined, false, this.maxDevicesPerPass)).sums;
    return { targeted: sums.targeted, stillNeeding: sums.stillNeeding, figures: figuresOf(sums) };
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
  queue(fleet: AppFleet, commands: readonly FleetCommand[], actor: Actor): Promise<number> {
    return queueCommands(fleet, commands, actor);
  }

  /** Mandatory apps to every handset of their institutions that lacks them (see mandatory-apps.ts). */
  async mandatory(): Promise<number> {
    if (!this.fleet) return 0;
    return this.mandatoryApps.push(this.fleet, this.maxDevicesPerPass);
  }

  /** Halts a rollout still in one of `from`, audited, and cancels its open installs (see rollout-halts.ts). */
  halt(
    id: string,
    reason: string,
    from: readonly AppRolloutState[],
    by: HaltedBy,
    figures?: AppRolloutFigures,
  ): Promise<AppRolloutRow | undefined> {
    return this.halts.halt(id, reason, from, by, figures);
  }

  /** Cancels a halted rollout's installs that have not reached handsets (see rollout-halts.ts). */
  cancelInstalls(r: AppRolloutRow): Promise<number> {
    return this.halts.cancelInstalls(r);
  }
}
