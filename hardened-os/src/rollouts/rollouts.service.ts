import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  requireNational,
  requireRole,
  scopeIds,
  type DatabaseHandle,
  type Db,
  type Principal,
  type Role,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { hardenedOsError } from '../hardened-os.errors.js';
import { isUniqueViolation, RegistryRepository } from '../registry/registry.repository.js';
import { InstitutionNames } from './institution-names.js';
import { OsRolloutsFacts } from './os-rollouts.facts.js';
import { RolloutEngine } from './rollout-engine.service.js';
import {
  autoHaltReason,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_MIN_OUTCOMES,
  DEFAULT_RING,
  DEFAULT_STAGES,
  planProblem,
  stageLabel,
} from './rollout-rules.js';
import { rolloutView } from './rollout-views.js';
import type { RingInput, RolloutInput } from './rollouts.dto.js';
import { RolloutsRepository, type RolloutRow } from './rollouts.repository.js';

/**
 * Who may read rollouts and rings: national readers see all, an institution's (its viewers and device admins)
 * only its own devices. `device-admin` is device management's institution role: its name is declared on that
 * floor, which this one does not import, hence the cast.
 */
export const ROLLOUT_READERS: Role[] = ['os-admin', 'viewer', 'security-officer', 'device-admin' as Role];

const actorName = (by: Principal) => `${by.actor.type}:${by.actor.id}`;

