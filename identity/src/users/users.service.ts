import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  AuditService,
  inScope,
  isRole,
  requireInScope,
  requireRole,
  type Db,
  type Role,
} from '@pakawaaz/platform';
import { InstitutionsRepository } from '../directory/institutions.repository.js';
import { identityError } from '../identity.errors.js';
import { MfaRepository, type FactorSummary } from '../mfa/mfa.repository.js';
import { checkPassword, PASSWORD_PROBLEM_MESSAGES } from '../passwords/password-policy.js';
import { hashPassword } from '../passwords/password-hasher.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { Ctx } from './access.js';
import { requireRolesAllowedIn } from './roles.js';
import { recordOn } from './user-audit.js';
import { InitialPasswordFile } from '../bootstrap/initial-password-file.js';
import { UserChanges } from './user-changes.js';
import { UserDisabled, UserEnabled, UserUpdated, userFacts, USER_FIELDS } from './users.events.js';
import { UsersRepository, type NewUser, type UserListQuery, type UserRow } from './users.repository.js';

export type UserInput = {
  kind: UserRow['kind'];
  username: string;
  displayName: string;
  password: string;
  designation?: string | null | undefined;
  institutionId?: string | null | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  roles?: Role[] | undefined;
  mustChangePassword?: boolean | undefined;
};
export type UserPatch = Partial<
  Pick<UserInput, 'displayName' | 'designation' | 'institutionId' | 'email' | 'phone' | 'roles'>
>;
export type UserView = Omit<UserRow, 'passwordHash'> & { passwordClosed: boolean; factors: FactorSummary };

/** Officials and operators: creation, profile, roles, status, administrator password reset and unlock. */
@Injectable()
export class UsersService {
  constructor(
    private readonly repo: UsersRepository,
    private readonly institutions: InstitutionsRepository,
    private readonly mfa: MfaRepository,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly changes: UserChanges,
    private readonly initialPassword: InitialPasswordFile,
  ) {}

  async create(input: UserInput, ctx: Ctx): Promise<UserView> {
    if (input.kind === 'operator') requireRole(ctx.principal, 'super-admin');
    this.requireAdmin(ctx, { kind: input.kind, roles: [] }, input.roles?.length ? input.roles : undefined);
    requireInScope(ctx.principal, input.institutionId ?? null);
    const roles = input.kind === 'operator' ? (input.roles ?? ['viewer']) : [];
    await this.checkPlacement(input.kind, input.institutionId ?? null, roles);
    this.assertPassword(input.password, input.username, input.displayName);
    const passwordHash = await hashPassword(input.password);
    const created = await this.repo.db.transaction(async (tx) => {
      if (await this.repo.findByUsername(input.username, tx))
        throw identityError('user_exists', `The username "${input.username}" is taken.`);
      const row = await this.repo.insert(
        {
          ...pick(input),
          id: randomUUID(),
          kind: input.kind,
          username: input.username,
          roles,
          passwordHash,
          passwordChangedAt: new Date(),
          mustChangePassword: input.mustChangePassword ?? false,
        },
        tx,
      );
      await this.record(tx, ctx, 'identity.user.created', row, {
        kind: row.kind,
        roles,
        institutionId: row.institutionId,
      });
      return row;
    });
    // Views are read after the transaction: PGlite has one connection, a query beside an open transaction waits forever.
    return this.view(created);
  }

  async list(q: UserListQuery, ctx: Ctx): Promise<{ users: UserView[]; total: number }> {
    const { rows, total } = await this.repo.list(q, ctx.principal);
    const factors = await this.mfa.summaries(rows.map((r) => r.id));
    return { users: rows.map((r) => toView(r, factors.get(r.id))), total };
  }

  async get(id: string, ctx: Ctx): Promise<UserView> {
    const row = await this.find(id, ctx);
    return this.view(row);
  }

  async find(idOrUsername: string, ctx: Ctx): Promise<UserRow> {
    const row = (await this.repo.findById(idOrUsername)) ?? (await this.repo.findByUsername(idOrUsername));
    // Out of scope reads as absent: an institution's operator learns nothing about other institutions' users.
    if (!row || !inScope(ctx.principal, row.institutionId))
      throw identityError('user_not_found', 'No user with this id or username.');
    return row;
  }

  async update(id: string, patch: UserPatch, ctx: Ctx): Promise<UserView> {
    const current = await this.find(id, ctx);
    this.requireAdmin(ctx, current, patch.roles);
    if (patch.roles && current.kind === 'official' && patch.roles.length)
      throw identityError(
        'invalid_role',
        'Officials hold no NOC roles; create an operator account for NOC work.',
      );
    const institutionId = patch.institutionId === undefined ? current.institutionId : patch.institutionId;
    requireInScope(ctx.principal, institutionId);
    await this.checkPlacement(current.kind, institutionId, patch.roles ?? current.roles.filter(isRole));
    const updated = await this.repo.db.transaction(async (tx) => {
      const row = (await this.repo.update(current.id, patch, tx)) ?? current;
      await this.record(tx, ctx, 'identity.user.updated', row, {
        changes: Object.keys(patch),
        ...(patch.roles ? { roles: patch.roles } : {}),
      });
      if (patch.roles)
        await this.sessions.revokeAllOf(row.id, 'roles-changed', ctx.principal.actor, ctx.requestId, tx);
      return row;
    });
    // Other domains keep copies of these facts (core-network: name and institution on subscribers), and API
    // tokens answer to their creator's current roles: they are re-read at once, on every node.
    const changed = USER_FIELDS.filter((f) => patch[f] !== undefined);
    await this.changes.publish(UserUpdated.create({ ...userFacts(updated), changed }));
    return this.view(updated);
  }

