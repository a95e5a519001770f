import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  AuditService,
  consume,
  DATABASE,
  EVENT_BUS,
  isRole,
  rolesAllowedIn,
  type DatabaseHandle,
  type EventBus,
  type Principal,
  type Role,
  type Subscription,
  type TokenVerifier,
} from '@pakawaaz/platform';
import type { JWK } from 'jose';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { identityError } from '../identity.errors.js';
import { issueAccessToken, type AccessTokenClaims, type SigningKey } from './access-token.js';
import { hashApiTokenSecret, looksLikeApiToken, newApiTokenSecret } from './api-token-secret.js';
import { ApiTokensRepository, type ApiTokenRow } from './api-tokens.repository.js';
import { SESSION_CACHE, type SessionCacheHandle } from '../sessions/session-cache.provider.js';
import { UsersRepository } from '../users/users.repository.js';
import { MfaRepository } from '../mfa/mfa.repository.js';
import { accessTokenChecker, type AccessTokenCheck } from './access-token-check.js';
import { INSTITUTION_SCOPES, type InstitutionScopes } from '../directory/institution-scopes.js';
import { InstitutionsRepository } from '../directory/institutions.repository.js';
import { requireRolesAllowedIn } from '../users/roles.js';
import type { ApiTokenMemory, ApiTokenPrincipal, ApiTokenResolution } from './api-token-memory.js';
import { effectiveTokenRoles } from './api-token-rights.js';
import { ApiTokenRevoked, TOKEN_MEMORY_CONSUMER } from './tokens.events.js';

export const SIGNING_KEY = Symbol.for('pakawaaz.identity.SigningKey');

export type NewApiToken = {
  name: string;
  roles: Role[];
  institutionId?: string | null | undefined;
  expiresInDays?: number | undefined;
};
/** A token as listed: never its secret; its owner by username (null: no person, e.g. the bootstrap token). */
export type ApiTokenView = Omit<ApiTokenRow, 'secretHash'> & { owner: string | null };

export const API_TOKEN_MEMORY = Symbol.for('pakawaaz.identity.ApiTokenMemory');

/** Only write last-used timestamps this often per token, so a busy automation token does not write on every call. */
const TOUCH_INTERVAL_MS = 60_000;
/** Tokens made by tokens: a longer chain than this is refused. */
const MAX_CHAIN = 8;

