import { randomUUID } from 'node:crypto';

/**
 * A domain event. `type` is dotted, domain first (`identity.operator.created`); `id` is the idempotency key:
 * consumers see every event at least once, and handle it once per consumer name.
 */
export type DomainEvent<T = unknown> = {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly occurredAt: string;
  readonly data: T;
};

export type EventHandler = (event: DomainEvent) => Promise<void>;

export type Subscription = { unsubscribe(): Promise<void> };

export type EventBusHealth = { status: 'up' | 'down'; detail?: string };

/**
 * Port for domain events. Flows that go *up* the import floors (device non-compliant → bar SIM) travel here.
 * - `consumer` names a durable subscription: with NATS JetStream it survives process restarts and resumes
 *   where it stopped; several nodes with the same consumer name share the work.
 * - `filter` is an event type, or a prefix ending in `>` (`identity.>`), or `>` for everything.
 * - a handler that throws gets the event again later (at-least-once).
 */
export type EventBus = {
  readonly mode: 'in-process' | 'nats';
  publish(event: DomainEvent): Promise<void>;
  subscribe(consumer: string, filter: string, handler: EventHandler): Promise<Subscription>;
  health(): Promise<EventBusHealth>;
  close(): Promise<void>;
};

/** Nest injection token for the EventBus port. */
export const EVENT_BUS = Symbol.for('pakawaaz.EventBus');

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

export function newEvent<T>(
  type: string,
  source: string,
  data: T,
  now: Date = new Date(),
  id: string = randomUUID(),
): DomainEvent<T> {
  if (!EVENT_TYPE_PATTERN.test(type))
    throw new Error(`invalid event type "${type}": expected dotted lower-case words`);
  return { id, type, source, occurredAt: now.toISOString(), data };
}

/** Whether an event type matches a subscription filter (exact, `prefix.>` or `>`). */
export function matchesFilter(type: string, filter: string): boolean {
  if (filter === '>') return true;
  if (filter.endsWith('.>')) return type.startsWith(filter.slice(0, -1));
  return type === filter;
}
