import type { Msg, Subscription as CoreSubscription } from '@nats-io/transport-node';
import {
  assertValidFilter,
  InvalidEventError,
  type EventHandler,
  type TransientOptions,
} from './event-bus.js';
import { describe, parseEvent, type Context } from './nats-context.js';

/**
 * One subscribeTransient() call: a core NATS subscription on the transient subjects (`<prefix>-transient.<type>`,
 * outside the events stream's `<prefix>.>`: JetStream never stores them). Every message is handed to the
 * handler as it arrives, in order (a handler's synchronous part runs before the next message's); a handler's
 * failure is logged, nothing is retried, and a message no handler can take is dropped (`dropped`). The client
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
    if (!event) return this.dropped({ subject: m.subject, reason });
    const fail = (err: unknown) => {
      if (err instanceof InvalidEventError)
        this.dropped({ eventId: event.id, eventType: event.type, reason: err.reason });
      else
        this.ctx.logger.warn(
          { consumer: this.name, eventId: event.id, eventType: event.type, error: describe(err) },
          'transient event handler failed',
        );
    };
    try {
      this.handler(event).catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  /** Unreadable or invalid messages dropped since the last report. */
  private drops = 0;
  private reportedAt = 0;

  /**
   * A message no handler can take is dropped and logged — at most once per DROP_REPORT_MS, with how many since:
   * nothing is stored (no dead letter: a flood of bad messages must not become a database write per node).
   */
  private dropped(meta: Record<string, unknown>): void {
    this.drops++;
    const now = Date.now();
    if (now - this.reportedAt < DROP_REPORT_MS) return;
    this.ctx.logger.error(
      { consumer: this.name, ...meta, dropped: this.drops },
      'transient events dropped: not readable, or their payload failed validation',
    );
    this.reportedAt = now;
    this.drops = 0;
  }
}

const DROP_REPORT_MS = 10_000;

/** The transient subjects' first tokens: never inside the events stream's `<prefix>.>`. */
export function transientPrefix(prefix: string): string {
  return `${prefix}-transient`;
}
