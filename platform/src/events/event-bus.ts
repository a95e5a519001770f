import { createHash, randomUUID } from 'node:crypto';

/**
 * A domain event. `type` is dotted, domain first (`identity.user.updated`); `id` is the idempotency key:
 * durable consumers see every event at least once, and handle it once per consumer name.
 */
export type DomainEvent<T = unknown, K extends string = string> = {
  readonly id: string;
  readonly type: K;
  readonly source: string;
  readonly occurredAt: string;
  readonly data: T;
};

export type EventHandler<E extends DomainEvent = DomainEvent> = (event: E) => Promise<void>;

export type Subscription = { unsubscribe(): Promise<void> };

/** `onGap`: the node was disconnected from the bus and is again: transient events sent meanwhile were lost. */
export type TransientOptions = { onGap?: () => void };

export type EventBusHealth = { status: 'up' | 'down'; detail?: string };

/**
 * Port for domain events. Flows that go *up* the import floors (device non-compliant → bar SIM) travel here.
 * Two kinds of subscription:
 * - `subscribe(consumer, …)` is **durable**: work that must happen once per cluster. With NATS JetStream the
 *   consumer survives restarts and resumes where it stopped; nodes with the same consumer name share the
 *   work; a handler that throws gets the event again later (at-least-once, so wrap it in `idempotent`).
 *   Consumer names are fixed strings: never one per process start.
 * - `subscribeBroadcast(name, …)` is **broadcast**: every node gets every event published from now on, for
 *   per-node state (caches). Nothing is kept on the server after the subscription ends; a handler that throws
 *   is logged, not retried (caches re-read their source on their own schedule).
 * - `subscribeTransient(name, …)` gets **transient** events, sent with `signal` (never `publish`): hints to
 *   the nodes connected now ("read your queue", a call ringing), where the state they point at is stored
 *   elsewhere. With NATS they are core NATS messages on their own subjects: never stored, no ack, no
 *   replay — a node disconnected meanwhile misses them, and its `onGap` runs when it is connected again
 *   (it re-reads what the hints were about). In process they are delivered like broadcasts.
 * `filter` is an event type, a prefix ending in `>` (`identity.>`), or `>` for everything. A handler that
 * throws an `InvalidEventError` (see `typedHandler`) has its event dead-lettered at once.
 */
export type EventBus = {
  readonly mode: 'in-process' | 'nats';
  publish(event: DomainEvent): Promise<void>;
  subscribe(consumer: string, filter: string, handler: EventHandler): Promise<Subscription>;
  subscribeBroadcast(name: string, filter: string, handler: EventHandler): Promise<Subscription>;
  /** Sends a transient event (its definition says `transient: true`) to the nodes subscribed now. */
  signal(event: DomainEvent): Promise<void>;
  subscribeTransient(
    name: string,
    filter: string,
    handler: EventHandler,
    options?: TransientOptions,
  ): Promise<Subscription>;
  health(): Promise<EventBusHealth>;
  close(): Promise<void>;
};

/** Nest injection token for the EventBus port. */
export const EVENT_BUS = Symbol.for('pakawaaz.EventBus');

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
const FILTER_PREFIX_PATTERN = /^([a-z][a-z0-9-]*\.)+>$/;
/** Largest serialised event either bus accepts or hands to a handler (NATS's default max_payload is 1 MiB). */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * Builds an event without checking its data against a schema: for the bus's own tests and tools. Domain code
 * publishes through its `defineEvent` definitions (`UserUpdated.create(data)`), which validate.
 */
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

export function assertValidFilter(filter: string): void {
  if (filter === '>' || EVENT_TYPE_PATTERN.test(filter) || FILTER_PREFIX_PATTERN.test(filter)) return;
  throw new Error(`invalid event filter "${filter}": expected an event type, a prefix ending in ".>" or ">"`);
}

/**
 * Thrown by a handler (normally `typedHandler`) when an event's data is not what the consumer expects. The
 * bus records a dead letter and never redelivers it: a payload that fails validation once fails every time.
 */
export class InvalidEventError extends Error {
  constructor(readonly reason: string) {
    super(`event rejected: ${reason}`);
    this.name = 'InvalidEventError';
  }
}

/**
 * A consumer name as a JetStream durable name: durable names may not contain `.`, `*`, `>`, slashes or
 * whitespace; a hash keeps sanitised names distinct.
 */
export function durableName(consumer: string): string {
  const clean = consumer.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  if (clean === consumer) return clean;
  return `${clean}_${createHash('sha256').update(consumer).digest('hex').slice(0, 8)}`;
}
