import { pgSchema } from 'drizzle-orm/pg-core';

/** The Postgres schema owned by the device-mgmt domain; its tables are declared next to their features. */
export const deviceMgmtSchema = pgSchema('device_mgmt');
