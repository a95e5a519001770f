import { sourceBlock } from './auth-event-text.js';
import type { NewAuthEvent } from './auth-events.schema.js';

/**
 * The bounded buffer between the sign-in paths and the database (pure). `push` is O(1) and never waits:
 * when the buffer is full the event is counted as lost instead, so a flood (or a slow database) costs the
 * RADIUS hot path nothing. Drops that repeat until the next write — a NAS with a wrong secret — become one
 * row with their number; drops from unknown addresses (spoofed floods change their source every datagram)
 * are counted per reason and /24 (IPv6 /48), and past UNKNOWN_BLOCKS_MAX blocks per reason alone. Drops
 * may fill only part of the buffer: the rest is kept for accepts and rejects, so no flood evicts them.
 */
/** An event as queued: its time in milliseconds and no id yet (both made when the batch is written). */
export type QueuedEvent = Omit<NewAuthEvent, 'id' | 'at'> & { at: number; count: number };

export type QueueStats = { queued: number; written: number; lost: number; writeFailures: number };

/** Distinct unknown-address blocks kept apart between two writes; beyond them, one row per reason. */
export const UNKNOWN_BLOCKS_MAX = 64;
/** Drops may fill at most this share of the buffer; the rest is for accepts and rejects. */
export const DROP_SHARE = 0.5;

export class AuthEventQueue {
  private events: QueuedEvent[] = [];
  private readonly repeats = new Map<string, QueuedEvent>();
  private drops = 0;
  private unknownBlocks = 0;
  private lostCount = 0;
  private readonly dropCapacity: number;

  constructor(readonly capacity: number) {
    this.dropCapacity = Math.max(1, Math.floor(capacity * DROP_SHARE));
  }

  push(event: QueuedEvent): boolean {
    const drop = event.result === 'drop';
    if (drop && event.clientId == null) event = this.blockOf(event);
    const key = drop ? repeatKey(event) : null;
    const same = key === null ? undefined : this.repeats.get(key);
    if (same) {
      same.count += event.count;
      return true;
    }
    if (this.events.length >= this.capacity || (drop && this.drops >= this.dropCapacity)) {
      this.lostCount += event.count;
      return false;
    }
    this.events.push(event);
    if (key !== null) {
      this.repeats.set(key, event);
      this.drops++;
      if (isBlock(event)) this.unknownBlocks++;
    }
    return true;
  }

  /** The oldest events, at most `max`, removed from the buffer. */
  take(max: number): QueuedEvent[] {
    const batch = this.events.splice(0, max);
    for (const e of batch) {
      if (e.result !== 'drop') continue;
      this.repeats.delete(repeatKey(e));
      this.drops--;
      if (isBlock(e)) this.unknownBlocks--;
    }
    return batch;
  }

  /** A drop from an address that is no client, as its block — or `*` once there are too many blocks. */
  private blockOf(event: QueuedEvent): QueuedEvent {
    const block = event.source ? sourceBlock(event.source) : '*';
    const source =
      this.unknownBlocks < UNKNOWN_BLOCKS_MAX || this.repeats.has(repeatKey({ ...event, source: block }))
        ? block
        : '*';
    return { ...event, source, username: null };
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

const isBlock = (e: QueuedEvent): boolean => e.clientId == null && e.source !== '*';

const repeatKey = (e: QueuedEvent): string =>
  `${e.channel}|${e.reason}|${e.clientId ?? ''}|${e.source ?? ''}|${e.username ?? ''}`;
