import { index, integer, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { platformSchema } from '../db/platform.schema.js';

/**
 * Events a consumer gave up on: a payload that failed its schema, a message that is not an event, or a handler
 * that kept failing. The payload is kept as received (text, possibly not even JSON) for the operator to
 * inspect; it never leaves the database through logs or the API.
 */
export const deadLetters = platformSchema.table(
  'dead_letters',
  {
    id: uuid('id').primaryKey(),
    /** Null when the message was not a readable event. */
    eventId: text('event_id'),
    /** The event type, or the subject's tail when the message was not a readable event. */
    type: text('type').notNull(),
    consumer: text('consumer').notNull(),
    kind: text('kind', { enum: ['invalid-payload', 'handler-failed', 'malformed'] }).notNull(),
    reason: text('reason').notNull(),
    payload: text('payload').notNull(),
    attempts: integer('attempts').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    // A redelivery of a message already dead-lettered (a crash before the terminate) records it once.
    uniqueIndex('dead_letters_consumer_event_idx').on(t.consumer, t.eventId),
    index('dead_letters_received_at_idx').on(t.receivedAt),
  ],
);
