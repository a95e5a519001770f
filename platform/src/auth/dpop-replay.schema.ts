import { index, text, timestamp } from 'drizzle-orm/pg-core';
import { platformSchema } from '../db/platform.schema.js';

/**
 * Spent DPoP proofs (RFC 9449 §11.1), shared by every node: a proof's `jti` (hashed with its key's
 * thumbprint) is inserted once its request has passed every other check; a second insert is a replay. Rows
 * are needed only until the proof would be stale anyway, and are swept after.
 */
export const dpopSpentProofs = platformSchema.table(
  'dpop_spent_proofs',
  {
    jtiHash: text('jti_hash').primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('dpop_spent_proofs_expires_idx').on(t.expiresAt)],
);
