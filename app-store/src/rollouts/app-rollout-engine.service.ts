import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AuditService, DATABASE, LOGGER, type DatabaseHandle, type Logger } from '@pakawaaz/platform';
import { PublishingRepository, type AppRow, type VersionRow } from '../publishing/publishing.repository.js';
import { APP_FLEET, FLEET_PAGE, type AppFleet, type FleetCommand, type FleetDevice } from './app-fleet.js';
import {
  appAutoHaltReason,
  inRollout,
  installKey,
  installKeyPrefix,
  needsInstall,
  rolloutComplete,
  weighVersion,
  type AppRolloutFigures,
  type AppRolloutState,
} from './app-rollout-rules.js';
import { AppRolloutsRepository, type AppRolloutRow } from './app-rollouts.repository.js';

/** How often the engine reconciles (installs take minutes: a handset acts at its next check-in). */
export const APP_TICK_MS = 30_000;
/**
 * Most devices one rollout, or one mandatory app in one institution, is reconciled over per pass, so that no
 * tick holds a node for long. An institution with more handsets is served on its first ones only (by id) and a
 * warning is logged: the pilot's institutions are far smaller; a resumable cursor is the next step if one grows.
 */
export const MAX_DEVICES_PER_PASS = 50 * FLEET_PAGE;
const SYSTEM = { type: 'system', id: 'app-store' } as const;
/** States the automatic halt weighs: handsets it reached before a pause still report crashes. */
const WEIGHED: readonly AppRolloutState[] = ['running', 'paused'];

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

  /** One reconciliation of every running or paused rollout, then of every mandatory app. */
  async tick(): Promise<void> {
    if (!this.fleet) return;
    for (const r of await this.repo.inStates(WEIGHED)) {
      try {
        await this.reconcile(r);
      } catch (err) {
        this.logger?.error({ err, rollout: r.id }, 'reconciling an app rollout failed');
      }
    }
    await this.mandatory();
  }

  /**
   * One rollout: weighs it (halting it over its threshold), then, while running, queues the install on its
   * share of handsets that lack the version, and completes it at 100 % once none lacks it.
   */
  async reconcile(r: AppRolloutRow): Promise<RolloutPass | undefined> {
    const fleet = this.fleet;
    if (!fleet) return undefined;
    const version = await this.publishing.version(r.versionId);
    const app = version && (await this.publishing.app(version.appId));
    if (!version || !app) return undefined;
    const pass = await this.survey(fleet, app, version, r.institutionId, r.percent);
    const reason = appAutoHaltReason(pass.figures, r);
    if (reason) {
      await this.halt(r.id, reason, WEIGHED, null, pass.figures);
      return { ...pass, queuedNow: 0 };
    }
    if (r.state !== 'running') return { ...pass, queuedNow: 0 };
    const queuedNow = await this.queue(fleet, pass.commands, ENGINE_ACTOR);
    if (rolloutComplete(r.percent, pass.stillNeeding)) {
      const done = await this.repo.transition(r.id, ['running'], { state: 'completed' });
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
    return { targeted: pass.targeted, stillNeeding: pass.stillNeeding, figures: pass.figures, queuedNow };
  }

  /** The figures of a rollout now, without queueing anything (what an operator's `get` shows). */
  async figures(r: AppRolloutRow): Promise<Omit<RolloutPass, 'queuedNow'> | undefined> {
    const fleet = this.fleet;
    const version = await this.publishing.version(r.versionId);
    const app = version && (await this.publishing.app(version.appId));
    if (!fleet || !version || !app) return undefined;
    const { commands: _c, ...pass } = await this.survey(fleet, app, version, r.institutionId, r.percent);
    return pass;
  }

  /**
   * Pages through the institution's handsets: which are in the share, which of those lack the version (and
   * have no install command yet), and how the version fares on them.
   */
  private async survey(
    fleet: AppFleet,
    app: AppRow,
    version: VersionRow,
    institutionId: string,
    percent: number,
  ) {
    const outcomes = await fleet.outcomes(installKeyPrefix(version.id));
    const commanded = new Set(outcomes.map((o) => o.deviceId));
    const reporting: FleetDevice[] = [];
    const here = new Set<string>();
    const commands: FleetCommand[] = [];
    let targeted = 0;
    let stillNeeding = 0;
    for await (const d of this.devices(fleet, institutionId)) {
      here.add(d.id);
      if (d.apps.some((a) => a.package === app.packageName)) reporting.push(d);
      if (!inRollout(app.id, d.id, percent)) continue;
      targeted += 1;
      if (!needsInstall(d, app.packageName, version.versionCode)) continue;
      stillNeeding += 1;
      if (!commanded.has(d.id)) commands.push(installCommand(app, version, d.id));
    }
    // A vendor's version is rolled out in several institutions under one key prefix: weigh this one's.
    const figures = weighVersion(
      app.packageName,
      version.versionCode,
      outcomes.filter((o) => here.has(o.deviceId)),
      reporting,
    );
    return { targeted, stillNeeding, figures, commands };
  }

  /** The institution's live handsets, page by page (awaiting between pages keeps the event loop free). */
  async *devices(fleet: AppFleet, institutionId: string): AsyncGenerator<FleetDevice> {
    let after: string | undefined;
    let seen = 0;
    for (;;) {
      const page = await fleet.devices(institutionId, after);
      for (const d of page) yield d;
      seen += page.length;
      if (page.length < FLEET_PAGE) return;
      if (seen >= MAX_DEVICES_PER_PASS) {
        this.logger?.warn(
          { institutionId, devices: seen },
          'app rollouts: the institution has more handsets than one pass reconciles; the rest are not served',
        );
        return;
      }
      after = page[page.length - 1]!.id;
    }
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
   * it and lacks it — unless a running or paused rollout of the app there governs the share, or that version
   * was halted there (an operator, or the automatic halt, stopped it: the mandatory rule does not override).
   * The install key is the rollout's, so the two never queue the same install twice.
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
        const commands: FleetCommand[] = [];
        for await (const d of this.devices(fleet, institutionId))
          if (needsInstall(d, app.packageName, version.versionCode))
            commands.push(installCommand(app, version, d.id));
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
        'app rollout halted automatically: its failure rate passed the threshold',
      );
    return row;
  }
}

function installCommand(app: AppRow, version: VersionRow, deviceId: string): FleetCommand {
  return {
    deviceId,
    type: 'install_app',
    params: { package: app.packageName, versionCode: version.versionCode, apkSha256: version.apkSha256 },
    key: installKey(version.id, deviceId),
  };
}
