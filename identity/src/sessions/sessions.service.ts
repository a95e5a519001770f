import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  SYSTEM_ACTOR,
  type Actor,
  type Amr,
  type Db,
  hasRole,
  isRole,
  NATIONAL_SCOPE,
  platformError,
  requireInScope,
  requireRole,
} from '@pakawaaz/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { identityError } from '../identity.errors.js';
import { MfaRepository } from '../mfa/mfa.repository.js';
import { DpopTokenService } from '../tokens/dpop-token.service.js';
import { TokenService } from '../tokens/token.service.js';
import type { Ctx } from '../users/access.js';
import { effectiveRoles } from '../users/roles.js';
import { UsersRepository, type UserRow } from '../users/users.repository.js';
import { sessionEnded, SESSION_LIMITS, type Acr } from './session-policy.js';
import { SessionRevocations } from './session-revocations.service.js';
import { SessionsRepository, type SessionRow } from './sessions.repository.js';

export type ClientMeta = { ip?: string | null | undefined; userAgent?: string | null | undefined };
export type SessionTokens = {
  userId: string;
  accessToken: string;
  refreshToken: string;
  /** DPoP: the session is bound to a desktop's key, and so is the access token (RFC 9449 §5). */
  tokenType: 'Bearer' | 'DPoP';
  expiresIn: number;
  sessionId: string;
  amr: Amr[];
  acr: Acr;
  /** Roles the account holds but this session may not use (passkey required). */
  withheldRoles: string[];
};
export type SessionView = Omit<SessionRow, 'revokedAt' | 'revokedReason'> & {
  username: string;
  current: boolean;
};

