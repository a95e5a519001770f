import { pgSchema } from 'drizzle-orm/pg-core';

/** The Postgres schema owned by the app-store domain; its tables are declared next to their features. */
export const appStoreSchema = pgSchema('app_store');
