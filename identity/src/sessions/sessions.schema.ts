import { index, integer, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { identitySchema } from '../identity.schema.js';

/**
 * A signed-in session: what access tokens (claim `sid`) and the refresh-token family hang off. Revoking it
 * (logout, administrator, refresh-token reuse, user disabled) invalidates every token of the session at once.
 */
export const sessions = identitySchema.table(
  'sessions',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    amr: text('amr').array().notNull(),
    acr: text('acr').notNull(),
    /** RFC 8705 certificate binding (base64url SHA-256 of the device certificate), for handsets. */
    certThumbprint: text('cert_thumbprint'),
    /**
     * RFC 9449 §5: the JWK thumbprint of the desktop device key the session was bound to (its first access
     * token re-issued bound, POST /auth/token/dpop). From then on a refresh needs a DPoP proof of that key and
     * yields only tokens bound to it: a copied refresh token is no use without the browser's key.
     */
    dpopJkt: text('dpop_jkt'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    idleTimeoutSeconds: integer('idle_timeout_seconds').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    revokedReason: text('revoked_reason'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Rotating refresh tokens: each is used once; presenting a used one again revokes the whole session. */
export const refreshTokens = identitySchema.table(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey(),
    sessionId: uuid('session_id').notNull(),
    secretHash: text('secret_hash').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('refresh_tokens_session_idx').on(t.sessionId)],
);
