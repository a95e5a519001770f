import { pgSchema } from 'drizzle-orm/pg-core';

/** The Postgres schema owned by the identity domain; its tables are declared next to their features. */
export const identitySchema = pgSchema('identity');
