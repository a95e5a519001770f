import type { Msg, Subscription as CoreSubscription } from '@nats-io/transport-node';
import { payloadText } from './dead-letters.js';
import {
  assertValidFilter,
  InvalidEventError,
  type DomainEvent,
  type EventHandler,
  type TransientOptions,
} from './event-bus.js';
import { describe, parseEvent, type Context } from './nats-context.js';

/**
 * One subscribeTransient() call: a core NATS subscription on the transient subjects (`<prefix>-transient.<type>`,
 * outside the events stream's `<prefix>.>`: JetStream never stores them). Every message is handed to the
 * handler as it arrives, in order (a handler's synchronous part runs before the next message's); a handler's
 * failure is logged (a payload its consumer rejects is dead-lettered), nothing is retried. The client
 * re-subscribes by itself after a reconnect; what was sent while this node was disconnected is gone, and
 * `onGap` (called by the bus on each reconnect) says so.
 */
export class TransientSubscription {
  private readonly subject: string;
  private sub: CoreSubscription | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly name: string,
    filter: string,
    private readonly handler: EventHandler,
    readonly options: TransientOptions = {},
  ) {
    assertValidFilter(filter);
    this.subject = `${transientPrefix(ctx.settings.prefix)}.${filter}`;
  }

  /** Resolves once the server has the subscription: every signal sent afterwards reaches the handler. */
  async start(): Promise<void> {
    this.sub = this.ctx.nc.subscribe(this.subject, {
      callback: (err, m) => {
        if (err)
          this.ctx.logger.warn({ consumer: this.name, error: describe(err) }, 'transient subscription');
        else this.handle(m);
      },
    });
    await this.ctx.nc.flush();
  }

  stop(): Promise<void> {
    this.sub?.unsubscribe();
    this.sub = undefined;
    return Promise.resolve();
  }

  private handle(m: Msg): void {
    const { event, reason } = parseEvent(m.data);
    if (!event) {
      this.ctx.logger.error(
        { consumer: this.name, subject: m.subject, reason },
        'transient event dropped: the message is not a readable domain event',
      );
      return;
    }
    const fail = (err: unknown) => void this.failed(event, err, m);
    try {
      this.handler(event).catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  private async failed(event: DomainEvent, err: unknown, m: Msg): Promise<void> {
    const meta = { consumer: this.name, eventId: event.id, eventType: event.type };
    if (!(err instanceof InvalidEventError)) {
      this.ctx.logger.warn({ ...meta, error: describe(err) }, 'transient event handler failed');
      return;
    }
    this.ctx.logger.error({ ...meta, reason: err.reason }, 'event dead-lettered: payload failed validation');
    await this.ctx.settings.deadLetters
      .record({
        consumer: this.name,
        eventId: event.id,
        type: event.type,
        kind: 'invalid-payload',
        reason: err.reason,
        payload: payloadText(m.data),
        attempts: 1,
      })
      .catch((e: unknown) => this.ctx.logger.warn({ ...meta, error: describe(e) }, 'dead letter not kept'));
  }
}

/** The transient subjects' first tokens: never inside the events stream's `<prefix>.>`. */
export function transientPrefix(prefix: string): string {
  return `${prefix}-transient`;
}
