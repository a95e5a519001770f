import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type Consumer,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { maskUrl } from '../config/config.js';
import { LOG_ONLY_DEAD_LETTERS, payloadText, type DeadLetterSink } from './dead-letters.js';
import {
  assertValidFilter,
  durableName,
  EVENT_TYPE_PATTERN,
  InvalidEventError,
  MAX_EVENT_BYTES,
  type DomainEvent,
  type EventBus,
  type EventBusHealth,
  type EventHandler,
  type Subscription,
} from './event-bus.js';
import { assertPublishable, type EventCatalog } from './event-contract.js';

export { durableName } from './event-bus.js';

export type NatsEventBusOptions = {
  /** One URL or a comma-separated list; `nats://user:pass@host:port` and `nats://token@host:port` are honoured. */
  url: string;
  logger: Logger;
  /** JetStream stream holding the events; default `PAKAWAAZ_EVENTS`. */
  stream?: string;
  /** Subjects are `<prefix>.<event type>`; default `pakawaaz.events`. */
  subjectPrefix?: string;
  /** How long the server waits for an ack before redelivering; handlers still running extend it. Default 30 s. */
  ackWaitMs?: number;
  /** Deliveries per event and durable consumer before it is dead-lettered (recorded and terminated). Default 8. */
  maxDeliver?: number;
  /** First redelivery delay after a handler throws; doubles per delivery up to 60 s. Default 1 s. */
  retryDelayMs?: number;
  /** Where dead letters go; default: the bus's error log only. */
  deadLetters?: DeadLetterSink;
  /** When given, publish refuses types it does not declare and data their schema rejects. */
  catalog?: EventCatalog;
  /** Durable consumers to delete at start-up (names no domain uses any more; see DomainEvents). */
  retiredConsumers?: readonly RegExp[];
};

export class EventBusUnavailableError extends Error {
  constructor(message: string, cause: unknown) {
    super(
      `${message}: ${describe(cause)}. Start nats-server with JetStream enabled (nats-server -js) ` +
        'or unset NATS_URL to use the in-process event bus.',
      { cause },
    );
    this.name = 'EventBusUnavailableError';
  }
}

const MAX_AGE_MS = 7 * 24 * 3_600_000;
const DUPLICATE_WINDOW_MS = 2 * 60_000;
const MAX_RETRY_DELAY_MS = 60_000;
const RESUBSCRIBE_DELAY_MS = 1_000;
/** Messages pulled ahead per subscription; small, as they are handled one at a time. */
const PULL_BATCH = 8;
const SUBJECT_PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const STREAM_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

type Settings = {
  readonly location: string;
  readonly stream: string;
  readonly prefix: string;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly retryDelayMs: number;
  readonly deadLetters: DeadLetterSink;
};

/** What every subscription shares: the connection, JetStream, settings and logger. */
type Context = {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly settings: Settings;
  readonly logger: Logger;
};

/**
 * Connects to NATS, ensures the events stream exists, deletes retired durable consumers and returns the
 * JetStream EventBus. Rejects with an EventBusUnavailableError naming the URL when NATS is unreachable or has
 * no JetStream.
 */
export async function connectNatsEventBus(options: NatsEventBusOptions): Promise<EventBus> {
  const stream = options.stream ?? 'PAKAWAAZ_EVENTS';
  const prefix = options.subjectPrefix ?? 'pakawaaz.events';
  if (!STREAM_NAME_PATTERN.test(stream)) throw new Error(`invalid JetStream stream name "${stream}"`);
  if (!SUBJECT_PREFIX_PATTERN.test(prefix)) throw new Error(`invalid NATS subject prefix "${prefix}"`);
  const location = options.url
    .split(',')
    .map((u) => maskUrl(u.trim()) ?? u)
    .join(',');
  const settings: Settings = {
    location,
    stream,
    prefix,
    ackWaitMs: options.ackWaitMs ?? 30_000,
    maxDeliver: options.maxDeliver ?? 8,
    retryDelayMs: options.retryDelayMs ?? 1_000,
    deadLetters: options.deadLetters ?? LOG_ONLY_DEAD_LETTERS,
  };
  let nc: NatsConnection;
  try {
    nc = await connect(connectionOptions(options.url));
  } catch (err) {
    throw new EventBusUnavailableError(`Cannot reach NATS at ${location}`, err);
  }
  try {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, settings, options.logger);
    await retireConsumers(jsm, stream, options.retiredConsumers ?? [], options.logger);
    return new NatsEventBus(
      { nc, js: jetstream(nc), jsm, settings, logger: options.logger },
      options.catalog,
    );
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw new EventBusUnavailableError(`JetStream is not usable on NATS at ${location}`, err);
  }
}