/** Rollouts and rings as operators see and steer them. Changes are os-admin's (national). */
@Injectable()
export class RolloutsService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly repo: RolloutsRepository,
    private readonly registry: RegistryRepository,
    private readonly engine: RolloutEngine,
    private readonly facts: OsRolloutsFacts,
    private readonly names: InstitutionNames,
    private readonly audit: AuditService,
  ) {}

  async list(by: Principal) {
    requireRole(by, ...ROLLOUT_READERS);
    return { rollouts: await this.views(by, await this.repo.list()) };
  }

  async get(id: string, by: Principal) {
    requireRole(by, ...ROLLOUT_READERS);
    const [view] = await this.views(by, [await this.found(id)]);
    return view!;
  }

  async create(input: z.output<typeof RolloutInput>, by: Principal, requestId: string) {
    this.requireAdmin(by);
    const release = await this.registry.release(input.releaseId);
    if (!release) throw hardenedOsError('release_not_found', 'No release with this id.');
    const stages = input.stages ?? [...DEFAULT_STAGES];
    const problem = planProblem(stages);
    if (problem) throw hardenedOsError('invalid_rollout', problem);
    const now = new Date();
    const startAt = input.startAt ? new Date(input.startAt) : now;
    const later = startAt > now;
    const row = await this.database.db
      .transaction(async (tx) => {
        const created = await this.repo.insert(
          {
            id: randomUUID(),
            releaseId: release.id,
            model: release.model,
            stages,
            state: later ? 'scheduled' : 'running',
            currentStage: 0,
            startAt,
            stageStartedAt: later ? null : now,
            failureThreshold: input.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD,
            minOutcomes: input.minOutcomes ?? DEFAULT_MIN_OUTCOMES,
            createdBy: actorName(by),
          },
          tx,
        );
        const details = { model: release.model, buildId: release.buildId, stages: stages.map(stageLabel) };
        await this.record(by, 'hardened-os.rollout.created', created.id, details, requestId, tx);
        return created;
      })
      .catch((err: unknown) => {
        throw isUniqueViolation(err)
          ? hardenedOsError(
              'rollout_exists_for_model',
              `A rollout for ${release.model} is scheduled, running or paused: halt it or let it finish first.`,
            )
          : err;
      });
    this.facts.invalidate();
    return this.get(row.id, by);
  }

  async pause(id: string, by: Principal, requestId: string) {
    this.requireAdmin(by);
    return this.move(id, by, requestId, 'paused', { states: ['scheduled', 'running'] }, { state: 'paused' });
  }

  /** A resumed stage soaks again in full: the time it stood paused proved nothing. */
  async resume(id: string, by: Principal, requestId: string) {
    this.requireAdmin(by);
    const r = await this.found(id);
    const now = new Date();
    const set =
      r.startAt > now
        ? { state: 'scheduled' as const, stageStartedAt: null }
        : { state: 'running' as const, stageStartedAt: now };
    return this.move(id, by, requestId, 'resumed', { states: ['paused'] }, set);
  }

  /**
   * The next stage now (after the last one: completed). Refused (409 rollout_stage_over_threshold) while the
   * failure rate, in the current stage or across the rollout, is over the threshold — widening would give a
   * failing build to more handsets — unless `force`, which the audit entry records with the rate it overrode.
   */
  async advance(id: string, by: Principal, requestId: string, force = false) {
    this.requireAdmin(by);
    const r = await this.found(id);
    const over = autoHaltReason(await this.repo.haltCounts(id, r.currentStage), r.stages[r.currentStage], r);
    if (over && !force)
      throw hardenedOsError(
        'rollout_stage_over_threshold',
        `Not advanced: ${over}. Halt the rollout, or advance anyway with --force (API: {"force": true}); the override is audited.`,
      );
    const last = r.currentStage + 1 >= r.stages.length;
    const set = last
      ? { state: 'completed' as const }
      : { currentStage: r.currentStage + 1, stageStartedAt: new Date() };
    return this.move(
      id,
      by,
      requestId,
      last ? 'completed' : 'advanced',
      { states: ['running'], stage: r.currentStage },
      set,
      over ? { forced: true, overThreshold: over } : force ? { forced: true } : {},
    );
  }

  async halt(id: string, reason: string, by: Principal, requestId: string) {
    this.requireAdmin(by);
    await this.found(id);
    const row = await this.engine.halt(id, reason, ['scheduled', 'running', 'paused'], {
      actor: by.actor,
      requestId,
    });
    if (!row) throw this.stateConflict('halted');
    return this.get(id, by);
  }

  /** National: every institution with a ring set. An institution's readers: their institutions. */
  async rings(by: Principal) {
    requireRole(by, ...ROLLOUT_READERS);
    const scope = scopeIds(by);
    const rows = (await this.repo.rings()).filter((r) => !scope || scope.includes(r.institutionId));
    const ids = [...new Set([...rows.map((r) => r.institutionId), ...(scope ?? [])])];
    const names = await this.names.names(ids);
    const rings = ids.map((id) => {
      const row = rows.find((r) => r.institutionId === id);
      return {
        institutionId: id,
        institutionName: names.get(id) ?? null,
        ring: row?.ring ?? DEFAULT_RING,
        explicit: !!row,
        updatedBy: row?.updatedBy ?? null,
        updatedAt: row?.updatedAt.toISOString() ?? null,
      };
    });
    rings.sort((a, b) =>
      (a.institutionName ?? a.institutionId).localeCompare(b.institutionName ?? b.institutionId),
    );
    return { rings };
  }

  async setRing(institutionId: string, input: z.infer<typeof RingInput>, by: Principal, requestId: string) {
    this.requireAdmin(by);
    if (!(await this.names.exists(institutionId)))
      throw hardenedOsError('unknown_institution', 'No institution with this id.');
    await this.database.db.transaction(async (tx) => {
      await this.repo.setRing(
        { institutionId, ring: input.ring, updatedBy: actorName(by), updatedAt: new Date() },
        tx,
      );
      await this.audit.record(
        {
          actor: by.actor,
          action: 'hardened-os.ring.set',
          target: `institution:${institutionId}`,
          details: { ring: input.ring },
          requestId,
        },
        tx,
      );
    });
    this.facts.invalidate();
    return this.rings(by);
  }

  private requireAdmin(by: Principal): void {
    requireNational(by);
    requireRole(by, 'os-admin');
  }

  private async found(id: string): Promise<RolloutRow> {
    const r = await this.repo.get(id);
    if (!r) throw hardenedOsError('rollout_not_found', 'No rollout with this id.');
    return r;
  }

  private async move(
    id: string,
    by: Principal,
    requestId: string,
    what: string,
    from: Parameters<RolloutsRepository['transition']>[1],
    set: Parameters<RolloutsRepository['transition']>[2],
    extra: Record<string, unknown> = {},
  ) {
    await this.found(id);
    const row = await this.database.db.transaction(async (tx) => {
      const moved = await this.repo.transition(id, from, set, tx);
      if (moved)
        await this.record(
          by,
          `hardened-os.rollout.${what}`,
          id,
          { model: moved.model, stage: moved.currentStage, ...extra },
          requestId,
          tx,
        );
      return moved;
    });
    if (!row) throw this.stateConflict(what);
    this.facts.invalidate();
    return this.get(id, by);
  }

  private stateConflict(what: string) {
    return hardenedOsError(
      'rollout_state_conflict',
      `This rollout cannot be ${what} in its current state (it changed meanwhile, or it is halted or completed).`,
    );
  }

  private async views(by: Principal, rows: readonly RolloutRow[]) {
    const scope = scopeIds(by);
    const counts = await this.repo.progress(
      rows.map((r) => r.id),
      scope,
    );
    const releases = await Promise.all(
      [...new Set(rows.map((r) => r.releaseId))].map((id) => this.registry.release(id)),
    );
    return rows.map((r) =>
      rolloutView(
        r,
        releases.find((x) => x?.id === r.releaseId),
        counts.filter((c) => c.rolloutId === r.id),
        scope ? 'institution' : 'national',
      ),
    );
  }

  private record(
    by: Principal,
    action: string,
    id: string,
    details: Record<string, unknown>,
    requestId: string,
    tx: Db,
  ) {
    return this.audit.record({ actor: by.actor, action, target: `os-rollout:${id}`, details, requestId }, tx);
  }
}
