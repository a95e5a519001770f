import { text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { identitySchema } from '../identity.schema.js';

/** NOC operators. `institution_id` is a plain id (institutions live in this schema, but scoping is optional). */
export const operators = identitySchema.table('operators', {
  id: uuid('id').primaryKey(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  passwordHash: text('password_hash').notNull(),
  roles: text('roles').array().notNull(),
  institutionId: uuid('institution_id'),
  status: text('status', { enum: ['active', 'disabled'] })
    .notNull()
    .default('active'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  lastLoginAt: timestamp('last_login_at', { withTimezone: true, mode: 'date' }),
});
