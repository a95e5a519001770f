import { index, integer, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { secureChatSchema } from '../secure-chat.schema.js';

/**
 * e-Office bots: service accounts of one institution that are MLS members with a device-CA certificate (device
 * management records the certificate under the bot's id). The server delivers a bot's queue to its webhook,
 * signed (Standard Webhooks) with `webhook_secret`; only the SHA-256 of the one-time enrolment secret is kept.
 */
export const chatBots = secureChatSchema.table(
  'bots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id').notNull(),
    name: text('name').notNull(),
    webhookUrl: text('webhook_url').notNull(),
    /** `whsec_<base64>`: the server must sign with it, so it is kept (never logged, shown once). */
    webhookSecret: text('webhook_secret').notNull(),
    /**
     * The secret a rotation replaced (sealed as `webhook_secret`): deliveries are signed with it too until
     * `previous_secret_until`, so the receiver can switch over without missing one. Null: no overlap.
     */
    previousWebhookSecret: text('previous_webhook_secret'),
    previousSecretUntil: timestamp('previous_secret_until', { withTimezone: true, mode: 'date' }),
    /** SHA-256 (base64url) of the one-time enrolment secret; null once spent. */
    enrolmentSecretHash: text('enrolment_secret_hash'),
    state: text('state', { enum: ['pending', 'active', 'disabled'] })
      .notNull()
      .default('pending'),
    /** Consecutive failed webhook deliveries (reset on a 2xx). */
    failures: integer('failures').notNull().default(0),
    lastDeliveryAt: timestamp('last_delivery_at', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    /** When a failed delivery is retried (no node delivers before it); null when not backing off. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    /** The drain lease: the one node delivering the queue holds it until `draining_until` (renewed per batch). */
    drainingUntil: timestamp('draining_until', { withTimezone: true, mode: 'date' }),
    /** Which claim holds the lease (a random id per claim): only it renews or releases it. */
    drainLease: uuid('drain_lease'),
    enrolledAt: timestamp('enrolled_at', { withTimezone: true, mode: 'date' }),
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('bots_institution_idx').on(t.institutionId)],
);

export type ChatBotRow = typeof chatBots.$inferSelect;
