import { sql } from 'drizzle-orm';
import {
  doublePrecision,
  index,
  integer,
  jsonb,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { appStoreSchema } from '../app-store.schema.js';
import type { AppRolloutSums } from './app-rollout-rules.js';

/**
 * Where a rollout's engine is in its walk over the institution's handsets (an institution larger than one pass
 * is walked over several ticks): the figures summed over the devices this cycle reached so far, and the lowest
 * share the cycle ran at (it completes the rollout only if it ran at 100 % throughout); `last`, the figures of
 * the last whole cycle (what an operator is shown while the next one is under way).
 */
export type AppRolloutSweep = {
  readonly partial: AppRolloutSums | null;
  readonly percent: number;
  readonly last: AppRolloutSums | null;
};

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * One approved version installed on a growing share of one institution's handsets. The devices are device-mgmt's
 * and the installs its commands: this row holds only what operators decided (the share, the state) and why a
 * rollout stopped; the figures are weighed from the fleet each time.
 */
export const appRollouts = appStoreSchema.table(
  'app_rollouts',
  {
    id: uuid('id').primaryKey(),
    versionId: uuid('version_id').notNull(),
    appId: uuid('app_id').notNull(),
    institutionId: uuid('institution_id').notNull(),
    percent: integer('percent').notNull(),
    state: text('state', { enum: ['running', 'paused', 'halted', 'completed'] }).notNull(),
    failureThreshold: doublePrecision('failure_threshold').notNull(),
    minDevices: integer('min_devices').notNull(),
    haltReason: text('halt_reason'),
    /** The last device id the engine's current cycle reached (null: the next pass starts at the first). */
    cursor: text('cursor'),
    sweep: jsonb('sweep').$type<AppRolloutSweep>(),
    /** When the halted rollout's installs not yet delivered were cancelled (null: not yet; the tick retries). */
    installsCancelledAt: at('installs_cancelled_at'),
    /** When it completed: it is still weighed for SOAK_MS after (crash reports come at later check-ins). */
    completedAt: at('completed_at'),
    createdById: text('created_by_id').notNull(),
    createdByName: text('created_by_name').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // One running or paused rollout per app and institution: two would install two versions side by side.
    uniqueIndex('app_rollouts_one_active')
      .on(t.appId, t.institutionId)
      .where(sql`${t.state} in ('running', 'paused')`),
    index('app_rollouts_institution_idx').on(t.institutionId, t.createdAt),
    index('app_rollouts_version_idx').on(t.versionId),
    // The completed rollouts still soaking (weighed by every tick).
    index('app_rollouts_soaking_idx')
      .on(t.completedAt)
      .where(sql`${t.state} = 'completed'`),
    // The halted rollouts whose installs are still to cancel (a halt on a node without a fleet, or a failure).
    index('app_rollouts_to_cancel_idx')
      .on(t.id)
      .where(sql`${t.state} = 'halted' and ${t.installsCancelledAt} is null`),
  ],
);

/**
 * Versions killed, and when: the engine keeps uninstalling a killed version, for as long as an install of it
 * could still be acknowledged (the commands' expiry), from handsets that report it after the kill (one that
 * installed it at a check-in reports it at the next). A repeated kill moves the time on.
 */
export const appVersionKills = appStoreSchema.table(
  'app_version_kills',
  {
    versionId: uuid('version_id').primaryKey(),
    reason: text('reason').notNull(),
    killedAt: at('killed_at').notNull().defaultNow(),
  },
  (t) => [index('app_version_kills_at_idx').on(t.killedAt)],
);
