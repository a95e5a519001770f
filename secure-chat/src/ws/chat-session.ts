import { AppError, type DevicePrincipal } from '@pakawaaz/platform';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { QueuedEnvelope } from '../chat-ports.js';
import type { DeliveryService } from '../delivery/delivery.service.js';
import type { ChatSession as HubSession } from './chat-hub.js';
import { DELIVER_ENVELOPE_BYTES, frameEnd, mergeDeliveries } from './deliver-frames.js';
import type { ServerFrame } from './frames.js';

/** Bytes buffered on a socket above which delivery waits (a slow reader is not flooded). */
const HIGH_WATER = 4 * 1024 * 1024;
/** After a failed queue read, the next one. */
const RETRY_MS = 1_000;

/**
 * One device's socket: delivers its queue in seq order — everything unacknowledged when it connects, then what
 * is queued while it is connected — one read at a time (a wake during a read reads again after it).
 */
export class ChatSession implements HubSession {
  /** The highest seq sent on this socket: a wake reads after it (the queue itself keeps what is unacked). */
  private sentUpTo = 0;
  private reading = false;
  private again = false;
  /** Those waiting on read(): resolved when the read under way ends or waits for the device (see read). */
  private waiters: Array<() => void> = [];
  /** Frames dropped in a row by the rate limit (the first one is answered with an error frame). */
  dropped = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly device: DevicePrincipal,
    private readonly delivery: DeliveryService,
    private readonly logger?: Logger,
  ) {}

  get deviceId(): string {
    return this.device.deviceId;
  }

  /** Frames waiting for the end of this turn of the event loop (sent together: see flush). */
  private outbox: ServerFrame[] = [];

  send(frame: ServerFrame): void {
    if (this.outbox.push(frame) === 1) flushAtEndOfTurn(this);
  }

  /**
   * Sends the turn's frames in one socket write (corked: one TLS record run, one syscall, where each frame
   * would be one), `deliver` frames back to back merged — into frames of DELIVER_FRAME_BYTES at most. Their
   * order is kept.
   */
  flush(): void {
    if (this.outbox.length === 0) return;
    const frames = mergeDeliveries(this.outbox);
    this.outbox = [];
    if (this.ws.readyState !== this.ws.OPEN) return;
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    socket?.cork();
    try {
      for (const f of frames) this.ws.send(JSON.stringify(f));
    } finally {
      socket?.uncork();
    }
  }

  /**
   * Envelopes just queued for this device, in seq order: sent at once when they follow what this socket sent
   * (no queue read: the send batch that queued them knows them) — else, or while a read is under way or the
   * socket is backed up, a wake reads the queue as usual. Either way the queue keeps them until acknowledged.
   */
  offer(envelopes: readonly QueuedEnvelope[]): void {
    const first = envelopes[0];
    if (!first) return;
    const contiguous = envelopes.every((e, k) => e.seq === first.seq + k);
    if (
      this.reading ||
      !contiguous ||
      first.seq !== this.sentUpTo + 1 ||
      this.ws.readyState !== this.ws.OPEN ||
      this.ws.bufferedAmount > HIGH_WATER
    )
      return this.wake();
    this.sentUpTo = envelopes[envelopes.length - 1]!.seq;
    this.send({ type: 'deliver', envelopes: [...envelopes] });
  }

  wake(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.pump();
  }

  /**
   * Wakes, and resolves when the read covering this wake ends — the one under way (a wake during it makes it
   * read again before ending), else a new one; successful or not (a failed read's retry is a read of its own) —
   * or as soon as the socket is backed up: the database is then not being read, and the read happens, by this
   * socket's own loop, once the device has caught up. So a slow device holds no slot of wake-all's.
   */
  read(): Promise<void> {
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.wake();
    return done;
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private async pump(): Promise<void> {
    try {
      do {
        this.again = false;
        for (;;) {
          if (this.ws.readyState !== this.ws.OPEN) return;
          if (this.ws.bufferedAmount > HIGH_WATER) {
            this.releaseWaiters(); // waiting on the device, not the database (read)
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          const page = await this.delivery.inbox(this.device, this.sentUpTo, {
            bytes: DELIVER_ENVELOPE_BYTES,
          });
          if (page.length === 0) break;
          // One frame's worth a read, cut by the database (DELIVER_ENVELOPE_BYTES); cut here again all the same.
          const end = frameEnd(page);
          const envelopes = end === page.length ? page : page.slice(0, end);
          this.sentUpTo = envelopes[envelopes.length - 1]!.seq;
          this.send({ type: 'deliver', envelopes });
        }
      } while (this.again);
    } catch (err) {
      // Taken out of chat (the hub's close may have raced this read): closed as the hub closes it.
      if (err instanceof AppError && err.code === 'device_removed_from_chat')
        return this.close(4403, 'device removed from chat');
      // E.g. no database connection free in time under load: what is queued must not wait for the next wake
      // (a device whose last message hit this would not get it until it reconnects), so read again shortly.
      this.logger?.warn({ err, deviceId: this.device.deviceId }, 'chat socket: delivery failed');
      setTimeout(() => this.wake(), RETRY_MS).unref();
    } finally {
      // In the same turn as the last `again` check: a wake after it finds `reading` false and reads (were this
      // cleared a microtask later, as `.finally()` on the call would, a wake in between would be lost).
      this.reading = false;
      this.releaseWaiters();
    }
  }

  keyPackagesLow(left: number): void {
    this.send({ type: 'key_packages_low', left });
  }

  close(code: number, reason: string): void {
    this.flush(); // what was said before the close goes out before it
    this.ws.close(code, reason);
  }
}

/**
 * The sessions with frames waiting, flushed at the end of the turn by one immediate for all of them: a send
 * batch answers its senders and hands off to its recipients at once, dozens of sockets in one turn, and each
 * needed an immediate and a closure of its own.
 */
const dirty: ChatSession[] = [];

function flushAtEndOfTurn(session: ChatSession): void {
  if (dirty.push(session) === 1) setImmediate(flushDirty);
}

function flushDirty(): void {
  const sessions = dirty.splice(0);
  for (const s of sessions) {
    try {
      s.flush();
    } catch (err) {
      // One socket's failure must not keep the others' frames: thrown again outside this loop.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}
