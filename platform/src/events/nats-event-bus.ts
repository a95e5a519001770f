import { createHash } from 'node:crypto';
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
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { maskUrl } from '../config/config.js';
import {
  EVENT_TYPE_PATTERN,
  type DomainEvent,
  type EventBus,
  type EventBusHealth,
  type EventHandler,
  type Subscription,
} from './event-bus.js';

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
  /** Deliveries per event and consumer before it is dead-lettered (logged and terminated). Default 8. */
  maxDeliver?: number;
  /** First redelivery delay after a handler throws; doubles per delivery up to 60 s. Default 1 s. */
  retryDelayMs?: number;
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
const FILTER_PREFIX_PATTERN = /^([a-z][a-z0-9-]*\.)+>$/;

type Settings = {
  readonly location: string;
  readonly stream: string;
  readonly prefix: string;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly retryDelayMs: number;
};

/**
 * Connects to NATS, ensures the events stream exists and returns the JetStream EventBus. Rejects with an
 * EventBusUnavailableError naming the URL when NATS is unreachable or has no JetStream.
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
    return new NatsEventBus(nc, jsm, settings, options.logger);
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

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || (err as { code?: string }).code || err.name;
  return String(err);
}

/** Durable names may not contain `.`, `*`, `>`, slashes or whitespace; a hash keeps sanitised names distinct. */
export function durableName(consumer: string): string {
  const clean = consumer.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  if (clean === consumer) return clean;
  return `${clean}_${createHash('sha256').update(consumer).digest('hex').slice(0, 8)}`;
}

function assertValidFilter(filter: string): void {
  if (filter === '>' || EVENT_TYPE_PATTERN.test(filter) || FILTER_PREFIX_PATTERN.test(filter)) return;
  throw new Error(`invalid event filter "${filter}": expected an event type, a prefix ending in ".>" or ">"`);
}

/** A message body we can hand to a handler, or undefined (the message is then terminated). */
function parseEvent(data: Uint8Array): DomainEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || !('data' in value)) return undefined;
  const e = value as Record<string, unknown>;
  const strings = [e.id, e.type, e.source, e.occurredAt].every((v) => typeof v === 'string' && v.length > 0);
  return strings && EVENT_TYPE_PATTERN.test(e.type as string) ? (value as DomainEvent) : undefined;
}

