import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import type { DomainEvent } from './event-bus.js';
import { eventReceipts } from './event-receipts.schema.js';

/** Which events each consumer has already handled: turns at-least-once delivery into once per consumer. */
export class EventReceipts {
  constructor(private readonly db: Db) {}

  async has(consumer: string, eventId: string): Promise<boolean> {
    const rows = await this.db
      .select({ eventId: eventReceipts.eventId })
      .from(eventReceipts)
      .where(and(eq(eventReceipts.consumer, consumer), eq(eventReceipts.eventId, eventId)))
      .limit(1);
    return rows.length > 0;
  }

  async record(consumer: string, eventId: string): Promise<void> {
    await this.db.insert(eventReceipts).values({ consumer, eventId }).onConflictDoNothing();
  }
}

/**
 * Wraps a handler so each event id is handled once per consumer name. The receipt is written after the
 * handler succeeds: a crash in between means one more delivery (never a lost event). Two deliveries of one
 * event running at the same time (a redelivery racing the original) can both pass the check, so handlers
 * whose effects must happen once write them idempotently too (e.g. a conditional update).
 */
export function idempotent<E extends DomainEvent>(
  receipts: EventReceipts,
  consumer: string,
  handler: (event: E) => Promise<void>,
): (event: E) => Promise<void> {
  return async (event) => {
    if (await receipts.has(consumer, event.id)) return;
    await handler(event);
    await receipts.record(consumer, event.id);
  };
}
