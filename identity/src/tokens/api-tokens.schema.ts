import { text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { identitySchema } from '../identity.schema.js';

/** Opaque API tokens for automation (CLI, CI, provisioning scripts). Only a SHA-256 of the secret is stored. */
export const apiTokens = identitySchema.table('api_tokens', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  secretHash: text('secret_hash').notNull().unique(),
  roles: text('roles').array().notNull(),
  institutionId: uuid('institution_id'),
  createdBy: text('created_by').notNull(),
  /**
   * The person whose current rights bound the token (its creator, or the owner of the token that created
   * it); null for tokens no person created (the bootstrap token).
   */
  ownerId: uuid('owner_id'),
  /** The API token that created this one: revoking or expiring it ends this one too. */
  parentTokenId: uuid('parent_token_id'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
});
