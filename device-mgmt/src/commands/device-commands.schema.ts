import { sql } from 'drizzle-orm';
import { index, jsonb, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { deviceMgmtSchema } from '../device-mgmt.schema.js';

export const COMMAND_STATES = ['queued', 'delivered', 'succeeded', 'failed', 'expired', 'cancelled'] as const;
export type CommandState = (typeof COMMAND_STATES)[number];

/**
 * Commands for handsets, queued by operators and delivered at check-in. A row per command: they survive a
 * restart. `idempotency_key` is unique per device: the same key never makes a second command; the app store's
 * installs carry keys starting `app:` (reserved for them).
 */
export const deviceCommands = deviceMgmtSchema.table(
  'device_commands',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deviceId: uuid('device_id').notNull(),
    institutionId: text('institution_id'),
    type: text('type').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    idempotencyKey: text('idempotency_key').notNull(),
    state: text('state', { enum: COMMAND_STATES }).notNull().default('queued'),
    createdBy: text('created_by').notNull(),
    createdByName: text('created_by_name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true, mode: 'date' }),
    result: jsonb('result').$type<{ detail?: string }>(),
  },
  (t) => [
    uniqueIndex('device_commands_idempotency_idx').on(t.deviceId, t.idempotencyKey),
    index('device_commands_device_idx').on(t.deviceId, t.state),
    index('device_commands_open_idx').on(t.state, t.expiresAt),
    // The app store reads its installs' outcomes by key prefix (AppFleetService.outcomes): a range over the
    // keys in byte order ("C"), which a prefix always is, whatever the database's collation.
    index('device_commands_key_idx').on(sql`${t.idempotencyKey} collate "C"`),
  ],
);
