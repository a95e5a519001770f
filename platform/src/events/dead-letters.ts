import { randomUUID } from 'node:crypto';
import { count, desc, gte } from 'drizzle-orm';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { Db } from '../db/database.js';
import type { Metrics } from '../metrics/metrics.js';
import { deadLetters } from './dead-letters.schema.js';

export type DeadLetterKind = 'invalid-payload' | 'handler-failed' | 'malformed';

export type DeadLetter = {
  readonly consumer: string;
  readonly eventId: string | null;
  readonly type: string;
  readonly kind: DeadLetterKind;
  /** Why: validation issues (paths and messages, never values) or the handler's last error message. */
  readonly reason: string;
  /** The message as received. */
  readonly payload: string;
  readonly attempts: number;
};

/** Where the buses put events a consumer gave up on. `record` never throws: a dead letter must not wedge a consumer. */
export type DeadLetterSink = { record(letter: DeadLetter): Promise<void> };

export type DeadLetterView = {
  id: string;
  eventId: string | null;
  type: string;
  consumer: string;
  kind: DeadLetterKind;
  reason: string;
  receivedAt: string;
};
export type DeadLetterSummary = { total: number; last24h: number; latest: DeadLetterView[] };

/** Nest injection token for the DeadLetterStore. */
export const DEAD_LETTERS = Symbol.for('pakawaaz.DeadLetters');

const MAX_PAYLOAD_CHARS = 64 * 1024;
const MAX_REASON_CHARS = 1_000;

/**
 * The platform's dead-letter record: a row in `platform.dead_letters` (cluster-wide, shown on /api/v1/system
 * and the NOC System page) and `pakawaaz_event_dead_letters_total` on /metrics. The buses log each one.
 */
export class DeadLetterStore implements DeadLetterSink {
  private readonly counter: Counter<'consumer' | 'kind'>;

  constructor(
    private readonly db: Db,
    metrics: Pick<Metrics, 'registry'>,
    private readonly logger: Logger,
  ) {
    this.counter = new Counter({
      name: 'pakawaaz_event_dead_letters_total',
      help: 'Events a consumer gave up on (invalid payload, malformed message, handler kept failing)',
      labelNames: ['consumer', 'kind'] as const,
      registers: [metrics.registry],
    });
  }

  async record(letter: DeadLetter): Promise<void> {
    this.counter.inc({ consumer: letter.consumer, kind: letter.kind });
    try {
      await this.db
        .insert(deadLetters)
        .values({
          id: randomUUID(),
          eventId: letter.eventId,
          type: letter.type.slice(0, 200),
          consumer: letter.consumer.slice(0, 200),
          kind: letter.kind,
          reason: letter.reason.slice(0, MAX_REASON_CHARS),
          payload: letter.payload.slice(0, MAX_PAYLOAD_CHARS),
          attempts: letter.attempts,
        })
        .onConflictDoNothing();
    } catch (err) {
      this.logger.error(
        {
          consumer: letter.consumer,
          eventId: letter.eventId,
          eventType: letter.type,
          error: err instanceof Error ? err.message : String(err),
        },
        'could not store a dead letter; it is only in this log and the metric',
      );
    }
  }

  async summary(now: Date = new Date(), limit = 10): Promise<DeadLetterSummary> {
    const since = new Date(now.getTime() - 24 * 3_600_000);
    const [[all], [recent], latest] = await Promise.all([
      this.db.select({ n: count() }).from(deadLetters),
      this.db.select({ n: count() }).from(deadLetters).where(gte(deadLetters.receivedAt, since)),
      this.db
        .select({
          id: deadLetters.id,
          eventId: deadLetters.eventId,
          type: deadLetters.type,
          consumer: deadLetters.consumer,
          kind: deadLetters.kind,
          reason: deadLetters.reason,
          receivedAt: deadLetters.receivedAt,
        })
        .from(deadLetters)
        .orderBy(desc(deadLetters.receivedAt))
        .limit(limit),
    ]);
    return {
      total: Number(all?.n ?? 0),
      last24h: Number(recent?.n ?? 0),
      latest: latest.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() })),
    };
  }
}

/** The sink of a bus without a database (unit tests, tools): the bus's own error log is the record. */
export const LOG_ONLY_DEAD_LETTERS: DeadLetterSink = { record: () => Promise.resolve() };

/** A message body for the record: UTF-8 text as received (invalid sequences replaced). */
export function payloadText(data: Uint8Array | string): string {
  return typeof data === 'string' ? data : new TextDecoder().decode(data);
}
