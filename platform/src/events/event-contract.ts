import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  assertValidFilter,
  durableName,
  EVENT_TYPE_PATTERN,
  InvalidEventError,
  matchesFilter,
  MAX_EVENT_BYTES,
  type DomainEvent,
  type EventBus,
  type EventHandler,
  type Subscription,
  type TransientOptions,
} from './event-bus.js';

/**
 * Typed events. The publishing domain owns an event's payload schema and declares it once with `defineEvent`;
 * a consumer may not import its publisher (the floors), so it declares what it expects with `expectEvent`.
 * Both lists sit on the domain descriptors (the kernel's registry): server/ checks that every consumer's
 * schema accepts every example of every publisher of that type, and the bus refuses to publish a type no
 * domain declared or data its schema rejects.
 */
export type EventDefinition<K extends string = string, S extends z.ZodType = z.ZodType> = {
  readonly type: K;
  /** The owning domain: the type's first segment. */
  readonly source: string;
  readonly schema: S;
  /** Realistic payloads; the contract test feeds each one to every consumer of this type. */
  readonly examples: readonly z.input<S>[];
  /** Sent with `signal` to `transient` consumers, never stored (EventBus): a hint, not a fact. */
  readonly transient: boolean;
  /** A new event with validated data. A payload the schema rejects is a programming error: this throws. */
  create(data: z.input<S>, options?: { now?: Date; id?: string }): DomainEvent<z.output<S>, K>;
};

/** What a consumer expects of an event type: its own schema of the fields it reads (lenient about the rest). */
export type EventExpectation<K extends string = string, S extends z.ZodType = z.ZodType> = {
  readonly type: K;
  readonly schema: S;
};

export type EventDelivery = 'durable' | 'broadcast' | 'transient';

/** A consumer: its fixed name, how it is delivered, the filter it subscribes with and the events it handles. */
export type EventConsumer<Es extends readonly EventExpectation[] = readonly EventExpectation[]> = {
  readonly name: string;
  readonly delivery: EventDelivery;
  readonly filter: string;
  readonly expects: Es;
};

/** What a domain publishes and consumes; part of its DomainDescriptor. */
export type DomainEvents = {
  readonly publishes?: readonly EventDefinition[];
  readonly consumes?: readonly EventConsumer[];
  /**
   * Durable consumer names this domain created in the past and no longer uses (e.g. one per process start
   * before broadcast subscriptions existed). The NATS bus deletes matching durables at start-up.
   */
  readonly retiredConsumers?: readonly RegExp[];
};

/** The event as a handler of these expectations sees it: one of the expected types, with parsed data. */
export type ReceivedEvent<Es extends readonly EventExpectation[]> = Es[number] extends infer E
  ? E extends EventExpectation<infer K, infer S>
    ? DomainEvent<z.output<S>, K>
    : never
  : never;

export class EventDataError extends Error {
  constructor(type: string, reason: string) {
    super(`invalid data for event ${type}: ${reason}`);
    this.name = 'EventDataError';
  }
}

export function defineEvent<const K extends string, S extends z.ZodType>(
  type: K,
  schema: S,
  options: { examples: readonly [z.input<S>, ...z.input<S>[]]; transient?: boolean },
): EventDefinition<K, S> {
  if (!EVENT_TYPE_PATTERN.test(type)) throw new Error(`invalid event type "${type}"`);
  const source = type.split('.')[0]!;
  return {
    type,
    source,
    schema,
    examples: options.examples,
    transient: options.transient ?? false,
    create(data, { now = new Date(), id = randomUUID() } = {}) {
      const parsed = schema.safeParse(data);
      if (!parsed.success) throw new EventDataError(type, describeIssues(parsed.error));
      return { id, type, source, occurredAt: now.toISOString(), data: parsed.data };
    },
  };
}

