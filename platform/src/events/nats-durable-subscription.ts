import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  type ConsumerConfig,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { payloadText } from './dead-letters.js';
import {
  assertValidFilter,
  durableName,
  InvalidEventError,
  type DomainEvent,
  type EventHandler,
} from './event-bus.js';
import {
  deadLetterMalformed,
  describe,
  isApiError,
  MAX_RETRY_DELAY_MS,
  parseEvent,
  PULL_BATCH,
  PULL_EXPIRES_MS,
  RESUBSCRIBE_DELAY_MS,
  type Context,
} from './nats-context.js';
import { pause } from './pause.js';

/** One subscribe() call: a pull loop on a durable consumer, handling one message at a time. */
export class DurableSubscription {
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
        this.messages = await consumer.consume({
          max_messages: PULL_BATCH,
          expires: PULL_EXPIRES_MS,
          abort_on_missing_resource: true,
        });
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
