import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  AuditService,
  EVENT_BUS,
  consume,
  inScope,
  requireNational,
  requireRole,
  scopeIds,
  type Db,
  type EventBus,
  type Subscription,
} from '@pakawaaz/platform';
import { identityError } from '../identity.errors.js';
import type { Ctx } from '../users/access.js';
import { UsersRepository } from '../users/users.repository.js';
import { INSTITUTION_SCOPES, type InstitutionScopes } from './institution-scopes.js';
import {
  INSTITUTION_SCOPES_CONSUMER,
  InstitutionChanged,
  InstitutionPhaseChanged,
} from './institutions.events.js';
import { InstitutionsRepository, type InstitutionRow } from './institutions.repository.js';
import type { DIRECTORY_SCOPES, INSTITUTION_KINDS, ROLLOUT_PHASES } from './institutions.schema.js';

type RolloutPhase = (typeof ROLLOUT_PHASES)[number];
import { parentProblem, visibleInstitutions } from './visibility.js';

export type InstitutionInput = {
  name: string;
  kind?: (typeof INSTITUTION_KINDS)[number] | undefined;
  parentId?: string | null | undefined;
  rolloutPhase?: (typeof ROLLOUT_PHASES)[number] | undefined;
  directoryScope?: (typeof DIRECTORY_SCOPES)[number] | undefined;
  visibleInstitutionIds?: string[] | undefined;
};
export type InstitutionView = InstitutionRow & { visibleInstitutionIds: string[]; users: number };
/** An institution the caller's directory shows but its scope does not hold: enough to name and place it. */
export type InstitutionBrief = Pick<InstitutionRow, 'id' | 'name' | 'kind' | 'parentId'>;

