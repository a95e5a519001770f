import { pgSchema } from 'drizzle-orm/pg-core';

/** The Postgres schema owned by the hardened-os domain; its tables are declared next to their features. */
export const hardenedOsSchema = pgSchema('hardened_os');
