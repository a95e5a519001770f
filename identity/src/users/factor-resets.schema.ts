import { sql } from 'drizzle-orm';
import { index, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { identitySchema } from '../identity.schema.js';

export const FACTOR_RESET_STATUSES = ['pending', 'approved', 'rejected'] as const;

/**
 * Two-person factor resets (operators with national roles): one administrator asks, another approves. The
 * first half of the one-time password is sealed here until the approval (the approver sees the second half
 * only); at most one request per user is pending.
 */
export const factorResets = identitySchema.table(
  'factor_resets',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    reason: text('reason').notNull(),
    requestedBy: uuid('requested_by').notNull(),
    requestedByName: text('requested_by_name').notNull(),
    /** The requester's half of the one-time password, sealed with the identity secrets key. */
    sealedPart: text('sealed_part').notNull(),
    status: text('status', { enum: FACTOR_RESET_STATUSES }).notNull().default('pending'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    decidedBy: uuid('decided_by'),
    decidedByName: text('decided_by_name'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    decisionReason: text('decision_reason'),
  },
  (t) => [
    uniqueIndex('factor_resets_one_pending_idx')
      .on(t.userId)
      .where(sql`${t.status} = 'pending'`),
    index('factor_resets_status_idx').on(t.status, t.createdAt),
  ],
);
