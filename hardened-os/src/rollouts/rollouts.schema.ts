import { sql } from 'drizzle-orm';
import {
  doublePrecision,
  index,
  integer,
  jsonb,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { hardenedOsSchema } from '../hardened-os.schema.js';
import type { Stage } from './rollout-rules.js';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** An institution's rollout ring; an institution without a row is in the broad ring. */
export const institutionRings = hardenedOsSchema.table('institution_rings', {
  institutionId: uuid('institution_id').primaryKey(),
  ring: text('ring', { enum: ['pilot', 'early', 'broad'] }).notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** One release rolled out ring by ring, stage by stage. */
export const rollouts = hardenedOsSchema.table(
  'rollouts',
  {
    id: uuid('id').primaryKey(),
    releaseId: uuid('release_id').notNull(),
    /** The release's model (codename), copied so that "one active rollout per model" is an index. */
    model: text('model').notNull(),
    stages: jsonb('stages').$type<Stage[]>().notNull(),
    state: text('state', { enum: ['scheduled', 'running', 'paused', 'halted', 'completed'] }).notNull(),
    currentStage: integer('current_stage').notNull().default(0),
    startAt: at('start_at').notNull(),
    stageStartedAt: at('stage_started_at'),
    failureThreshold: doublePrecision('failure_threshold').notNull(),
    minOutcomes: integer('min_outcomes').notNull(),
    haltReason: text('halt_reason'),
    createdBy: text('created_by').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // One scheduled, running or paused rollout per model: two would offer a handset two builds.
    uniqueIndex('rollouts_one_active_per_model')
      .on(t.model)
      .where(sql`${t.state} in ('scheduled', 'running', 'paused')`),
    index('rollouts_created_idx').on(t.createdAt),
  ],
);

/**
 * The latest outcome per (rollout, device), with the stage and ring that took the device in (kept from its
 * first report): counts are rows, so a redelivered event never counts twice.
 */
export const rolloutDevices = hardenedOsSchema.table(
  'rollout_devices',
  {
    rolloutId: uuid('rollout_id').notNull(),
    deviceId: text('device_id').notNull(),
    institutionId: uuid('institution_id'),
    ring: text('ring', { enum: ['pilot', 'early', 'broad'] }).notNull(),
    stage: integer('stage').notNull(),
    outcome: text('outcome', { enum: ['offered', 'updated', 'failed'] }).notNull(),
    detail: text('detail'),
    at: at('at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.rolloutId, t.deviceId] }),
    index('rollout_devices_stage_idx').on(t.rolloutId, t.stage),
  ],
);
