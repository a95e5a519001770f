import { pgSchema } from 'drizzle-orm/pg-core';

/** The Postgres schema owned by the secure-chat domain; its tables are declared next to their features. */
export const secureChatSchema = pgSchema('secure_chat');
