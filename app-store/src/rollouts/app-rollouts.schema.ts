import { sql } from 'drizzle-orm';
import { doublePrecision, index, integer, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { appStoreSchema } from '../app-store.schema.js';

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
  ],
);
