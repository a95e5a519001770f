import type { Logger } from 'pino';
import { LOG_ONLY_DEAD_LETTERS, type DeadLetterKind, type DeadLetterSink } from './dead-letters.js';
import {
  assertValidFilter,
  InvalidEventError,
  matchesFilter,
  type DomainEvent,
  type EventBus,
  type EventBusHealth,
  type EventHandler,
  type Subscription,
} from './event-bus.js';
import { sendableJson, type EventCatalog } from './event-contract.js';
import { pause } from './pause.js';

export type InProcessEventBusOptions = {
  /** Deliveries per event and durable consumer before it is dead-lettered. */
  maxAttempts?: number;
  /** First retry delay; doubles on each attempt up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Where dead letters go; default: the bus's error log only. */
  deadLetters?: DeadLetterSink;
  /** When given, publish refuses types it does not declare and data their schema rejects. */
  catalog?: EventCatalog;
};

type Member = { readonly filter: string; readonly handler: EventHandler };
/** The subscriptions sharing one consumer name; each event goes to one of them, in turn. */
type ConsumerGroup = { members: Member[]; next: number };
/** A broadcast subscription, or a transient one (`signal`'s events only). */
type BroadcastMember = Member & { readonly name: string; readonly transient: boolean };

/** Runs fn now and turns its result or exception into a promise (the port's methods never throw synchronously). */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The EventBus of a single node (no NATS_URL). Same contract as the JetStream bus, minus durability:
 * delivery is asynchronous, at-least-once while the process lives, and events are copied through JSON so
 * a handler sees exactly what it would receive from NATS (and cannot mutate another consumer's copy).
 * Broadcast subscriptions are the node's own fan-out: each gets every event once, without retries; transient
 * ones get `signal`'s events the same way (one process is never disconnected from itself: no gap).
 */
export class InProcessEventBus implements EventBus {
  readonly mode = 'in-process' as const;
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly broadcasts = new Set<BroadcastMember>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly deadLetters: DeadLetterSink;
  private readonly catalog: EventCatalog | undefined;

  constructor(
    private readonly logger: Logger,
    options: InProcessEventBusOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.retryBaseMs = options.retryBaseMs ?? 200;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
    this.deadLetters = options.deadLetters ?? LOG_ONLY_DEAD_LETTERS;
    this.catalog = options.catalog;
  }

  publish(event: DomainEvent): Promise<void> {
    return settle(() => {
      const json = this.checked(event, 'publish');
      for (const [consumer, group] of this.groups) {
        if (group.members.some((m) => matchesFilter(event.type, m.filter)))
          this.track(this.deliver(consumer, group, event, json));
      }
      this.cast(event, json, false);
    });
  }

  signal(event: DomainEvent): Promise<void> {
    return settle(() => this.cast(event, this.checked(event, 'signal'), true));
  }

  /** The event as JSON, once the bus is open and the event sendable this way. */
  private checked(event: DomainEvent, how: 'publish' | 'signal'): string {
    this.assertOpen();
    return sendableJson(this.catalog, event, how);
  }

  private cast(event: DomainEvent, json: string, transient: boolean): void {
    for (const member of this.broadcasts)
      if (member.transient === transient && matchesFilter(event.type, member.filter))
        this.track(this.deliverOnce(member, event, json));
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

  subscribeBroadcast(name: string, filter: string, handler: EventHandler): Promise<Subscription> {
    return this.join({ name, filter, handler, transient: false });
  }

  subscribeTransient(name: string, filter: string, handler: EventHandler): Promise<Subscription> {
    return this.join({ name, filter, handler, transient: true });
  }

  private join(member: BroadcastMember): Promise<Subscription> {
    return settle(() => {
      this.assertOpen();
      assertValidFilter(member.filter);
      this.broadcasts.add(member);
      return {
        unsubscribe: () => {
          this.broadcasts.delete(member);
          return Promise.resolve();
        },
      };
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
        if (err instanceof InvalidEventError)
          return this.deadLetter(consumer, event, json, 'invalid-payload', err.reason, attempt);
        if (attempt >= this.maxAttempts)
          return this.deadLetter(consumer, event, json, 'handler-failed', errorText(err), attempt);
        this.logger.warn({ ...meta, attempt, error: errorText(err) }, 'event handler failed; will retry');
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

  /** A broadcast delivery: once, no retry (the node's cache re-reads its source on its own schedule). */
  private async deliverOnce(member: BroadcastMember, event: DomainEvent, json: string): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!this.broadcasts.has(member)) return;
    try {
      await member.handler(JSON.parse(json) as DomainEvent);
    } catch (err) {
      if (err instanceof InvalidEventError)
        return this.deadLetter(member.name, event, json, 'invalid-payload', err.reason, 1);
      this.logger.warn(
        { consumer: member.name, eventId: event.id, eventType: event.type, error: errorText(err) },
        'broadcast event handler failed',
      );
    }
  }

  private async deadLetter(
    consumer: string,
    event: DomainEvent,
    payload: string,
    kind: DeadLetterKind,
    reason: string,
    attempts: number,
  ): Promise<void> {
    this.logger.error(
      { consumer, eventId: event.id, eventType: event.type, attempts, reason },
      kind === 'invalid-payload'
        ? 'event dead-lettered: payload failed validation'
        : 'event dead-lettered: handler kept failing',
    );
    await this.deadLetters.record({
      consumer,
      eventId: event.id,
      type: event.type,
      kind,
      reason,
      payload,
      attempts,
    });
  }

  /** Waits before the next attempt; false when the bus closes meanwhile. */
  private backoff(attempt: number): Promise<boolean> {
    const signal = this.shutdown.signal;
    const ms = Math.min(this.retryBaseMs * 2 ** (attempt - 1), this.retryMaxMs);
    return pause(ms, signal);
  }
}
