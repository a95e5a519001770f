import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService, platformError, requireNational, requireRole, type Db } from '@pakawaaz/platform';
import type { SecretBox } from '../crypto/secret-box.js';
import { identityError } from '../identity.errors.js';
import { MfaRepository } from '../mfa/mfa.repository.js';
import { SECRET_BOX } from '../mfa/secret-box.provider.js';
import { hashPassword } from '../passwords/password-hasher.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { Ctx } from './access.js';
import { FactorResetsRepository, type FactorResetRow } from './factor-resets.repository.js';
import { holdsNationalRole } from './roles.js';
import { UserChanges } from './user-changes.js';
import { UserUpdated, userFacts } from './users.events.js';
import { UsersRepository, type UserRow } from './users.repository.js';
import { recordOn } from './user-audit.js';
import { UsersService, type UserView } from './users.service.js';

const PENDING_FOR_MS = 24 * 3_600_000;
/** 9 random bytes: 12 base64url characters, 72 bits — each half of a two-person one-time password. */
const PART_BYTES = 9;

/** A request as administrators see it: people by username, never the sealed half of the password. */
export type FactorResetView = {
  id: string;
  userId: string;
  username: string;
  reason: string;
  status: FactorResetRow['status'] | 'expired';
  requestedBy: string;
  createdAt: Date;
  expiresAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
};
export type FactorResetResult = {
  status: 'done' | 'pending';
  user: UserView;
  request: FactorResetView | null;
  /** The whole one-time password (one administrator's reset), shown once. */
  temporaryPassword: string | null;
  /** This administrator's half of a two-person one-time password: the requester's half comes first. */
  temporaryPasswordPart: string | null;
};

/**
 * Administrators remove second factors; they never receive one (docs/decisions/0009-factor-resets.md). A
 * reset deletes the user's TOTP authenticator, recovery codes and passkeys, optionally sets a one-time
 * password, ends every session, and makes the next sign-in enrol a new authenticator — by the user. For an
 * operator with a national role it takes two administrators (a pending request another one approves),
 * and the one-time password is split between them: neither ever holds the password and the power to
 * remove the factor at once.
 */