export function expectEvent<const K extends string, S extends z.ZodType>(
  type: K,
  schema: S,
): EventExpectation<K, S> {
  if (!EVENT_TYPE_PATTERN.test(type)) throw new Error(`invalid event type "${type}"`);
  return { type, schema };
}

export function defineConsumer<const Es extends readonly EventExpectation[]>(
  consumer: EventConsumer<Es>,
): EventConsumer<Es> {
  assertValidFilter(consumer.filter);
  const uncovered = consumer.expects.filter((e) => !matchesFilter(e.type, consumer.filter));
  if (uncovered.length)
    throw new Error(
      `consumer ${consumer.name}: filter "${consumer.filter}" does not cover ${uncovered.map((e) => e.type).join(', ')}`,
    );
  return consumer;
}

/**
 * Validates each event against the consumer's expectations before the handler sees it. Types the filter
 * matches but the consumer does not expect are skipped; data that fails the schema throws InvalidEventError,
 * which the bus turns into a dead letter (never a retry, never a crash).
 */
export function typedHandler<const Es extends readonly EventExpectation[]>(
  expects: Es,
  handler: (event: ReceivedEvent<Es>) => Promise<void>,
): EventHandler {
  const byType = new Map<string, EventExpectation>(expects.map((e) => [e.type, e]));
  return async (event) => {
    const expectation = byType.get(event.type);
    if (!expectation) return;
    const parsed = expectation.schema.safeParse(event.data);
    if (!parsed.success) throw new InvalidEventError(describeIssues(parsed.error));
    await handler({ ...event, data: parsed.data } as ReceivedEvent<Es>);
  };
}

/**
 * Subscribes a declared consumer: durable, broadcast or transient as declared, its events validated on receive.
 * `options` apply to a transient consumer (its `onGap`).
 */
export function consume<const Es extends readonly EventExpectation[]>(
  bus: EventBus,
  consumer: EventConsumer<Es>,
  handler: (event: ReceivedEvent<Es>) => Promise<void>,
  options?: TransientOptions,
): Promise<Subscription> {
  const typed = typedHandler(consumer.expects, handler);
  if (consumer.delivery === 'durable') return bus.subscribe(consumer.name, consumer.filter, typed);
  if (consumer.delivery === 'broadcast') return bus.subscribeBroadcast(consumer.name, consumer.filter, typed);
  return bus.subscribeTransient(consumer.name, consumer.filter, typed, options);
}

/** Every published event type of the composed system with its definition: what the bus may publish. */
export type EventCatalog = ReadonlyMap<string, EventDefinition>;

export function eventCatalog(
  domains: readonly { readonly name: string; readonly events?: DomainEvents }[],
): EventCatalog {
  const catalog = new Map<string, EventDefinition>();
  for (const d of domains) for (const def of d.events?.publishes ?? []) catalog.set(def.type, def);
  return catalog;
}

/**
 * Throws when the catalog does not declare the event's type, its data fails the declared schema, or it is sent
 * the wrong way: a transient event with `publish` (it would be stored and replayed) or another with `signal`
 * (it would be lost). Without a catalog, nothing is checked.
 */
export function assertPublishable(
  catalog: EventCatalog | undefined,
  event: DomainEvent,
  how: 'publish' | 'signal' = 'publish',
): void {
  if (!catalog) return;
  const def = catalog.get(event.type);
  if (!def)
    throw new EventDataError(
      event.type,
      'no domain declares this event type: declare it with defineEvent and list it in the domain descriptor',
    );
  if (def.transient !== (how === 'signal'))
    throw new EventDataError(
      event.type,
      def.transient ? 'a transient event: send it with signal()' : 'not a transient event: publish() it',
    );
  const parsed = def.schema.safeParse(event.data);
  if (!parsed.success) throw new EventDataError(event.type, describeIssues(parsed.error));
}

/**
 * The event as the bus carries it (JSON), once it is known to be sendable this way: a valid type, declared and
 * sent as declared (assertPublishable), and no larger than MAX_EVENT_BYTES. Both buses call it first.
 */
