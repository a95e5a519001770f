import { text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { identitySchema } from '../identity.schema.js';

/** Ministries and attached departments. Rollout phase and visibility rules arrive with the directory feature. */
export const institutions = identitySchema.table('institutions', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
