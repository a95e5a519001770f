import type { NewAuthEvent } from './auth-events.schema.js';

/**
 * The bounded buffer between the sign-in paths and the database (pure). `push` is O(1) and never waits:
 * when the buffer is full the event is counted as lost instead, so a flood (or a slow database) costs the
 * RADIUS hot path nothing. Drops that repeat within one batch — a spoofed flood, a NAS with a wrong
 * secret — become one row with their number.
 */
/** An event as queued: its time in milliseconds and no id yet (both made when the batch is written). */
export type QueuedEvent = Omit<NewAuthEvent, 'id' | 'at'> & { at: number; count: number };

export type QueueStats = { queued: number; written: number; lost: number; writeFailures: number };

export class AuthEventQueue {
  private events: QueuedEvent[] = [];
  private readonly repeats = new Map<string, QueuedEvent>();
  private lostCount = 0;

  constructor(readonly capacity: number) {}

  push(event: QueuedEvent): boolean {
    const key = event.result === 'drop' ? repeatKey(event) : null;
    const same = key === null ? undefined : this.repeats.get(key);
    if (same) {
      same.count += event.count;
      return true;
    }
    if (this.events.length >= this.capacity) {
      this.lostCount += event.count;
      return false;
    }
    this.events.push(event);
    if (key !== null) this.repeats.set(key, event);
    return true;
  }

  /** The oldest events, at most `max`, removed from the buffer. */
  take(max: number): QueuedEvent[] {
    const batch = this.events.splice(0, max);
    for (const e of batch) if (e.result === 'drop') this.repeats.delete(repeatKey(e));
    return batch;
  }

  get size(): number {
    return this.events.length;
  }

  /** Events given up on: the buffer was full, or a batch could not be written. */
  lose(n: number): void {
    this.lostCount += n;
  }

  get lost(): number {
    return this.lostCount;
  }
}

const repeatKey = (e: QueuedEvent): string =>
  `${e.channel}|${e.reason}|${e.clientId ?? ''}|${e.source ?? ''}|${e.username ?? ''}`;
