// What the JetStream event bus (nats-event-bus.ts) and its two kinds of subscription share: settings, the
// connection, message parsing and dead-lettering of unreadable messages.
import {
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { payloadText, type DeadLetterSink } from './dead-letters.js';
import { EVENT_TYPE_PATTERN, MAX_EVENT_BYTES, type DomainEvent } from './event-bus.js';

export const MAX_RETRY_DELAY_MS = 60_000;
export const RESUBSCRIBE_DELAY_MS = 1_000;
/** Messages pulled ahead per subscription; small, as they are handled one at a time. */
export const PULL_BATCH = 8;
/**
 * How long one pull request lives (nats.js sends idle heartbeats every half of it). A pull lost around a
 * reconnect is replaced only after two missed heartbeats: with nats.js's default of 30 s a node could go
 * that long without the events published after it came back. 5 s bounds that gap; the cost is one pull
 * request per consumer every 5 s while idle.
 */
export const PULL_EXPIRES_MS = 5_000;

export type Settings = {
  readonly location: string;
  readonly stream: string;
  readonly prefix: string;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly retryDelayMs: number;
  readonly deadLetters: DeadLetterSink;
};

/** What every subscription shares: the connection, JetStream, settings and logger. */
export type Context = {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly settings: Settings;
  readonly logger: Logger;
};

export function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.message || (err as { code?: string }).code || err.name;
  return String(err);
}

export type Parsed = { event: DomainEvent; reason?: undefined } | { event?: undefined; reason: string };

/** A message body we can hand to a handler, or why not (the message is then dead-lettered). */
export function parseEvent(data: Uint8Array): Parsed {
  if (data.length > MAX_EVENT_BYTES) return { reason: `larger than ${MAX_EVENT_BYTES} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return { reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || !('data' in value))
    return { reason: 'not a domain event (no data)' };
  const e = value as Record<string, unknown>;
  const strings = [e.id, e.type, e.source, e.occurredAt].every((v) => typeof v === 'string' && v.length > 0);
  if (!strings) return { reason: 'not a domain event (id, type, source, occurredAt)' };
  if (!EVENT_TYPE_PATTERN.test(e.type as string)) return { reason: 'invalid event type' };
  return { event: value as DomainEvent };
}

/** What a subscription does with a message that cannot reach its handler: record it, say so, never retry. */
export async function deadLetterMalformed(
  ctx: Context,
  consumer: string,
  m: JsMsg,
  reason: string,
): Promise<void> {
  const { prefix } = ctx.settings;
  const type = m.subject.startsWith(`${prefix}.`) ? m.subject.slice(prefix.length + 1) : m.subject;
  ctx.logger.error(
    { consumer, subject: m.subject, seq: m.seq, reason },
    'event dead-lettered: the message is not a readable domain event',
  );
  await ctx.settings.deadLetters.record({
    consumer,
    eventId: null,
    type,
    kind: 'malformed',
    reason,
    payload: payloadText(m.data),
    attempts: m.info.deliveryCount,
  });
}