/** Ministries and departments, their rollout phase and their directory visibility. */
@Injectable()
export class InstitutionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    private readonly repo: InstitutionsRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    @Inject(INSTITUTION_SCOPES) private readonly scopes: InstitutionScopes,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consume(this.bus, INSTITUTION_SCOPES_CONSUMER, () => {
      this.scopes.invalidate();
      return Promise.resolve();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.unsubscribe();
  }

  /**
   * National principals see every institution. An institution principal sees in full those in its scope (its
   * own and below); those its directory merely shows (hierarchy, grants, `all`) only by id, name, kind and
   * parent — no users, grants, directory scope nor phase of another institution.
   */
  async list(ctx: Ctx): Promise<(InstitutionView | InstitutionBrief)[]> {
    const [rows, grants] = await Promise.all([this.repo.all(), this.repo.grants()]);
    const scope = scopeIds(ctx.principal);
    const directory = scope && visibleInstitutions(ctx.principal.institutionId ?? '', rows, grants);
    const acting = ctx.principal.actor.type === 'official' ? [] : (scope ?? []);
    const shown = rows.filter(
      (r) => !scope || directory === 'all' || directory?.has(r.id) || acting.includes(r.id),
    );
    return Promise.all(
      shown.map(async (r) =>
        inScope(ctx.principal, r.id)
          ? this.view(r, grants)
          : { id: r.id, name: r.name, kind: r.kind, parentId: r.parentId },
      ),
    );
  }

  /** The institutions in the caller's scope, in full (what the rollout plan counts and lists). */
  async listInScope(ctx: Ctx): Promise<InstitutionView[]> {
    const [rows, grants] = await Promise.all([this.repo.all(), this.repo.grants()]);
    return Promise.all(
      rows.filter((r) => inScope(ctx.principal, r.id)).map(async (r) => this.view(r, grants)),
    );
  }

  async get(id: string, ctx: Ctx): Promise<InstitutionView | InstitutionBrief> {
    const found = (await this.list(ctx)).find((i) => i.id === id);
    if (!found) throw identityError('institution_not_found', 'No institution with this id.');
    return found;
  }

  async create(input: InstitutionInput, ctx: Ctx): Promise<InstitutionView> {
    requireRole(ctx.principal, 'super-admin');
    requireNational(ctx.principal);
    const created = await this.repo.db.transaction(async (tx) => {
      if (await this.repo.findByName(input.name, tx))
        throw identityError('institution_exists', `An institution named "${input.name}" already exists.`);
      const kind = input.kind ?? (input.parentId ? 'department' : 'ministry');
      await this.checkShape(tx, null, kind, input.parentId ?? null, input.visibleInstitutionIds ?? []);
      const row = await this.repo.insert(
        {
          id: randomUUID(),
          name: input.name,
          kind,
          parentId: input.parentId ?? null,
          rolloutPhase: input.rolloutPhase ?? 'pilot',
          directoryScope: input.directoryScope ?? 'hierarchy',
        },
        tx,
      );
      await this.repo.setGrants(row.id, input.visibleInstitutionIds ?? [], tx);
      await this.record(tx, ctx, 'identity.institution.created', row, input);
      return row;
    });
    await this.changed();
    // Outside the transaction: PGlite has one connection, so a query beside an open transaction would wait forever.
    return this.view(created, await this.repo.grants());
  }

  async update(id: string, patch: Partial<InstitutionInput>, ctx: Ctx): Promise<InstitutionView> {
    requireRole(ctx.principal, 'super-admin');
    requireNational(ctx.principal);
    const updated = await this.repo.db.transaction(async (tx) => {
      const current = await this.repo.findById(id, tx);
      if (!current) throw identityError('institution_not_found', 'No institution with this id.');
      if (patch.name && patch.name !== current.name && (await this.repo.findByName(patch.name, tx)))
        throw identityError('institution_exists', `An institution named "${patch.name}" already exists.`);
      const kind = patch.kind ?? current.kind;
      const parentId = patch.parentId === undefined ? current.parentId : patch.parentId;
      await this.checkShape(tx, id, kind, parentId, patch.visibleInstitutionIds ?? []);
      const { visibleInstitutionIds, ...fields } = patch;
      const row = (await this.repo.update(id, { ...fields, kind, parentId }, tx)) ?? current;
      if (visibleInstitutionIds) await this.repo.setGrants(id, visibleInstitutionIds, tx);
      await this.record(tx, ctx, 'identity.institution.updated', row, patch);
      await this.recordPhase(tx, ctx, current, row);
      return { row, from: current.rolloutPhase };
    });
    await this.changed(updated);
    return this.view(updated.row, await this.repo.grants());
  }

  /**
   * Moves an institution to another rollout phase: what its officials may use follows at once on every node
   * (the institution cache). `from`, when given, must still be the phase (two operators, one click each).
   */
  async setPhase(id: string, to: RolloutPhase, from: RolloutPhase | undefined, ctx: Ctx) {
    requireRole(ctx.principal, 'super-admin');
    requireNational(ctx.principal);
    const moved = await this.repo.db.transaction(async (tx) => {
      const current = await this.repo.findById(id, tx);
      if (!current) throw identityError('institution_not_found', 'No institution with this id.');
      if (from && current.rolloutPhase !== from)
        throw identityError(
          'institution_phase_changed',
          `${current.name} is in phase ${current.rolloutPhase} now, not ${from}: look again before moving it.`,
        );
      if (current.rolloutPhase === to) return { row: current, from: current.rolloutPhase };
      const row = (await this.repo.update(id, { rolloutPhase: to }, tx)) ?? current;
      await this.recordPhase(tx, ctx, current, row);
      return { row, from: current.rolloutPhase };
    });
    await this.changed(moved);
    return this.view(moved.row, await this.repo.grants());
  }

  async remove(id: string, ctx: Ctx): Promise<void> {
    requireRole(ctx.principal, 'super-admin');
    requireNational(ctx.principal);
    await this.repo.db.transaction(async (tx) => {
      const row = await this.repo.findById(id, tx);
      if (!row) throw identityError('institution_not_found', 'No institution with this id.');
      const inUse = (await this.users.countInInstitution(id, tx)) + (await this.repo.childCount(id, tx));
      if (inUse > 0)
        throw identityError(
          'institution_in_use',
          'This institution still has users or departments: move or remove them first.',
        );
      await this.repo.delete(id, tx);
      await this.record(tx, ctx, 'identity.institution.deleted', row, {});
    });
    await this.changed();
  }

  /** After the commit: this node's scopes at once, the other nodes' through the bus (and their TTL). */
  private async changed(moved?: { row: InstitutionRow; from: RolloutPhase }): Promise<void> {
    this.scopes.invalidate();
    await this.bus.publish(InstitutionChanged.create({}));
    if (moved && moved.from !== moved.row.rolloutPhase)
      await this.bus.publish(
        InstitutionPhaseChanged.create({
          institutionId: moved.row.id,
          name: moved.row.name,
          from: moved.from,
          to: moved.row.rolloutPhase,
          changedAt: moved.row.updatedAt.toISOString(),
        }),
      );
  }

  /** A phase move is its own audit entry with from and to, whichever route made it. */
  private async recordPhase(tx: Db, ctx: Ctx, before: InstitutionRow, after: InstitutionRow) {
    if (before.rolloutPhase === after.rolloutPhase) return;
    await this.record(tx, ctx, 'identity.institution.rollout-phase-changed', after, {
      from: before.rolloutPhase,
      to: after.rolloutPhase,
    });
  }

  /** Resolves a name or id (CLI and scripts speak names). */
  async resolve(nameOrId: string): Promise<InstitutionRow> {
    const row = (await this.repo.findById(nameOrId)) ?? (await this.repo.findByName(nameOrId));
    if (!row) throw identityError('institution_not_found', `No institution "${nameOrId}".`);
    return row;
  }

  private async checkShape(
    tx: Db,
    id: string | null,
    kind: string,
    parentId: string | null,
    grants: string[],
  ) {
    const nodes = await this.repo.all(tx);
    const problem =
      kind === 'department' && !parentId
        ? 'a department needs its ministry (parentId)'
        : kind === 'ministry' && parentId
          ? 'a ministry has no parent; use kind "department"'
          : parentProblem(id, parentId, nodes);
    if (problem) throw identityError('institution_invalid', `Institution hierarchy: ${problem}.`);
    const missing = grants.filter((g) => !nodes.some((n) => n.id === g));
    if (missing.length)
      throw identityError('institution_invalid', `Unknown visible institution(s): ${missing.join(', ')}.`);
  }

  private async view(row: InstitutionRow, grants: { institutionId: string; visibleId: string }[]) {
    return {
      ...row,
      visibleInstitutionIds: grants.filter((g) => g.institutionId === row.id).map((g) => g.visibleId),
      users: await this.users.countInInstitution(row.id),
    };
  }

  private async record(tx: Db, ctx: Ctx, action: string, row: InstitutionRow, details: object) {
    await this.audit.record(
      {
        actor: ctx.principal.actor,
        action,
        target: `institution:${row.id}`,
        details: { name: row.name, ...details },
        requestId: ctx.requestId,
      },
      tx,
    );
  }
}
