import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  isRole,
  rolesAllowedIn,
  type DatabaseHandle,
  type Principal,
  type Role,
  type TokenVerifier,
} from '@pakawaaz/platform';
import type { JWK } from 'jose';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { identityError } from '../identity.errors.js';
import { issueAccessToken, type AccessTokenClaims, type SigningKey } from './access-token.js';
import { hashApiTokenSecret, looksLikeApiToken, newApiTokenSecret } from './api-token-secret.js';
import { ApiTokensRepository, type ApiTokenRow } from './api-tokens.repository.js';
import { SESSION_CACHE, type SessionCacheHandle } from '../sessions/session-cache.provider.js';
import { accessTokenChecker, type AccessTokenCheck } from './access-token-check.js';
import { INSTITUTION_SCOPES, type InstitutionScopes } from '../directory/institution-scopes.js';
import { InstitutionsRepository } from '../directory/institutions.repository.js';
import { requireRolesAllowedIn } from '../users/roles.js';

export const SIGNING_KEY = Symbol.for('pakawaaz.identity.SigningKey');

export type NewApiToken = {
  name: string;
  roles: Role[];
  institutionId?: string | null | undefined;
  expiresInDays?: number | undefined;
};
export type ApiTokenView = Omit<ApiTokenRow, 'secretHash'>;

/** Only write last-used timestamps this often per token, so a busy automation token does not write on every call. */
const TOUCH_INTERVAL_MS = 60_000;

@Injectable()
export class TokenService implements TokenVerifier {
  constructor(
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly apiTokens: ApiTokensRepository,
    private readonly audit: AuditService,
    @Inject(SESSION_CACHE) private readonly sessions: SessionCacheHandle,
    @Inject(INSTITUTION_SCOPES) private readonly scopes: InstitutionScopes,
    private readonly institutions: InstitutionsRepository,
  ) {
    // In the constructor body: a field initializer could run before the parameter properties are assigned.
    this.check = accessTokenChecker(key, config.issuer);
  }

  private readonly check: AccessTokenCheck;

  /** Signature, lifetime and claims first (no I/O); then the session must still be alive (memory, rarely the database). */
  async verify(token: string): Promise<Principal | null> {
    if (looksLikeApiToken(token)) return this.verifyApiToken(token);
    const now = new Date();
    const v = await this.check(token, now);
    if (!v || !(await this.sessions.alive(v.sid, now))) return null;
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
      ...(v.cnf ? { certThumbprint: v.cnf['x5t#S256'] } : {}),
    };
  }

  async issueAccessToken(claims: AccessTokenClaims): Promise<{ accessToken: string; expiresIn: number }> {
    const ttl = this.config.accessTokenTtlSeconds;
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

  /** Creates an API token; the secret is returned once and only its hash is stored. */
  async createApiToken(
    input: NewApiToken,
    by: Principal,
    requestId: string | null,
    secret = newApiTokenSecret(),
  ): Promise<ApiTokenView & { token: string }> {
    await this.checkPlacement(input.roles, input.institutionId ?? null);
    const now = new Date();
    const row = {
      id: randomUUID(),
      name: input.name,
      secretHash: hashApiTokenSecret(secret),
      roles: input.roles,
      institutionId: input.institutionId ?? null,
      createdBy: `${by.actor.type}:${by.actor.id}`,
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
    return { ...view, token: secret };
  }

  async listApiTokens(): Promise<ApiTokenView[]> {
    return (await this.apiTokens.list()).map(({ secretHash: _hidden, ...view }) => view);
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
  }

  /** A token inside an institution is held to the rules of an operator there: institution roles only. */
  private async checkPlacement(roles: readonly Role[], institutionId: string | null): Promise<void> {
    if (institutionId !== null && !(await this.institutions.findById(institutionId)))
      throw identityError('institution_not_found', 'No institution with this id.');
    requireRolesAllowedIn(roles, institutionId);
  }

  private async verifyApiToken(secret: string): Promise<Principal | null> {
    if (secret.length < 32 || secret.length > 256) return null;
    const row = await this.apiTokens.findActiveByHash(hashApiTokenSecret(secret));
    const now = new Date();
    if (!row || (row.expiresAt && row.expiresAt <= now)) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS)
      await this.apiTokens.touch(row.id, now);
    return {
      actor: { type: 'api-token', id: row.id },
      name: row.name,
      roles: principalRoles(row.roles, row.institutionId),
      institutionId: row.institutionId,
      scope: await this.scopes.scopeOf(row.institutionId, now.getTime()),
      amr: [],
      acr: null,
      tokenId: row.id,
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