function connectionOptions(url: string): NodeConnectionOptions {
  const servers: string[] = [];
  const options: NodeConnectionOptions = {
    name: 'pakawaaz',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 2_000,
    timeout: 5_000,
  };
  for (const part of url.split(',')) {
    const u = new URL(part.trim());
    servers.push(`${u.protocol}//${u.host}`);
    // The client ignores credentials in server URLs: pass them as options.
    if (u.username && u.password)
      Object.assign(options, { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) });
    else if (u.username) options.token = decodeURIComponent(u.username);
  }
  return { ...options, servers };
}

async function ensureStream(
  jsm: JetStreamManager,
  { stream, prefix }: Settings,
  logger: Logger,
): Promise<void> {
  const subject = `${prefix}.>`;
  try {
    const info = await jsm.streams.info(stream);
    if (!info.config.subjects.includes(subject)) {
      await jsm.streams.update(stream, { subjects: [...info.config.subjects, subject] });
      logger.info({ stream, subject }, 'added the events subject to the existing JetStream stream');
    }
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.StreamNotFound)) throw err;
    await jsm.streams.add({
      name: stream,
      subjects: [subject],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(MAX_AGE_MS),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
    logger.info({ stream, subject }, 'created the JetStream events stream');
  }
}

/**
 * Deletes the durable consumers whose names match a retired pattern — and only durables, and only those.
 * Earlier versions created one durable per process start for per-node caches; each replayed the stream and
 * stayed on the server forever. Another node deleting the same consumer at the same time is fine.
 */
export async function retireConsumers(
  jsm: JetStreamManager,
  stream: string,
  patterns: readonly RegExp[],
  logger: Logger,
): Promise<string[]> {
  if (patterns.length === 0) return [];
  const names: string[] = [];
  for await (const info of jsm.consumers.list(stream)) {
    const durable = info.config.durable_name;
    // search() ignores the g and y flags' lastIndex, so a pattern's flags cannot skip a name.
    if (durable && patterns.some((p) => durable.search(p) !== -1)) names.push(durable);
  }
  const deleted: string[] = [];
  for (const name of names) {
    try {
      await jsm.consumers.delete(stream, name);
      deleted.push(name);
    } catch (err) {
      if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound))
        logger.warn({ stream, consumer: name, error: describe(err) }, 'cannot delete a retired consumer');
    }
  }
  if (deleted.length)
    logger.info(
      { stream, count: deleted.length, consumers: deleted.slice(0, 20) },
      'deleted retired durable event consumers',
    );
  return deleted;
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || (err as { code?: string }).code || err.name;
  return String(err);
}

type Parsed = { event: DomainEvent; reason?: undefined } | { event?: undefined; reason: string };

