import type { Logger } from 'pino';
import {
  EVENT_TYPE_PATTERN,
  matchesFilter,
  type DomainEvent,
  type EventBus,
  type EventBusHealth,
  type EventHandler,
  type Subscription,
} from './event-bus.js';

export type InProcessEventBusOptions = {
  /** Deliveries per event and consumer before it is dead-lettered (logged and dropped). */
  maxAttempts?: number;
  /** First retry delay; doubles on each attempt up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
};

type Member = { readonly filter: string; readonly handler: EventHandler };
/** The subscriptions sharing one consumer name; each event goes to one of them, in turn. */
type ConsumerGroup = { members: Member[]; next: number };

const FILTER_PREFIX_PATTERN = /^([a-z][a-z0-9-]*\.)+>$/;

function assertValidFilter(filter: string): void {
  if (filter === '>' || EVENT_TYPE_PATTERN.test(filter) || FILTER_PREFIX_PATTERN.test(filter)) return;
  throw new Error(`invalid event filter "${filter}": expected an event type, a prefix ending in ".>" or ">"`);
}

/** Runs fn now and turns its result or exception into a promise (the port's methods never throw synchronously). */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

/**
 * The EventBus of a single node (no NATS_URL). Same contract as the JetStream bus, minus durability:
 * delivery is asynchronous, at-least-once while the process lives, and events are copied through JSON so
 * a handler sees exactly what it would receive from NATS (and cannot mutate another consumer's copy).
 */
export class InProcessEventBus implements EventBus {
  readonly mode = 'in-process' as const;
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(
    private readonly logger: Logger,
    options: InProcessEventBusOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.retryBaseMs = options.retryBaseMs ?? 200;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
  }

  publish(event: DomainEvent): Promise<void> {
    return settle(() => {
      this.assertOpen();
      if (!EVENT_TYPE_PATTERN.test(event.type)) throw new Error(`invalid event type "${event.type}"`);
      const json = JSON.stringify(event);
      for (const [consumer, group] of this.groups) {
        if (group.members.some((m) => matchesFilter(event.type, m.filter)))
          this.track(this.deliver(consumer, group, event, json));
      }
    });
  }

  subscribe(consumer: string, filter: string, handler: EventHandler): Promise<Subscription> {
    return settle(() => {
      this.assertOpen();
      assertValidFilter(filter);
      const group = this.groups.get(consumer) ?? { members: [], next: 0 };
      this.groups.set(consumer, group);
      const member: Member = { filter, handler };
      group.members.push(member);
      const unsubscribe = () => {
        group.members = group.members.filter((m) => m !== member);
        if (group.members.length === 0 && this.groups.get(consumer) === group) this.groups.delete(consumer);
        return Promise.resolve();
      };
      return { unsubscribe };
    });
  }

  health(): Promise<EventBusHealth> {
    return Promise.resolve({ status: 'up', detail: 'in-process' });
  }

  /** Stops accepting events, cancels pending retries, and waits for the handlers that are running. */
  async close(): Promise<void> {
    this.shutdown.abort();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private assertOpen(): void {
    if (this.shutdown.signal.aborted) throw new Error('event bus is closed');
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Picks the next member of the group whose filter matches (round-robin); undefined when none is left. */
  private pick(group: ConsumerGroup, type: string): Member | undefined {
    const n = group.members.length;
    for (let i = 0; i < n; i++) {
      const member = group.members[(group.next + i) % n];
      if (member && matchesFilter(type, member.filter)) {
        group.next = (group.next + i + 1) % n;
        return member;
      }
    }
    return undefined;
  }

  private async deliver(
    consumer: string,
    group: ConsumerGroup,
    event: DomainEvent,
    json: string,
  ): Promise<void> {
    const meta = { consumer, eventId: event.id, eventType: event.type };
    // Never inside the publisher's call stack: the publisher's transaction and locks are released first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let attempt = 1; ; attempt++) {
      const member = this.pick(group, event.type);
      if (!member) {
        this.logger.warn(meta, 'event dropped: its consumer unsubscribed before handling it');
        return;
      }
      try {
        await member.handler(JSON.parse(json) as DomainEvent);
        return;
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        if (attempt >= this.maxAttempts) {
          this.logger.error(
            { ...meta, attempts: attempt, error },
            'event dead-lettered: handler kept failing',
          );
          return;
        }
        this.logger.warn({ ...meta, attempt, error }, 'event handler failed; will retry');
      }
      if (!(await this.backoff(attempt))) {
        this.logger.warn(
          { ...meta, attempts: attempt },
          'event dropped: bus closed while a retry was pending',
        );
        return;
      }
    }
  }

  /** Waits before the next attempt; false when the bus closes meanwhile. */
  private backoff(attempt: number): Promise<boolean> {
    const signal = this.shutdown.signal;
    if (signal.aborted) return Promise.resolve(false);
    const ms = Math.min(this.retryBaseMs * 2 ** (attempt - 1), this.retryMaxMs);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
