import { pgSchema } from 'drizzle-orm/pg-core';

/** The Postgres schema owned by the core-network domain; its tables are declared next to their features. */
export const coreNetworkSchema = pgSchema('core_network');
