import { doublePrecision, index, text, timestamp } from 'drizzle-orm/pg-core';
import { identitySchema } from '../identity.schema.js';

/**
 * The directory's search budget of each caller (a token bucket, PAKAWAAZ_DIRECTORY_RATE a minute), shared by
 * every node: N nodes do not give N times the budget for walking the directory. A row whose bucket has refilled
 * (a minute after its last search) carries nothing and is swept.
 */
export const directoryBudgets = identitySchema.table(
  'directory_budgets',
  {
    /** `official:<id>`, `user:<id>`, `api_token:<id>`: whose budget. */
    key: text('key').primaryKey(),
    tokens: doublePrecision('tokens').notNull(),
    /** When `tokens` was last computed, on the database's clock (one clock for every node). */
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('directory_budgets_at_idx').on(t.at)],
);
