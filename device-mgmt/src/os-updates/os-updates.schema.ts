import { sql } from 'drizzle-orm';
import { index, jsonb, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { deviceMgmtSchema } from '../device-mgmt.schema.js';

export const OS_UPDATE_STATES = ['offered', 'updated', 'verified', 'failed'] as const;
export type OsUpdateState = (typeof OS_UPDATE_STATES)[number];

/**
 * A device's part in an OS rollout, one row per (device, rollout): born `offered` with its `update_os`
 * command; `updated` when a check-in reports the target build; `verified` when the first attestation after
 * it is accepted; `failed` from `offered` (acknowledged failed, or back on the build with a bad boot) or
 * from `updated` (attestation refused). Each move is a conditional update: concurrent check-ins move it once.
 */
export const deviceOsUpdates = deviceMgmtSchema.table(
  'device_os_updates',
  {
    deviceId: uuid('device_id').notNull(),
    rolloutId: text('rollout_id').notNull(),
    institutionId: text('institution_id'),
    releaseId: text('release_id').notNull(),
    buildId: text('build_id').notNull(),
    /** The release's security patch level (YYYY-MM-DD): the attestation after the update must show it. */
    securityPatchLevel: text('security_patch_level'),
    commandId: uuid('command_id'),
    state: text('state', { enum: OS_UPDATE_STATES }).notNull().default('offered'),
    detail: text('detail'),
    offeredAt: timestamp('offered_at', { withTimezone: true, mode: 'date' }).notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.rolloutId] })],
);

/**
 * Outbox of `device-mgmt.device.os-update` events: written in the transaction that decides the outcome,
 * published after commit, and again by the relay until marked published (a crash between the two loses
 * nothing; the event id is the row id, so durable consumers see a repeat as the same event).
 */
export const osUpdateEvents = deviceMgmtSchema.table(
  'os_update_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deviceId: uuid('device_id').notNull(),
    rolloutId: text('rollout_id').notNull(),
    outcome: text('outcome', { enum: ['offered', 'updated', 'failed'] }).notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    // Each outcome once per device and rollout, whoever decides it.
    uniqueIndex('os_update_events_once_idx').on(t.deviceId, t.rolloutId, t.outcome),
    index('os_update_events_unpublished_idx')
      .on(t.createdAt)
      .where(sql`${t.publishedAt} is null`),
  ],
);