@Injectable()
export class FactorResetService {
  constructor(
    private readonly users: UsersService,
    private readonly userRows: UsersRepository,
    private readonly repo: FactorResetsRepository,
    private readonly mfa: MfaRepository,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly changes: UserChanges,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  async request(
    id: string,
    input: { reason: string; password: boolean },
    ctx: Ctx,
  ): Promise<FactorResetResult> {
    const user = await this.users.find(id, ctx);
    this.users.requireAdmin(ctx, user);
    if (user.id === ctx.principal.actor.id)
      throw platformError('forbidden', 'Manage your own factors under My account, not as an administrator.');
    if (!holdsNationalRole(user.kind === 'operator' ? user.roles : [])) {
      const oneTime = input.password ? this.oneTimePassword(user, 2) : null;
      const info = { reason: input.reason, requestedBy: ctx.principal.name, approvedBy: null };
      await this.repo.db.transaction((tx) => this.apply(tx, user, oneTime, info, ctx));
      return this.result('done', await this.afterApply(user, oneTime), null, oneTime, null);
    }
    return this.ask(user, input.reason, ctx);
  }

  /** The second administrator approves: the reset happens now, with a new one-time password. */
  async approve(requestId: string, ctx: Ctx): Promise<FactorResetResult> {
    requireNational(ctx.principal);
    const { row, user } = await this.pending(requestId, ctx);
    if (ctx.principal.actor.type !== 'operator' || ctx.principal.actor.id === row.requestedBy)
      throw identityError(
        'two_person_rule',
        'Another administrator must approve this, signed in as themselves: not the one who asked, and not an API token.',
      );
    const partB = this.part();
    const oneTime = (await this.box.open('factor-reset-part', row.sealedPart)).toString('utf8') + partB;
    this.users.assertPassword(oneTime, user.username, user.displayName);
    const decided = await this.repo.db.transaction(async (tx) => {
      const done = await this.repo.decide(requestId, this.decision('approved', ctx, null), new Date(), tx);
      if (!done) throw notFound();
      await this.record(tx, ctx, 'identity.factor-reset.approved', user, { request: row.id });
      const info = { reason: row.reason, requestedBy: row.requestedByName, approvedBy: ctx.principal.name };
      await this.apply(tx, user, oneTime, info, ctx);
      return done;
    });
    return this.result('done', await this.afterApply(user, oneTime), this.view(decided, user), null, partB);
  }

  async reject(requestId: string, reason: string | null, ctx: Ctx): Promise<FactorResetView> {
    requireNational(ctx.principal);
    const { user } = await this.pending(requestId, ctx);
    const decided = await this.repo.db.transaction(async (tx) => {
      const done = await this.repo.decide(requestId, this.decision('rejected', ctx, reason), new Date(), tx);
      if (!done) throw notFound();
      await this.record(tx, ctx, 'identity.factor-reset.rejected', user, { request: requestId, reason });
      return done;
    });
    return this.view(decided, user);
  }

  async list(q: { status?: 'pending' | 'decided' | undefined }, ctx: Ctx): Promise<FactorResetView[]> {
    requireNational(ctx.principal);
    requireRole(ctx.principal, 'security-officer');
    const rows = await this.repo.list(q.status === 'decided' ? ['approved', 'rejected'] : ['pending']);
    const users = new Map((await this.userRows.findByIds(rows.map((r) => r.userId))).map((u) => [u.id, u]));
    return rows.map((r) => this.view(r, users.get(r.userId)));
  }

  private async ask(user: UserRow, reason: string, ctx: Ctx): Promise<FactorResetResult> {
    if (ctx.principal.actor.type !== 'operator')
      throw identityError(
        'two_person_rule',
        'A two-person factor reset is asked and approved by administrators signed in as themselves, not by an API token.',
      );
    const now = new Date();
    if (await this.repo.pendingFor(user.id, now))
      throw identityError(
        'factor_reset_pending',
        'A factor reset of this user is already waiting for approval: approve or reject it first.',
      );
    const partA = this.part();
    const row = {
      id: randomUUID(),
      userId: user.id,
      reason,
      requestedBy: ctx.principal.actor.id,
      requestedByName: ctx.principal.name,
      sealedPart: await this.box.seal('factor-reset-part', Buffer.from(partA, 'utf8')),
      createdAt: now,
      expiresAt: new Date(now.getTime() + PENDING_FOR_MS),
    };
    await this.repo.db.transaction(async (tx) => {
      await this.repo.expire(user.id, now, tx);
      await this.repo.insert(row, tx);
      await this.record(tx, ctx, 'identity.factor-reset.requested', user, { request: row.id, reason });
    });
    const request = {
      ...row,
      status: 'pending' as const,
      decidedBy: null,
      decidedByName: null,
      decidedAt: null,
      decisionReason: null,
    };
    return this.result('pending', await this.users.view(user), this.view(request, user), null, partA);
  }

  private async pending(requestId: string, ctx: Ctx): Promise<{ row: FactorResetRow; user: UserRow }> {
    const row = await this.repo.find(requestId);
    if (!row || row.status !== 'pending' || row.expiresAt <= new Date()) throw notFound();
    const user = await this.users.find(row.userId, ctx);
    this.users.requireAdmin(ctx, user);
    if (user.id === ctx.principal.actor.id)
      throw identityError('two_person_rule', 'A factor reset of your own account is decided by others.');
    return { row, user };
  }

  /** Removes every second factor and ends every session, in the caller's transaction (audited in it). */
  private async apply(
    tx: Db,
    user: UserRow,
    oneTime: string | null,
    info: { reason: string; requestedBy: string; approvedBy: string | null },
    ctx: Ctx,
  ): Promise<void> {
    await this.mfa.deleteTotp(user.id, tx);
    const passkeys = await this.mfa.deletePasskeysOf(user.id, tx);
    const password = oneTime
      ? {
          passwordHash: await hashPassword(oneTime),
          mustChangePassword: true,
          failedLogins: 0,
          passwordClosedAt: null,
        }
      : {};
    await this.userRows.update(user.id, { totpEnrolmentRequired: true, ...password }, tx);
    await this.record(tx, ctx, 'identity.user.factors-reset', user, {
      ...info,
      passwordReset: oneTime !== null,
      passkeys,
    });
    await this.sessions.revokeAllOf(user.id, 'factors-reset', ctx.principal.actor, ctx.requestId, tx);
  }

  private async afterApply(user: UserRow, oneTime: string | null): Promise<UserView> {
    const row = (await this.userRows.findById(user.id)) ?? user;
    const changed = oneTime ? (['factors', 'password'] as const) : (['factors'] as const);
    await this.changes.publish(UserUpdated.create({ ...userFacts(row), changed: [...changed] }));
    return this.users.view(row);
  }

  /** A random one-time password that the password policy accepts (it may not contain the username…). */
  private oneTimePassword(user: UserRow, parts: number): string {
    for (;;) {
      const candidate = Array.from({ length: parts }, () => this.part()).join('');
      try {
        this.users.assertPassword(candidate, user.username, user.displayName);
        return candidate;
      } catch {
        // Astronomically rare (a random string containing the username): draw again.
      }
    }
  }

  private part(): string {
    return randomBytes(PART_BYTES).toString('base64url');
  }

  private decision(status: 'approved' | 'rejected', ctx: Ctx, reason: string | null) {
    return { status, by: ctx.principal.actor.id, byName: ctx.principal.name, reason };
  }

  private record(tx: Db, ctx: Ctx, action: string, user: UserRow, details: Record<string, unknown>) {
    return recordOn(this.audit, tx, ctx, action, user, details);
  }

  private result(
    status: 'done' | 'pending',
    user: UserView,
    request: FactorResetView | null,
    temporaryPassword: string | null,
    temporaryPasswordPart: string | null,
  ): FactorResetResult {
    return { status, user, request, temporaryPassword, temporaryPasswordPart };
  }

  private view(row: Omit<FactorResetRow, 'sealedPart'>, user: UserRow | undefined): FactorResetView {
    const expired = row.status === 'pending' && row.expiresAt <= new Date();
    return {
      id: row.id,
      userId: row.userId,
      username: user?.username ?? '(deleted user)',
      reason: row.reason,
      status: expired ? 'expired' : row.status,
      requestedBy: row.requestedByName,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      decidedBy: row.decidedByName,
      decidedAt: row.decidedAt,
      decisionReason: row.decisionReason,
    };
  }
}

const notFound = () =>
  identityError(
    'factor_reset_not_found',
    'No factor reset with this id is waiting for approval (it was decided or expired): ask again if needed.',
  );
