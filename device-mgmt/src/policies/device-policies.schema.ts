import { index, integer, jsonb, text, timestamp } from 'drizzle-orm/pg-core';
import { deviceMgmtSchema } from '../device-mgmt.schema.js';
import type { PolicySettings } from './policy-settings.js';

/**
 * Every stored device policy, history included: the newest version of a scope ('national' or an institution
 * id) is in force. Versions are unique across scopes (one sequence), so the version a handset reports it
 * applied names exactly one set of settings; version 0 is the built-in national default.
 */
export const devicePolicies = deviceMgmtSchema.table(
  'device_policies',
  {
    version: integer('version').primaryKey(),
    scope: text('scope').notNull(),
    settings: jsonb('settings').$type<PolicySettings>().notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedByName: text('updated_by_name').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('device_policies_scope_idx').on(t.scope, t.version)],
);
