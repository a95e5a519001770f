import { sql } from 'drizzle-orm';
import { index, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { deviceMgmtSchema } from '../device-mgmt.schema.js';

/**
 * A named group of one institution's handsets ("Field officers", "Cabinet"). A device is in at most one group
 * (`devices.group_id`); a group's policy is stored with the others under the scope `group:<id>`.
 */
export const deviceGroups = deviceMgmtSchema.table(
  'device_groups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: text('institution_id').notNull(),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('device_groups_institution_idx').on(t.institutionId),
    uniqueIndex('device_groups_name_idx').on(t.institutionId, sql`lower(${t.name})`),
  ],
);