@Injectable()
export class TokenService implements TokenVerifier, OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly apiTokens: ApiTokensRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    @Inject(SESSION_CACHE) private readonly sessions: SessionCacheHandle,
    @Inject(INSTITUTION_SCOPES) private readonly scopes: InstitutionScopes,
    private readonly institutions: InstitutionsRepository,
    @Inject(API_TOKEN_MEMORY) private readonly memory: ApiTokenMemory,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly mfa: MfaRepository,
  ) {
    // In the constructor body: a field initializer could run before the parameter properties are assigned.
    this.check = accessTokenChecker(key, config.issuer);
  }

  private readonly check: AccessTokenCheck;

  /**
   * Changes on other nodes reach this node's token memory through the bus: any identity.user.* event names
   * a user whose tokens must be re-read, and a revoked token ends the tokens it created.
   */
  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consume(this.bus, TOKEN_MEMORY_CONSUMER, (e) => {
      this.memory.forget('tokenId' in e.data ? e.data.tokenId : e.data.userId);
      return Promise.resolve();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.unsubscribe();
  }

  /** Signature, lifetime and claims first (no I/O); then the session must still be alive (memory, rarely the database). */
  async verify(token: string): Promise<Principal | null> {
    if (looksLikeApiToken(token)) return this.verifyApiToken(token);
    const now = new Date();
    const v = await this.check(token, now);
    const session = v && (await this.sessions.live(v.sid, now));
    if (!v || !session) return null;
    // A promise only when the tree must be re-read: most requests pay a map lookup here.
    const scope = this.scopes.scopeOf(v.inst, now.getTime());
    return {
      actor: { type: v.typ, id: v.sub },
      name: v.name,
      roles: principalRoles(v.roles, v.inst),
      institutionId: v.inst,
      scope: scope instanceof Promise ? await scope : scope,
      amr: v.amr,
      acr: v.acr,
      tokenId: v.jti,
      sessionId: v.sid,
      ...(v.auth_time !== undefined ? { authTime: v.auth_time } : {}),
      ...(v.cnf && 'x5t#S256' in v.cnf ? { certThumbprint: v.cnf['x5t#S256'] } : {}),
      ...(v.cnf && 'jkt' in v.cnf ? { dpopJkt: v.cnf.jkt } : {}),
      // The sign-in's token of a session bound since: the guard lets it log out, nothing else.
      ...(session.dpopJkt && !(v.cnf && 'jkt' in v.cnf) ? { sessionDpopBound: true as const } : {}),
    };
  }

  /** `ttl` at most the configured one: a token re-issued bound (DpopTokenService) outlives nothing. */
  async issueAccessToken(claims: AccessTokenClaims, ttl = this.config.accessTokenTtlSeconds) {
    ttl = Math.min(ttl, this.config.accessTokenTtlSeconds);
    const accessToken = await issueAccessToken(claims, this.key, {
      issuer: this.config.issuer,
      ttlSeconds: ttl,
      now: new Date(),
      jti: randomUUID(),
    });
    return { accessToken, expiresIn: ttl };
  }

  jwks(): Promise<{ keys: JWK[] }> {
    const { kty, crv, x, y } = this.key.signer.publicJwk;
    return Promise.resolve({ keys: [{ kty, crv, x, y, kid: this.key.kid, alg: 'ES256', use: 'sig' }] });
  }

  /**
   * Creates an API token; the secret is returned once and only its hash is stored. The token answers to
   * its creator — or, when a token creates it, to that token and its owner — for as long as it lives.
   */
  async createApiToken(
    input: NewApiToken,
    by: Principal,
    requestId: string | null,
    secret = newApiTokenSecret(),
  ): Promise<ApiTokenView & { token: string }> {
    await this.checkPlacement(input.roles, input.institutionId ?? null);
    const now = new Date();
    const parentTokenId = by.actor.type === 'api-token' ? by.actor.id : null;
    const person = by.actor.type === 'operator' || by.actor.type === 'official' ? by.actor.id || null : null;
    const ownerId = parentTokenId
      ? ((await this.apiTokens.findById(parentTokenId))?.ownerId ?? null)
      : person;
    const row = {
      id: randomUUID(),
      name: input.name,
      secretHash: hashApiTokenSecret(secret),
      roles: input.roles,
      institutionId: input.institutionId ?? null,
      createdBy: `${by.actor.type}:${by.actor.id}`,
      ownerId,
      parentTokenId,
      createdAt: now,
      expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.database.db.transaction(async (tx) => {
      await this.apiTokens.insert(row, tx);
      await this.audit.record(
        {
          actor: by.actor,
          action: 'identity.api-token.created',
          target: `api-token:${row.id}`,
          details: { name: row.name, roles: row.roles, expiresAt: row.expiresAt?.toISOString() ?? null },
          requestId,
        },
        tx,
      );
    });
    const { secretHash: _hidden, ...view } = row;
    const owner = ownerId ? ((await this.users.findById(ownerId))?.username ?? null) : null;
    return { ...view, owner, token: secret };
  }

  async listApiTokens(): Promise<ApiTokenView[]> {
    const rows = await this.apiTokens.list();
    const ids = [...new Set(rows.flatMap((r) => (r.ownerId ? [r.ownerId] : [])))];
    const names = new Map((await this.users.findByIds(ids)).map((u) => [u.id, u.username]));
    return rows.map(({ secretHash: _hidden, ...view }) => ({
      ...view,
      owner: view.ownerId ? (names.get(view.ownerId) ?? '(deleted user)') : null,
    }));
  }

  async revokeApiToken(id: string, by: Principal, requestId: string | null): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      if (!(await this.apiTokens.revoke(id, new Date(), tx)))
        throw identityError('token_not_found', 'No active API token with this id.');
      await this.audit.record(
        { actor: by.actor, action: 'identity.api-token.revoked', target: `api-token:${id}`, requestId },
        tx,
      );
    });
    this.memory.forget(id);
    await this.bus.publish(ApiTokenRevoked.create({ tokenId: id }));
  }

  /** A token inside an institution is held to the rules of an operator there: institution roles only. */
  private async checkPlacement(roles: readonly Role[], institutionId: string | null): Promise<void> {
    if (institutionId !== null && !(await this.institutions.findById(institutionId)))
      throw identityError('institution_not_found', 'No institution with this id.');
    requireRolesAllowedIn(roles, institutionId);
  }

  /** A map lookup for a known token (TokenMemory); the database once a minute, or after a change. */
  private async verifyApiToken(secret: string): Promise<Principal | null> {
    if (secret.length < 32 || secret.length > 256) return null;
    const now = Date.now();
    let known = this.memory.get(secret, now);
    if (!known) {
      const loaded = await this.resolveApiToken(secret, new Date(now));
      if (!loaded) return null;
      this.memory.put(secret, loaded.resolution, now, loaded.lastUsedAt);
      known = loaded.resolution;
    }
    if (!known.principal) return null;
    if (this.memory.dueForTouch(secret, now, TOUCH_INTERVAL_MS))
      await this.apiTokens.touch(known.tokenId, new Date(now));
    // The scope is looked up on every call, not remembered with the token: the tree may change meanwhile.
    const scope = this.scopes.scopeOf(known.principal.institutionId, now);
    return { ...known.principal, scope: scope instanceof Promise ? await scope : scope };
  }

  /**
   * The token, the chain of tokens that created it, and its owner, as they are now: the principal carries
   * the token's roles narrowed to what each of them holds; any of them gone, revoked, expired or disabled
   * refuses it.
   */
  private async resolveApiToken(
    secret: string,
    now: Date,
  ): Promise<{ resolution: ApiTokenResolution; lastUsedAt: number } | null> {
    const row = await this.apiTokens.findActiveByHash(hashApiTokenSecret(secret));
    if (!row) return null;
    const dependsOn = [row.id];
    const holders: string[][] = [];
    let expiresAt = row.expiresAt?.getTime() ?? null;
    let refused = false;
    // The chain's first token: without an owner (the bootstrap token and the tokens made from it), that
    // token is the person behind every token of its chain.
    let rootId = row.id;
    for (let parentId = row.parentTokenId, depth = 0; parentId; depth++) {
      dependsOn.push(parentId);
      rootId = parentId;
      const parent = depth < MAX_CHAIN ? await this.apiTokens.findById(parentId) : undefined;
      if (!parent || parent.revokedAt || (parent.expiresAt && parent.expiresAt <= now)) {
        refused = true;
        break;
      }
      holders.push(parent.roles);
      if (parent.expiresAt) expiresAt = Math.min(expiresAt ?? Infinity, parent.expiresAt.getTime());
      parentId = parent.parentTokenId;
    }
    let owner: Awaited<ReturnType<typeof this.users.findById>>;
    if (row.ownerId) {
      dependsOn.push(row.ownerId);
      owner = await this.users.findById(row.ownerId);
      if (!owner || owner.status !== 'active') refused = true;
      else holders.push(owner.roles);
      // The operator MFA policy: an owner without a second factor has no roles to lend (refused, as for a
      // disabled owner), and enrolment publishes no event: read the owner again on the next call.
      if (!refused && this.config.requireOperatorMfa && owner?.kind === 'operator')
        if (!(await this.mfa.secondFactorSince(owner.id))) {
          refused = true;
          expiresAt = Math.min(expiresAt ?? Infinity, now.getTime() + 1);
        }
    }
    const roles = principalRoles(effectiveTokenRoles(row.roles, ...holders), row.institutionId);
    const principal: ApiTokenPrincipal | null =
      refused || roles.length === 0 || (expiresAt !== null && expiresAt <= now.getTime())
        ? null
        : {
            actor: { type: 'api-token', id: row.id },
            ...(owner
              ? { onBehalfOf: { type: owner.kind, id: owner.id } }
              : rootId !== row.id
                ? { onBehalfOf: { type: 'api-token' as const, id: rootId } }
                : {}),
            name: row.name,
            roles,
            institutionId: row.institutionId,
            amr: [],
            acr: null,
            tokenId: row.id,
          };
    return {
      resolution: { tokenId: row.id, principal, dependsOn, expiresAt },
      lastUsedAt: row.lastUsedAt?.getTime() ?? 0,
    };
  }
}

/**
 * Registered roles only, and inside an institution only institution roles: whatever a token says, a
 * principal of an institution never exercises a national role.
 */
function principalRoles(roles: readonly string[], institutionId: string | null): Role[] {
  const registered = roles.filter(isRole);
  return institutionId === null ? registered : rolesAllowedIn(registered, institutionId);
}