class NatsEventBus implements EventBus {
  readonly mode = 'nats' as const;
  private readonly js: JetStreamClient;
  private readonly subscriptions = new Set<DurableSubscription>();
  private connected = true;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly settings: Settings,
    private readonly logger: Logger,
  ) {
    this.js = jetstream(nc);
    this.watchConnection().catch((err: unknown) =>
      logger.warn({ error: describe(err) }, 'stopped watching the NATS connection'),
    );
  }

  async publish(event: DomainEvent): Promise<void> {
    if (!EVENT_TYPE_PATTERN.test(event.type)) throw new Error(`invalid event type "${event.type}"`);
    // msgID sets Nats-Msg-Id: JetStream drops a republished event id within the duplicate window.
    const ack = await this.js.publish(`${this.settings.prefix}.${event.type}`, JSON.stringify(event), {
      msgID: event.id,
    });
    if (ack.duplicate)
      this.logger.debug(
        { eventId: event.id, eventType: event.type },
        'duplicate event id: JetStream kept the first',
      );
  }

  async subscribe(consumer: string, filter: string, handler: EventHandler): Promise<Subscription> {
    assertValidFilter(filter);
    const sub = new DurableSubscription(
      this.nc,
      this.js,
      this.jsm,
      this.settings,
      this.logger,
      consumer,
      filter,
      handler,
    );
    await sub.start();
    this.subscriptions.add(sub);
    return {
      unsubscribe: async () => {
        this.subscriptions.delete(sub);
        await sub.stop();
      },
    };
  }

  health(): Promise<EventBusHealth> {
    const { location, stream } = this.settings;
    if (this.nc.isClosed())
      return Promise.resolve({ status: 'down', detail: `connection to ${location} closed` });
    if (!this.connected) return Promise.resolve({ status: 'down', detail: `reconnecting to ${location}` });
    return Promise.resolve({ status: 'up', detail: `${this.nc.getServer()}, stream ${stream}` });
  }

  /** Stops every subscription (waiting for running handlers), then drains the connection. */
  async close(): Promise<void> {
    const subs = [...this.subscriptions];
    this.subscriptions.clear();
    await Promise.all(subs.map((s) => s.stop()));
    if (!this.nc.isClosed()) await this.nc.drain();
  }

  private async watchConnection(): Promise<void> {
    const { location } = this.settings;
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect' || s.type === 'staleConnection') {
        if (this.connected) this.logger.warn({ server: location }, 'lost the NATS connection; reconnecting');
        this.connected = false;
      } else if (s.type === 'reconnect') {
        this.connected = true;
        this.logger.info({ server: location }, 'reconnected to NATS');
      } else if (s.type === 'error') {
        this.logger.warn({ server: location, error: s.error.message }, 'NATS connection error');
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
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly settings: Settings,
    private readonly logger: Logger,
    private readonly consumer: string,
    filter: string,
    private readonly handler: EventHandler,
  ) {
    this.durable = durableName(consumer);
    this.filterSubject = `${settings.prefix}.${filter}`;
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
    const { stream, ackWaitMs, maxDeliver } = this.settings;
    const wanted = {
      filter_subject: this.filterSubject,
      ack_wait: nanos(ackWaitMs),
      max_deliver: maxDeliver,
    };
    try {
      const { config } = await this.jsm.consumers.info(stream, this.durable);
      if (
        config.filter_subject !== wanted.filter_subject ||
        config.ack_wait !== wanted.ack_wait ||
        config.max_deliver !== wanted.max_deliver
      ) {
        await this.jsm.consumers.update(stream, this.durable, wanted);
        this.logger.info(
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
      await this.jsm.consumers.add(stream, config);
    }
  }

  private async run(): Promise<void> {
    const signal = this.stopped.signal;
    while (!signal.aborted && !this.nc.isClosed()) {
      try {
        const consumer = await this.js.consumers.get(this.settings.stream, this.durable);
        // abort_on_missing_resource: a deleted durable ends the loop here, and is recreated below.
        this.messages = await consumer.consume({ max_messages: PULL_BATCH, abort_on_missing_resource: true });
        if (signal.aborted) void this.messages.close();
        for await (const m of this.messages) await this.handle(m);
      } catch (err) {
        if (!signal.aborted && !this.nc.isClosed())
          this.logger.warn(
            { consumer: this.consumer, error: describe(err) },
            'event consumer stopped; restarting',
          );
      }
      if (signal.aborted || this.nc.isClosed() || !(await pause(RESUBSCRIBE_DELAY_MS, signal))) return;
      await this.ensureConsumer().catch((err: unknown) =>
        this.logger.warn(
          { consumer: this.consumer, error: describe(err) },
          'cannot recreate the event consumer',
        ),
      );
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    if (this.stopped.signal.aborted) return m.nak(); // pulled ahead of unsubscribe: hand it back at once
    const event = parseEvent(m.data);
    const where = { consumer: this.consumer, subject: m.subject, seq: m.seq };
    if (!event) {
      this.logger.warn(
        { ...where, reason: 'EVENT_INVALID' },
        'terminated a message that is not a JSON domain event',
      );
      return m.term('not a JSON domain event');
    }
    const meta = {
      consumer: this.consumer,
      eventId: event.id,
      eventType: event.type,
      delivery: m.info.deliveryCount,
    };
    // A long handler must not let the ack wait expire, or the event would run twice concurrently.
    const keepAlive = setInterval(() => m.working(), Math.max(100, this.settings.ackWaitMs / 2));
    try {
      await this.handler(event);
      m.ack();
    } catch (err) {
      const error = describe(err);
      if (meta.delivery >= this.settings.maxDeliver) {
        this.logger.error({ ...meta, error }, 'event dead-lettered: handler kept failing');
        m.term('handler kept failing');
      } else {
        this.logger.warn({ ...meta, error }, 'event handler failed; will redeliver');
        m.nak(Math.min(this.settings.retryDelayMs * 2 ** (meta.delivery - 1), MAX_RETRY_DELAY_MS));
      }
    } finally {
      clearInterval(keepAlive);
    }
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
