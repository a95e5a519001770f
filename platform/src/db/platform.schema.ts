import { pgSchema } from 'drizzle-orm/pg-core';

/** Tables owned by the platform kernel itself (audit log, event receipts). */
export const platformSchema = pgSchema('platform');
