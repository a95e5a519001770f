import { primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { platformSchema } from '../db/platform.schema.js';

/** Which consumer has handled which event: makes at-least-once delivery idempotent per consumer. */
export const eventReceipts = platformSchema.table(
  'event_receipts',
  {
    consumer: text('consumer').notNull(),
    eventId: text('event_id').notNull(),
    handledAt: timestamp('handled_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);
