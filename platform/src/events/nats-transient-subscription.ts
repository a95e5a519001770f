import type { Msg, Subscription as CoreSubscription } from '@nats-io/transport-node';
import {
  assertValidFilter,
  InvalidEventError,
  type EventHandler,
  type TransientOptions,
} from './event-bus.js';
import { describe, parseEvent, type Context } from './nats-context.js';

/**
 * One subscribeTransient() call: core NATS subscriptions on the transient subjects (`<prefix>-transient.<type>`,
 * sent to every node, and `<prefix>-to.<this node>.<type>`, sent to this one: both outside the events stream's
 * `<prefix>.>`, so JetStream never stores them). Every message is handed to the
 * handler as it arrives, in order (a handler's synchronous part runs before the next message's); a handler's
 * failure is logged, nothing is retried, and a message no handler can take is dropped (`dropped`). The client
 * re-subscribes by itself after a reconnect; what was sent while this node was disconnected is gone, and
 * `onGap` (called by the bus on each reconnect) says so.
 */
export class TransientSubscription {
  private readonly subjects: readonly string[];
  private subs: CoreSubscription[] = [];

  constructor(
    private readonly ctx: Context,
    private readonly name: string,
    filter: string,
    private readonly handler: EventHandler,
    readonly options: TransientOptions = {},
  ) {
    assertValidFilter(filter);
    const { prefix, node } = ctx.settings;
    this.subjects = [`${transientPrefix(prefix)}.${filter}`, `${addressedPrefix(prefix, node)}.${filter}`];
  }

  /** Resolves once the server has the subscription: every signal sent afterwards reaches the handler. */
  async start(): Promise<void> {
    const callback = (err: Error | null, m: Msg) => {
      if (err) this.ctx.logger.warn({ consumer: this.name, error: describe(err) }, 'transient subscription');
      else this.handle(m);
    };
    this.subs = this.subjects.map((subject) => this.ctx.nc.subscribe(subject, { callback }));
    await this.ctx.nc.flush();
  }

  stop(): Promise<void> {
    for (const sub of this.subs.splice(0)) sub.unsubscribe();
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

/** The first tokens of the subjects of transient events sent to one node (`signal(event, to)`): outside the stream. */
export function addressedPrefix(prefix: string, node: string): string {
  return `${prefix}-to.${node}`;
}