const REFRESH_PREFIX = 'pkr_';
const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/**
 * Sign-in sessions: access tokens, rotating refresh tokens with reuse detection, idle/absolute limits, who may
 * see and end which session (the ending itself, its audit record and its announcement: SessionRevocations).
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly repo: SessionsRepository,
    private readonly users: UsersRepository,
    private readonly tokens: TokenService,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly mfa: MfaRepository,
    private readonly dpop: DpopTokenService,
    private readonly revocations: SessionRevocations,
  ) {}

  async start(
    user: UserRow,
    amr: Amr[],
    acr: Acr,
    meta: ClientMeta & { certThumbprint?: string | null },
  ): Promise<SessionTokens> {
    const now = new Date();
    const limits = SESSION_LIMITS[acr];
    const session = {
      id: randomUUID(),
      userId: user.id,
      amr,
      acr,
      certThumbprint: meta.certThumbprint ?? null,
      dpopJkt: null,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      createdAt: now,
      lastSeenAt: now,
      idleTimeoutSeconds: limits.idleSeconds,
      expiresAt: new Date(now.getTime() + limits.absoluteSeconds * 1000),
    };
    const refreshToken = await this.repo.db.transaction(async (tx) => {
      await this.repo.insert(session, tx);
      return this.newRefreshToken(session.id, tx);
    });
    return this.tokensFor(user, { ...session, revokedAt: null, revokedReason: null }, refreshToken);
  }

  /**
   * Rotates a refresh token. A token used twice means it was copied: the whole session is revoked. A session
   * bound to a desktop's DPoP key is refreshed only with a proof of that key by a desktop still enrolled
   * (`dpopProof`), checked before the token is spent, and yields tokens bound to that key: never an unbound
   * one. The token is spent with the session row locked and only if its binding is still the one read: a bind
   * (DpopTokenService.bind, which locks the row too) that landed in between refuses this refresh unspent.
   */
  async refresh(secret: string, requestId: string | null, dpopProof?: unknown): Promise<SessionTokens> {
    const invalid = () =>
      identityError('refresh_token_invalid', 'Sign in again: the refresh token is not valid.');
    if (!secret.startsWith(REFRESH_PREFIX) || secret.length > 100) throw invalid();
    const token = await this.repo.findRefreshToken(hashSecret(secret));
    const read = token && (await this.repo.find(token.sessionId));
    if (!token || !read || read.revokedAt) throw invalid();
    if (read.dpopJkt) await this.dpop.refreshProof(dpopProof, read.dpopJkt, read.userId);
    const now = new Date();
    const outcome = await this.repo.db.transaction(async (tx) => {
      const session = await this.repo.lock(read.id, tx);
      if (!session || session.revokedAt) return { kind: 'invalid' } as const;
      if (session.dpopJkt !== read.dpopJkt) return { kind: 'bound' } as const;
      if (token.usedAt || !(await this.repo.useRefreshToken(token.id, now, tx)))
        return { kind: 'reused', session } as const;
      const user = await this.users.findById(session.userId, tx);
      // A closed password step is no reason to end a session: it is the attacker who is locked out.
      if (sessionEnded(session, now) || !user || user.status !== 'active')
        return { kind: 'invalid' } as const;
      await this.repo.touch(session.id, now, tx);
      return {
        kind: 'refreshed',
        session,
        user,
        refreshToken: await this.newRefreshToken(session.id, tx),
      } as const;
    });
    if (outcome.kind === 'bound')
      throw platformError(
        'dpop_proof_invalid',
        'This session was bound to a device key (DPoP) meanwhile: send its refresh token with a DPoP proof of that key.',
      );
    if (outcome.kind === 'reused')
      await this.revocations.revokeSession(outcome.session, 'refresh-token-reuse', SYSTEM_ACTOR, requestId);
    if (outcome.kind !== 'refreshed') throw invalid();
    const { session, user, refreshToken } = outcome;
    return this.tokensFor(user, { ...session, lastSeenAt: now }, refreshToken);
  }

  /** Logout: ends the caller's own session. */
  async logout(ctx: Ctx): Promise<void> {
    const session = ctx.principal.sessionId ? await this.repo.find(ctx.principal.sessionId) : undefined;
    if (session && !session.revokedAt)
      await this.revocations.revokeSession(session, 'logout', ctx.principal.actor, ctx.requestId);
  }

  /** Live sessions: the caller's own, or (security officer, viewer) those of users in the caller's scope. */
  async list(ctx: Ctx, userId?: string): Promise<SessionView[]> {
    const own = userId !== undefined && userId === ctx.principal.actor.id;
    if (!own) requireRole(ctx.principal, 'security-officer', 'viewer');
    const now = new Date();
    // One's own sessions are always one's own to see, whatever the scope.
    const caller = own ? { scope: NATIONAL_SCOPE } : ctx.principal;
    const rows = (await this.repo.live(now, caller, userId)).filter((s) => !sessionEnded(s, now));
    const users = new Map(
      (await this.users.findByIds([...new Set(rows.map((r) => r.userId))])).map((u) => [u.id, u]),
    );
    return rows.map(({ revokedAt: _r, revokedReason: _rr, ...s }) => ({
      ...s,
      username: users.get(s.userId)?.username ?? '(deleted)',
      current: s.id === ctx.principal.sessionId,
    }));
  }

  /**
   * Revokes one session: the owner may end their own, a security officer anyone's in scope. Whoever may do
   * neither gets the same 404 for another's live session as for an unknown id: not whether it exists.
   */
  async revoke(id: string, ctx: Ctx): Promise<void> {
    const session = await this.repo.find(id);
    const notFound = () => identityError('session_not_found', 'No live session with this id.');
    const own = session?.userId === ctx.principal.actor.id;
    if (!own && !hasRole(ctx.principal, ['security-officer'])) throw notFound();
    if (!session || session.revokedAt) throw notFound();
    if (!own) {
      const owner = await this.users.findById(session.userId);
      requireInScope(ctx.principal, owner?.institutionId, notFound);
    }
    await this.revocations.revokeSession(
      session,
      own ? 'logout' : 'revoked-by-administrator',
      ctx.principal.actor,
      ctx.requestId,
    );
  }

  /** Ends every session of a user but `except` (SessionRevocations.revokeAllOf). */
  revokeAllOf(
    userId: string,
    reason: string,
    actor: Actor,
    requestId: string | null,
    tx?: Db,
    except?: string,
  ): Promise<number> {
    return this.revocations.revokeAllOf(userId, reason, actor, requestId, tx, except);
  }

  private async newRefreshToken(sessionId: string, tx: Db): Promise<string> {
    const secret = REFRESH_PREFIX + randomBytes(32).toString('base64url');
    await this.repo.insertRefreshToken({ id: randomUUID(), sessionId, secretHash: hashSecret(secret) }, tx);
    return secret;
  }

  /** The operator MFA policy: an operator with neither an active TOTP nor a passkey. */
  async secondFactorMissing(user: Pick<UserRow, 'id' | 'kind'>): Promise<boolean> {
    if (!this.config.requireOperatorMfa || user.kind !== 'operator') return false;
    const f = (await this.mfa.summaries([user.id])).get(user.id);
    return !f || (f.totp !== 'active' && f.passkeys === 0);
  }

  /**
   * The operator MFA policy for one session: roles need a second factor used in this sign-in (a TOTP code,
   * or a passkey sign-in) — having one is not enough. The one exception is the factor enrolled during this
   * session (an operator without one signs in with the password to enrol it, and gets the roles then).
   * A refresh carries the sign-in's amr, so it keeps the rule.
   */
  async secondFactorUnused(user: Pick<UserRow, 'id' | 'kind'>, session: SessionRow): Promise<boolean> {
    if (!this.config.requireOperatorMfa || user.kind !== 'operator') return false;
    const since = await this.mfa.secondFactorSince(user.id);
    if (!since) return true;
    const amr = session.amr as Amr[];
    const passkey = amr.includes('hwk') && !amr.includes('pwd');
    if (amr.includes('otp') || passkey) return false;
    return since.getTime() <= session.createdAt.getTime();
  }

  private async tokensFor(user: UserRow, session: SessionRow, refreshToken: string): Promise<SessionTokens> {
    const amr = session.amr as Amr[];
    const { roles, withheld } = effectiveRoles(
      user.roles.filter(isRole),
      amr,
      this.config.requirePasskeys,
      await this.secondFactorUnused(user, session),
    );
    const { accessToken, expiresIn } = await this.tokens.issueAccessToken({
      sub: user.id,
      typ: user.kind,
      name: user.username,
      inst: user.institutionId,
      roles,
      amr,
      acr: session.acr,
      sid: session.id,
      auth_time: Math.floor(session.createdAt.getTime() / 1000),
      ...(session.certThumbprint ? { cnf: { 'x5t#S256': session.certThumbprint } } : {}),
      ...(session.dpopJkt ? { cnf: { jkt: session.dpopJkt } } : {}),
    });
    return {
      userId: user.id,
      accessToken,
      refreshToken,
      tokenType: session.dpopJkt ? 'DPoP' : 'Bearer',
      expiresIn,
      sessionId: session.id,
      amr,
      acr: session.acr as Acr,
      withheldRoles: withheld,
    };
  }
}
