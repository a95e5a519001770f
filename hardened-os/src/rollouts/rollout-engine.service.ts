import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  EVENT_BUS,
  LOGGER,
  type DatabaseHandle,
  type EventBus,
  type Logger,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { RolloutHalted, type DeviceOsUpdate } from '../hardened-os.events.js';
import { OsRolloutsFacts } from './os-rollouts.facts.js';
import { autoHaltReason, DEFAULT_RING, nextStep, stageLabel, type RolloutState } from './rollout-rules.js';
import { RolloutsRepository, type RolloutRow } from './rollouts.repository.js';

/** How often the ticker looks for rollouts to start or widen (a stage soaks for minutes at least). */
export const TICK_MS = 30_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SYSTEM = { type: 'system', id: 'hardened-os' } as const;
/** States whose failure rate the automatic halt weighs: those handsets may still be given the release from. */
const WEIGHED: readonly RolloutState[] = ['running', 'paused', 'completed'];

export type OsUpdateOutcome = z.output<typeof DeviceOsUpdate.schema>;

/**
 * What moves rollouts without an operator: outcomes reported by device-mgmt (counted once per device, the
 * automatic halt weighed after each result) and the ticker that starts scheduled rollouts and widens running
 * ones once their stage has soaked. Every change is a conditional update, so two nodes never both make it.
 */
@Injectable()
export class RolloutEngine implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly repo: RolloutsRepository,
    private readonly facts: OsRolloutsFacts,
    private readonly audit: AuditService,
    @Optional() @Inject(EVENT_BUS) private readonly bus?: EventBus,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tickQuietly(), TICK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tickQuietly(): Promise<void> {
    if (this.running) return;
    this.running = this.tick().catch((err: unknown) => this.logger?.error({ err }, 'rollout tick failed'));
    await this.running;
    this.running = null;
  }

  /**
   * Starts, widens and completes what is due; returns the rollouts it changed. A running rollout whose failure
   * rate is over its threshold is halted instead of moved (an outcome's own check may have lost a race with a
   * step), and each model's completed rollout still offered to stragglers is weighed too.
   */
  async tick(now: Date = new Date()): Promise<RolloutRow[]> {
    const changed: RolloutRow[] = [];
    for (const r of await this.repo.current()) {
      if (r.state === 'running' || r.state === 'completed') {
        const halted = await this.haltIfFailing(r);
        if (halted) {
          changed.push(halted);
          continue;
        }
      }
      const row = await this.step(r, now);
      if (row) changed.push(row);
    }
    if (changed.length) this.facts.invalidate();
    return changed;
  }

  private async step(r: RolloutRow, now: Date): Promise<RolloutRow | undefined> {
    const step = nextStep(r, now);
    let row: RolloutRow | undefined;
    if (step.action === 'start')
      row = await this.repo.transition(
        r.id,
        { states: ['scheduled'] },
        { state: 'running', currentStage: 0, stageStartedAt: now },
      );
    else if (step.action === 'advance')
      row = await this.repo.transition(
        r.id,
        { states: ['running'], stage: r.currentStage },
        { currentStage: step.to, stageStartedAt: now },
      );
    else if (step.action === 'complete')
      row = await this.repo.transition(
        r.id,
        { states: ['running'], stage: r.currentStage },
        { state: 'completed' },
      );
    if (!row || step.action === 'none') return undefined;
    const stage = row.stages[row.currentStage];
    await this.audit.record({
      actor: SYSTEM,
      action: `hardened-os.rollout.${step.action === 'start' ? 'started' : step.action === 'advance' ? 'advanced' : 'completed'}`,
      target: `os-rollout:${row.id}`,
      details: { model: row.model, stage: row.currentStage, label: stage ? stageLabel(stage) : null },
    });
    return row;
  }

  /**
   * One outcome device-mgmt reported. Unknown rollouts are ignored (a report about another cluster's or a
   * deleted one must not stop the stream); the device's stage and ring are those of its first report. Every
   * recorded outcome is weighed: a success can bring enough outcomes for earlier failures to count.
   */
  async record(e: OsUpdateOutcome): Promise<'recorded' | 'unchanged' | 'ignored' | 'halted'> {
    if (!UUID.test(e.rolloutId)) return 'ignored';
    const rollout = await this.repo.get(e.rolloutId);
    if (!rollout || rollout.releaseId !== e.releaseId) return 'ignored';
    const institutionId = e.institutionId && UUID.test(e.institutionId) ? e.institutionId : null;
    const ring = (institutionId && (await this.repo.ringOf(institutionId))) || DEFAULT_RING;
    const changed = await this.repo.recordOutcome({
      rolloutId: rollout.id,
      deviceId: e.deviceId,
      institutionId,
      ring,
      stage: rollout.currentStage,
      outcome: e.outcome,
      detail: e.detail ?? null,
      at: new Date(e.at),
    });
    if (!changed) return 'unchanged';
    if (e.outcome === 'offered') return 'recorded';
    return (await this.haltIfFailing(rollout)) ? 'halted' : 'recorded';
  }

  /**
   * Halts a rollout handsets may still be given (running, paused — handsets it reached before the pause still
   * report — or completed and still offered to stragglers) once its failure rate, in the current stage or
   * over the whole rollout, passes the threshold. The halted row, or undefined.
   */
  private async haltIfFailing(rollout: RolloutRow): Promise<RolloutRow | undefined> {
    if (!WEIGHED.includes(rollout.state)) return undefined;
    if (rollout.state === 'completed' && !(await this.repo.stillOffered(rollout))) return undefined;
    const counts = await this.repo.haltCounts(rollout.id, rollout.currentStage);
    const reason = autoHaltReason(counts, rollout.stages[rollout.currentStage], rollout);
    if (!reason) return undefined;
    return this.halt(rollout.id, reason, WEIGHED, null);
  }

  /**
   * Halts a rollout still in one of `from`; publishes the halt and raises the alarm (an error in the log and
   * an audit entry; the NOC shows the reason). `by` null: the automatic halt. Undefined when it was not in
   * `from` any more.
   */
  async halt(
    id: string,
    reason: string,
    from: readonly RolloutState[],
    by: { actor: Parameters<AuditService['record']>[0]['actor']; requestId: string } | null,
  ): Promise<RolloutRow | undefined> {
    const row = await this.database.db.transaction(async (tx) => {
      const halted = await this.repo.transition(
        id,
        { states: from },
        { state: 'halted', haltReason: reason },
        tx,
      );
      if (halted)
        await this.audit.record(
          {
            actor: by?.actor ?? SYSTEM,
            action: 'hardened-os.rollout.halted',
            target: `os-rollout:${id}`,
            details: { model: halted.model, reason, automatic: by === null },
            ...(by ? { requestId: by.requestId } : {}),
          },
          tx,
        );
      return halted;
    });
    if (!row) return undefined;
    this.facts.invalidate();
    if (by === null)
      this.logger?.error(
        { rollout: id, model: row.model, reason },
        'OS rollout halted automatically: its failure rate passed the threshold',
      );
    const event = RolloutHalted.create({
      rolloutId: row.id,
      releaseId: row.releaseId,
      model: row.model,
      reason,
      automatic: by === null,
      at: row.updatedAt.toISOString(),
    });
    await this.bus?.publish(event).catch((err: unknown) => {
      this.logger?.error({ err, rollout: id }, 'publishing a rollout halt failed');
    });
    return row;
  }
}
