import { bigint, index, jsonb, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { platformSchema } from '../db/platform.schema.js';

/**
 * Append-only, hash-chained audit log. `seq` is assigned by the writer (last + 1 under a lock) rather than
 * by a sequence, so a deleted row shows up as a gap; `hash` covers the previous hash and the canonical entry.
 */
export const auditLog = platformSchema.table(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    id: uuid('id').notNull().unique(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    details: jsonb('details').notNull(),
    requestId: text('request_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_log_action_idx').on(t.action), index('audit_log_at_idx').on(t.at)],
);

/**
 * Signed checkpoints of the audit chain's head (audit-checkpoint.ts): `n` counts them from 1, each signs its
 * predecessor's signature, and the signature needs the key service's audit checkpoint key.
 */
export const auditCheckpoints = platformSchema.table('audit_checkpoints', {
  n: bigint('n', { mode: 'number' }).primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
  at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  prevSignature: text('prev_signature').notNull(),
  kid: text('kid').notNull(),
  signature: text('signature').notNull(),
});