  /** Disabling ends every session at once and tells the other domains (chat groups, devices). */
  async setStatus(id: string, status: UserRow['status'], reason: string | null, ctx: Ctx): Promise<UserView> {
    const current = await this.find(id, ctx);
    this.requireAdmin(ctx, current);
    if (status === 'disabled' && current.id === ctx.principal.actor.id)
      throw identityError('invalid_role', 'You cannot disable your own account.');
    const row = await this.repo.db.transaction(async (tx) => {
      const updated = (await this.repo.update(current.id, { status, statusReason: reason }, tx)) ?? current;
      await this.record(
        tx,
        ctx,
        status === 'disabled' ? 'identity.user.disabled' : 'identity.user.enabled',
        updated,
        { reason },
      );
      if (status === 'disabled')
        await this.sessions.revokeAllOf(updated.id, 'user-disabled', ctx.principal.actor, ctx.requestId, tx);
      return updated;
    });
    const event = status === 'disabled' ? UserDisabled : UserEnabled;
    await this.changes.publish(event.create({ ...userFacts(row), reason }));
    return this.view(row);
  }

  /** Sets a temporary password (given or generated) that must be changed at the next sign-in. */
  async resetPassword(
    id: string,
    password: string | undefined,
    ctx: Ctx,
  ): Promise<{ user: UserView; temporaryPassword: string }> {
    const current = await this.find(id, ctx);
    this.requireAdmin(ctx, current);
    const temporary = password ?? randomBytes(12).toString('base64url');
    this.assertPassword(temporary, current.username, current.displayName);
    const passwordHash = await hashPassword(temporary);
    const row = await this.repo.db.transaction(async (tx) => {
      const updated =
        (await this.repo.update(
          current.id,
          { passwordHash, mustChangePassword: true, failedLogins: 0, passwordClosedAt: null },
          tx,
        )) ?? current;
      await this.record(tx, ctx, 'identity.user.password-reset', updated, {});
      await this.sessions.revokeAllOf(updated.id, 'password-reset', ctx.principal.actor, ctx.requestId, tx);
      return updated;
    });
    // A reset of the first administrator kills the generated password too: its file goes.
    await this.initialPassword.afterPasswordChange(row);
    return { user: await this.view(row), temporaryPassword: temporary };
  }

  /** Reopens a password step the guess limit closed, and clears the count (after the officer looked). */
  async unlock(id: string, ctx: Ctx): Promise<UserView> {
    const current = await this.find(id, ctx);
    this.requireAdmin(ctx, current);
    const row = await this.repo.db.transaction(async (tx) => {
      const unlocked =
        (await this.repo.update(current.id, { failedLogins: 0, passwordClosedAt: null }, tx)) ?? current;
      await this.record(tx, ctx, 'identity.user.unlocked', unlocked, {
        failures: current.failedLogins,
        passwordClosedAt: current.passwordClosedAt?.toISOString() ?? null,
      });
      return unlocked;
    });
    return this.view(row);
  }

  assertPassword(password: string, username: string, displayName: string): void {
    const problem = checkPassword(password, { username, displayName });
    if (problem) throw identityError('weak_password', PASSWORD_PROBLEM_MESSAGES[problem], { problem });
  }

  async view(row: UserRow): Promise<UserView> {
    return toView(row, (await this.mfa.summaries([row.id])).get(row.id));
  }

  /**
   * Creating operators and granting roles is super-admin business; security officers manage officials and
   * may disable, unlock or reset anyone (incident response) except a super-admin.
   */
  requireAdmin(
    ctx: Ctx,
    target: { kind: UserRow['kind']; roles: readonly string[] },
    grants?: readonly Role[],
  ): void {
    // Any change of roles — removing them too — is a super-admin's, as is anything done to a super-admin.
    if (grants !== undefined || target.roles.includes('super-admin'))
      requireRole(ctx.principal, 'super-admin');
    else requireRole(ctx.principal, 'security-officer');
  }

  private async checkPlacement(
    kind: UserRow['kind'],
    institutionId: string | null,
    roles: readonly Role[],
  ): Promise<void> {
    if (kind === 'official' && !institutionId)
      throw identityError(
        'institution_not_found',
        'An official belongs to an institution: give its id or name.',
      );
    if (institutionId && !(await this.institutions.findById(institutionId)))
      throw identityError('institution_not_found', 'No institution with this id.');
    requireRolesAllowedIn(roles, institutionId);
  }

  private record(tx: Db, ctx: Ctx, action: string, row: UserRow, details: Record<string, unknown>) {
    return recordOn(this.audit, tx, ctx, action, row, details);
  }
}

function pick(input: UserInput): Partial<NewUser> & { displayName: string } {
  return {
    displayName: input.displayName,
    designation: input.designation ?? null,
    institutionId: input.institutionId ?? null,
    email: input.email ?? null,
    phone: input.phone ?? null,
  };
}

function toView(row: UserRow, factors: FactorSummary | undefined): UserView {
  const { passwordHash: _hidden, ...rest } = row;
  return {
    ...rest,
    passwordClosed: row.passwordClosedAt !== null,
    factors: factors ?? { totp: 'none', passkeys: 0, recoveryCodesLeft: 0 },
  };
}
