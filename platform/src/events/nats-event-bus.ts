import {
  DiscardPolicy,
  JetStreamApiCodes,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { maskUrl } from '../config/config.js';
import { LOG_ONLY_DEAD_LETTERS, type DeadLetterSink } from './dead-letters.js';
import {
  type DomainEvent,
  type EventBus,
  type EventBusHealth,
  type EventHandler,
  type Subscription,
  type TransientOptions,
} from './event-bus.js';
import { sendableJson, type EventCatalog } from './event-contract.js';
import { BroadcastSubscription } from './nats-broadcast-subscription.js';
import { describe, isApiError, type Context, type Settings } from './nats-context.js';
import { DurableSubscription } from './nats-durable-subscription.js';
import { TransientSubscription, transientPrefix } from './nats-transient-subscription.js';

export { durableName } from './event-bus.js';

export type NatsEventBusOptions = {
  /** One URL or a comma-separated list; `nats://user:pass@host:port` and `nats://token@host:port` are honoured. */
  url: string;
  logger: Logger;
  /** JetStream stream holding the events; default `PAKAWAAZ_EVENTS`. */
  stream?: string;
  /**
   * Subjects are `<prefix>.<event type>`; default `pakawaaz.events`. Transient events (`signal`) go on
   * `<prefix>-transient.<event type>`, outside the stream.
   */
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

const MAX_AGE_MS = 7 * 24 * 3_600_000;
const DUPLICATE_WINDOW_MS = 2 * 60_000;
const SUBJECT_PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const STREAM_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

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

type Started = { start(): Promise<void>; stop(): Promise<void> };

class NatsEventBus implements EventBus {
  readonly mode = 'nats' as const;
  private readonly subscriptions = new Set<Started>();
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
    const body = sendableJson(this.catalog, event, 'publish');
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

  /** A core NATS publish: buffered by the client and flushed with its next write, never stored, no ack. */
  signal(event: DomainEvent): Promise<void> {
    return new Promise((resolve) => {
      const body = sendableJson(this.catalog, event, 'signal');
      this.ctx.nc.publish(`${transientPrefix(this.ctx.settings.prefix)}.${event.type}`, body);
      resolve();
    });
  }

  subscribe(consumer: string, filter: string, handler: EventHandler): Promise<Subscription> {
    return this.add(new DurableSubscription(this.ctx, consumer, filter, handler));
  }

  subscribeTransient(
    name: string,
    filter: string,
    handler: EventHandler,
    options?: TransientOptions,
  ): Promise<Subscription> {
    return this.add(new TransientSubscription(this.ctx, name, filter, handler, options));
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

  private async add(sub: Started): Promise<Subscription> {
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
        // Transient events sent while this node was away are lost: their subscribers catch up on their own —
        // once the server has the subscriptions the client sent again on reconnecting (a PING answered after
        // them), so that nothing signalled after the catch-up's reads is missed.
        void this.ctx.nc
          .flush()
          .catch(() => undefined)
          .then(() => {
            for (const sub of this.subscriptions)
              if (sub instanceof TransientSubscription) sub.options.onGap?.();
          });
      } else if (s.type === 'error') {
        this.ctx.logger.warn({ server: location, error: s.error.message }, 'NATS connection error');
      }
    }
  }
}
