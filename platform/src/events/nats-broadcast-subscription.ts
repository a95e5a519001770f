import { DeliverPolicy, type Consumer, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { payloadText } from './dead-letters.js';
import { assertValidFilter, InvalidEventError, type EventHandler } from './event-bus.js';
import {
  deadLetterMalformed,
  describe,
  parseEvent,
  PULL_EXPIRES_MS,
  RESUBSCRIBE_DELAY_MS,
  type Context,
} from './nats-context.js';
import { pause } from './pause.js';

/**
 * One subscribeBroadcast() call: an ordered ephemeral JetStream consumer that starts at the stream's end.
 * Chosen over a core NATS subscription on the same subjects (which JetStream-published messages reach too)
 * because a core subscription silently loses what is published while this node is disconnected; the ordered
 * consumer resumes after the last stream sequence it delivered (the client recreates it after a reconnect, a
 * gap or a server restart), so a per-node cache misses nothing the stream still holds. It keeps no durable
 * state: it lives in memory on the server, is deleted on unsubscribe and expires by itself after 5 minutes
 * without its node. No acks and no redelivery: a handler that throws is logged and the next event follows.
 */
export class BroadcastSubscription {
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
    this.messages = await this.consumer.consume({ max_messages: 64, expires: PULL_EXPIRES_MS });
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