export function sendableJson(
  catalog: EventCatalog | undefined,
  event: DomainEvent,
  how: 'publish' | 'signal',
): string {
  if (!EVENT_TYPE_PATTERN.test(event.type)) throw new Error(`invalid event type "${event.type}"`);
  assertPublishable(catalog, event, how);
  const json = JSON.stringify(event);
  if (Buffer.byteLength(json) > MAX_EVENT_BYTES)
    throw new Error(`event ${event.type} is larger than ${MAX_EVENT_BYTES} bytes`);
  return json;
}

/** Zod issues as paths and messages: never the values, which may be personal data. */
export function describeIssues(error: z.ZodError, max = 5): string {
  const issues = error.issues.slice(0, max).map((i) => {
    const path = ['data', ...i.path.map(String)].join('.');
    return `${path}: ${i.message}`;
  });
  const more = error.issues.length > max ? `; and ${error.issues.length - max} more` : '';
  return issues.join('; ') + more;
}

/**
 * The contract between publishers and consumers across domains, as problems (empty when it holds): each
 * type is declared once, by the domain its name starts with; each consumer name is unique and no retired
 * pattern matches it (start-up would delete a live durable); each expected type has a publisher; and each
 * consumer's schema accepts every example of its publisher, after the JSON round trip the bus makes.
 */
export function checkEventContracts(
  domains: readonly { readonly name: string; readonly events?: DomainEvents }[],
): string[] {
  const problems: string[] = [];
  const defs = new Map<string, EventDefinition>();
  const consumers = new Set<string>();
  for (const d of domains) {
    for (const def of d.events?.publishes ?? []) {
      if (def.source !== d.name)
        problems.push(`${d.name} declares ${def.type}, which belongs to the domain "${def.source}"`);
      if (defs.has(def.type)) problems.push(`${def.type} is declared twice`);
      defs.set(def.type, def);
      def.examples.forEach((example, i) => {
        try {
          def.create(example);
        } catch (err) {
          problems.push(`${def.type} example ${i + 1} fails its own schema: ${(err as Error).message}`);
        }
      });
    }
  }
  for (const d of domains) {
    for (const c of d.events?.consumes ?? []) {
      if (consumers.has(c.name)) problems.push(`consumer name ${c.name} is used twice`);
      consumers.add(c.name);
      for (const expected of c.expects)
        problems.push(...checkExpectation(d.name, c.name, c.delivery, expected, defs));
    }
  }
  const retired = domains.flatMap((d) => d.events?.retiredConsumers ?? []);
  for (const name of consumers)
    if (retired.some((p) => name.search(p) !== -1 || durableName(name).search(p) !== -1))
      problems.push(`consumer ${name} matches a retired consumer pattern: start-up would delete it`);
  return problems;
}

function checkExpectation(
  domain: string,
  consumer: string,
  delivery: EventDelivery,
  expected: EventExpectation,
  defs: ReadonlyMap<string, EventDefinition>,
): string[] {
  const def = defs.get(expected.type);
  if (!def) return [`${domain}'s consumer ${consumer} expects ${expected.type}, which no domain publishes`];
  const problems: string[] = [];
  if (def.transient !== (delivery === 'transient'))
    problems.push(
      def.transient
        ? `${domain}'s consumer ${consumer} expects the transient ${expected.type}: only a transient consumer gets it`
        : `${domain}'s transient consumer ${consumer} expects ${expected.type}, which is not transient: it never gets it`,
    );
  def.examples.forEach((example, i) => {
    let wire: unknown;
    try {
      wire = JSON.parse(JSON.stringify(def.create(example).data));
    } catch {
      return; // reported with the publisher
    }
    const parsed = expected.schema.safeParse(wire);
    if (!parsed.success)
      problems.push(
        `${domain}'s consumer ${consumer} rejects ${expected.type} example ${i + 1}: ${describeIssues(parsed.error)}`,
      );
  });
  return problems;
}