/** A message body we can hand to a handler, or why not (the message is then dead-lettered). */
function parseEvent(data: Uint8Array): Parsed {
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
async function deadLetterMalformed(ctx: Context, consumer: string, m: JsMsg, reason: string): Promise<void> {
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

class NatsEventBus implements EventBus {
  readonly mode = 'nats' as const;
  private readonly subscriptions = new Set<DurableSubscription | BroadcastSubscription>();
  private connected = true;

  constructor(
    private readonly ctx: Context,
    private readonly catalog: EventCatalog | undefined,
  ) {
    this.watchConnection().catch((err: unknown) =>
      ctx.logger.warn({ error: describe(err) }, 'stopped watching the NATS connection'),
    );
  }

  async publish(event: DomainEvent): Promise<void> {
    if (!EVENT_TYPE_PATTERN.test(event.type)) throw new Error(`invalid event type "${event.type}"`);
    assertPublishable(this.catalog, event);
    const body = JSON.stringify(event);
    if (Buffer.byteLength(body) > MAX_EVENT_BYTES)
      throw new Error(`event ${event.type} is larger than ${MAX_EVENT_BYTES} bytes`);
    // msgID sets Nats-Msg-Id: JetStream drops a republished event id within the duplicate window.
    const ack = await this.ctx.js.publish(`${this.ctx.settings.prefix}.${event.type}`, body, {
      msgID: event.id,
    });
    if (ack.duplicate)
      this.ctx.logger.debug(
        { eventId: event.id, eventType: event.type },
        'duplicate event id: JetStream kept the first',
      );
  }

  subscribe(consumer: string, filter: string, handler: EventHandler): Promise<Subscription> {
    return this.add(new DurableSubscription(this.ctx, consumer, filter, handler));
  }

  subscribeBroadcast(name: string, filter: string, handler: EventHandler): Promise<Subscription> {
    return this.add(new BroadcastSubscription(this.ctx, name, filter, handler));
  }

  health(): Promise<EventBusHealth> {
    const { location, stream } = this.ctx.settings;
    const nc = this.ctx.nc;
    if (nc.isClosed()) return Promise.resolve({ status: 'down', detail: `connection to ${location} closed` });
    if (!this.connected) return Promise.resolve({ status: 'down', detail: `reconnecting to ${location}` });
    return Promise.resolve({ status: 'up', detail: `${nc.getServer()}, stream ${stream}` });
  }

  /**
   * Stops every subscription (waiting for running handlers), then drains the connection — or, when NATS is
   * unreachable at that moment, just closes it: shutdown must go on to close the database.
   */
  async close(): Promise<void> {
    const subs = [...this.subscriptions];
    this.subscriptions.clear();
    await Promise.all(subs.map((s) => s.stop()));
    const nc = this.ctx.nc;
    if (nc.isClosed()) return;
    await nc.drain().catch(async (err: unknown) => {
      this.ctx.logger.warn({ error: describe(err) }, 'could not drain the NATS connection; closing it');
      await nc.close();
    });
  }

  private async add(sub: DurableSubscription | BroadcastSubscription): Promise<Subscription> {
    await sub.start();
    this.subscriptions.add(sub);
    return {
      unsubscribe: async () => {
        this.subscriptions.delete(sub);
        await sub.stop();
      },
    };
  }

  private async watchConnection(): Promise<void> {
    const { location } = this.ctx.settings;
    for await (const s of this.ctx.nc.status()) {
      if (s.type === 'disconnect' || s.type === 'staleConnection') {
        if (this.connected)
          this.ctx.logger.warn({ server: location }, 'lost the NATS connection; reconnecting');
        this.connected = false;
      } else if (s.type === 'reconnect') {
        this.connected = true;
        this.ctx.logger.info({ server: location }, 'reconnected to NATS');
      } else if (s.type === 'error') {
        this.ctx.logger.warn({ server: location, error: s.error.message }, 'NATS connection error');
      }
    }
  }
}

/** One subscribe() call: a pull loop on a durable consumer, handling one message at a time. */
class DurableSubscription {
  private readonly durable: string;
  private readonly filterSubject: string;
  private readonly stopped = new AbortController();
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: Context,
    private readonly consumer: string,
    filter: string,
    private readonly handler: EventHandler,
  ) {
    assertValidFilter(filter);
    this.durable = durableName(consumer);
    this.filterSubject = `${ctx.settings.prefix}.${filter}`;
  }

  async start(): Promise<void> {
    await this.ensureConsumer();
    this.loop = this.run();
  }

  /** Stops pulling and waits for the running handler; the durable stays, so events keep accumulating. */
  async stop(): Promise<void> {
    this.stopped.abort();
    await Promise.all([this.messages?.close(), this.loop]);
  }

  /** Creates the durable, or updates the settings an existing one may change. */
  private async ensureConsumer(): Promise<void> {
    const { stream, ackWaitMs, maxDeliver } = this.ctx.settings;
    const wanted = {
      filter_subject: this.filterSubject,
      ack_wait: nanos(ackWaitMs),
      max_deliver: maxDeliver,
    };
    try {
      const { config } = await this.ctx.jsm.consumers.info(stream, this.durable);
      if (
        config.filter_subject !== wanted.filter_subject ||
        config.ack_wait !== wanted.ack_wait ||
        config.max_deliver !== wanted.max_deliver
      ) {
        await this.ctx.jsm.consumers.update(stream, this.durable, wanted);
        this.ctx.logger.info(
          { consumer: this.consumer, filter: this.filterSubject },
          'updated the durable event consumer',
        );
      }
    } catch (err) {
      if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
      const config: Partial<ConsumerConfig> = {
        ...wanted,
        durable_name: this.durable,
        description: `pakawaaz consumer ${this.consumer}`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      };
      await this.ctx.jsm.consumers.add(stream, config);
    }
  }

  private async run(): Promise<void> {
    const signal = this.stopped.signal;
    const { nc, js, settings, logger } = this.ctx;
    while (!signal.aborted && !nc.isClosed()) {
      try {
        const consumer = await js.consumers.get(settings.stream, this.durable);
        // abort_on_missing_resource: a deleted durable ends the loop here, and is recreated below.
        this.messages = await consumer.consume({ max_messages: PULL_BATCH, abort_on_missing_resource: true });
        if (signal.aborted) void this.messages.close();
        for await (const m of this.messages) await this.handle(m);
      } catch (err) {
        if (!signal.aborted && !nc.isClosed())
          logger.warn(
            { consumer: this.consumer, error: describe(err) },
            'event consumer stopped; restarting',
          );
      }
      if (signal.aborted || nc.isClosed() || !(await pause(RESUBSCRIBE_DELAY_MS, signal))) return;
      await this.ensureConsumer().catch((err: unknown) =>
        logger.warn({ consumer: this.consumer, error: describe(err) }, 'cannot recreate the event consumer'),
      );
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    if (this.stopped.signal.aborted) return m.nak(); // pulled ahead of unsubscribe: hand it back at once
    const { event, reason } = parseEvent(m.data);
    if (!event) {
      await deadLetterMalformed(this.ctx, this.consumer, m, reason);
      return m.term(reason);
    }
    const meta = {
      consumer: this.consumer,
      eventId: event.id,
      eventType: event.type,
      delivery: m.info.deliveryCount,
    };
    // A long handler must not let the ack wait expire, or the event would run twice concurrently.
    const keepAlive = setInterval(() => m.working(), Math.max(100, this.ctx.settings.ackWaitMs / 2));
    try {
      await this.handler(event);
      m.ack();
    } catch (err) {
      await this.failed(m, event, meta, err);
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** An invalid payload is dead-lettered at once; a failing handler is redelivered until maxDeliver. */
  private async failed(
    m: JsMsg,
    event: DomainEvent,
    meta: { consumer: string; eventId: string; eventType: string; delivery: number },
    err: unknown,
  ): Promise<void> {
    const { logger, settings } = this.ctx;
    const invalid = err instanceof InvalidEventError;
    if (!invalid && meta.delivery < settings.maxDeliver) {
      logger.warn({ ...meta, error: describe(err) }, 'event handler failed; will redeliver');
      m.nak(Math.min(settings.retryDelayMs * 2 ** (meta.delivery - 1), MAX_RETRY_DELAY_MS));
      return;
    }
    const reason = invalid ? err.reason : describe(err);
    logger.error(
      { ...meta, attempts: meta.delivery, reason },
      invalid
        ? 'event dead-lettered: payload failed validation'
        : 'event dead-lettered: handler kept failing',
    );
    await settings.deadLetters.record({
      consumer: this.consumer,
      eventId: event.id,
      type: event.type,
      kind: invalid ? 'invalid-payload' : 'handler-failed',
      reason,
      payload: payloadText(m.data),
      attempts: meta.delivery,
    });
    m.term(invalid ? 'payload failed validation' : 'handler kept failing');
  }
}

/**
 * One subscribeBroadcast() call: an ordered ephemeral JetStream consumer that starts at the stream's end.
 * Chosen over a core NATS subscription on the same subjects (which JetStream-published messages reach too)
 * because a core subscription silently loses what is published while this node is disconnected; the ordered
 * consumer resumes after the last stream sequence it delivered (the client recreates it after a reconnect, a
 * gap or a server restart), so a per-node cache misses nothing the stream still holds. It keeps no durable
 * state: it lives in memory on the server, is deleted on unsubscribe and expires by itself after 5 minutes
 * without its node. No acks and no redelivery: a handler that throws is logged and the next event follows.
 */
class BroadcastSubscription {
  private readonly filterSubject: string;
  private readonly stopped = new AbortController();
  private consumer: Consumer | undefined;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> = Promise.resolve();
  /** Last stream sequence handed to the handler (or the stream's end at start): a restart resumes after it. */
  private lastSeq: number | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly name: string,
    filter: string,
    private readonly handler: EventHandler,
  ) {
    assertValidFilter(filter);
    this.filterSubject = `${ctx.settings.prefix}.${filter}`;
  }

  /** Resolves once the server-side consumer exists: every event published afterwards reaches the handler. */
  async start(): Promise<void> {
    await this.open();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await Promise.all([this.messages?.close(), this.loop]);
    await this.discard();
  }

  private async open(): Promise<void> {
    const where =
      this.lastSeq === undefined
        ? { deliver_policy: DeliverPolicy.New as DeliverPolicy }
        : { opt_start_seq: this.lastSeq + 1 };
    this.consumer = await this.ctx.js.consumers.get(this.ctx.settings.stream, {
      filter_subjects: this.filterSubject,
      ...where,
    });
    // Where a consumer created at the stream's end starts: a loop restarted before any delivery resumes there.
    this.lastSeq ??= (await this.consumer.info(true)).delivered.stream_seq;
    this.messages = await this.consumer.consume({ max_messages: 64 });
    this.watch(this.messages).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const signal = this.stopped.signal;
    const { nc, logger } = this.ctx;
    while (!signal.aborted && !nc.isClosed()) {
      try {
        if (!this.messages) await this.open();
        if (signal.aborted) void this.messages?.close();
        for await (const m of this.messages!) await this.handle(m);
      } catch (err) {
        if (!signal.aborted && !nc.isClosed())
          logger.warn(
            { consumer: this.name, error: describe(err), resumeAfter: this.lastSeq },
            'broadcast subscription stopped; restarting after the last event it delivered',
          );
      }
      this.messages = undefined;
      await this.discard();
      if (signal.aborted || nc.isClosed() || !(await pause(RESUBSCRIBE_DELAY_MS, signal))) return;
    }
  }

  /** Says when the client had to recreate the consumer (a reconnect or a gap): it resumes, nothing is lost. */
  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const s of messages.status()) {
      if (s.type === 'ordered_consumer_recreated')
        this.ctx.logger.info(
          { consumer: this.name, resumeAfter: this.lastSeq },
          'broadcast consumer recreated after a reconnect or a gap; resuming after the last event delivered',
        );
      else if (s.type === 'stream_not_found')
        this.ctx.logger.warn({ consumer: this.name }, 'the events stream is gone; broadcast waits for it');
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    this.lastSeq = m.seq;
    const { event, reason } = parseEvent(m.data);
    if (!event) return deadLetterMalformed(this.ctx, this.name, m, reason);
    try {
      await this.handler(event);
    } catch (err) {
      const meta = { consumer: this.name, eventId: event.id, eventType: event.type };
      if (!(err instanceof InvalidEventError)) {
        this.ctx.logger.warn({ ...meta, error: describe(err) }, 'broadcast event handler failed');
        return;
      }
      this.ctx.logger.error(
        { ...meta, reason: err.reason },
        'event dead-lettered: payload failed validation',
      );
      await this.ctx.settings.deadLetters.record({
        consumer: this.name,
        eventId: event.id,
        type: event.type,
        kind: 'invalid-payload',
        reason: err.reason,
        payload: payloadText(m.data),
        attempts: 1,
      });
    }
  }

  /** Deletes the ephemeral consumer now rather than leaving it to expire. */
  private async discard(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer && !this.ctx.nc.isClosed()) await consumer.delete().catch(() => undefined);
  }
}

/** Waits ms; false when the signal aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
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
