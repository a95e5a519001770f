import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { DEVICE_PUSH, type DevicePush } from '@pakawaaz/device-mgmt';
import { LOGGER } from '@pakawaaz/platform';
import type { Logger } from 'pino';
import type { ChatWake, HandedEnvelope, QueuedEnvelope } from '../chat-ports.js';
import type { CallSignalFrame } from './frames.js';
import { BoundedReads, WAKE_ALL_IN_FLIGHT } from './wake-all.js';

/** Envelopes just queued, by device, each device's in seq order. */
export type Handed = ReadonlyMap<string, readonly QueuedEnvelope[]>;

/** A connected device's socket, as the hub sees it. */
export type ChatSession = {
  readonly deviceId: string;
  /** New envelopes are queued: deliver them. */
  wake(): void;
  /**
   * Wakes, and resolves once the queue read covering this wake has ended (delivered up to the end of the queue,
   * failed or the socket closed; never rejects): the read under way if there is one, else a new one.
   */
  read(): Promise<void>;
  /** These envelopes were just queued for the device (in seq order): send them, or wake if not next. */
  offer(envelopes: readonly QueuedEnvelope[]): void;
  /** Tell the device to upload KeyPackages. */
  keyPackagesLow(left: number): void;
  /** Send a frame now (call signalling: it is not queued, a device that is not connected misses it). */
  send(frame: CallSignalFrame): void;
  /** Close the socket (the device is removed from chat). */
  close(code: number, reason: string): void;
};

/**
 * Most sockets a device keeps open on a node: a handset that reconnects while its old socket is still half-open
 * (the network changed; no pong yet) must not be refused. Each socket reads the whole queue and is handed every
 * envelope, so more would multiply a device's delivery: the oldest is closed (SOCKET_REPLACED) for a new one.
 */
export const MAX_SOCKETS_PER_DEVICE = 2;
/** The close code and reason of a device's oldest socket when it opens one more than MAX_SOCKETS_PER_DEVICE. */
export const SOCKET_REPLACED = { code: 4409, reason: 'replaced by a newer socket of this device' } as const;

/** A device not connected here is pushed "check in" at most this often. */
export const PUSH_INTERVAL_MS = 30_000;
/** A ring (a call inviting a device not connected) pushes it at most this often: an invite/cancel loop cannot
 * push a group's offline devices faster (the ring itself waits for the device: pending rings on connect). */
export const RING_PUSH_INTERVAL_MS = 10_000;

/**
 * The devices connected to this node, and how queued envelopes reach them: a connected device's socket is woken
 * at once; one that is not gets a "check in" push through device management's MQTT (at most every 30 s per
 * device). A cluster relays wakes between nodes (ChatRelay) and pushes only the devices no other node says it
 * holds (within a short wait; no answer means push).
 */
@Injectable()
export class ChatHub implements ChatWake, OnModuleDestroy {
  private readonly sessions = new Map<string, Set<ChatSession>>();
  private readonly pushedAt = new Map<string, number>();
  private readonly ringPushedAt = new Map<string, number>();
  /** wakeAllLocal's reads, at most WAKE_ALL_IN_FLIGHT under way; a socket gone when its turn comes is skipped. */
  private readonly wakeAll = new BoundedReads<ChatSession>(
    WAKE_ALL_IN_FLIGHT,
    (s) => s.read(),
    (s) => this.sessions.get(s.deviceId)?.has(s) === true,
    (err) => this.logger?.warn({ err }, 'chat: a socket could not read its queue (wake-all)'),
  );
  /**
   * Set by the cluster relay: wakes for devices not connected here go to the other nodes too, with the
   * envelopes just queued for them when known (`handed`). With `ask`, it resolves (after a short wait at most)
   * to those no other node holds: only they are pushed.
   */
  relay:
    ((deviceIds: readonly string[], ask: boolean, handed?: Handed) => Promise<readonly string[]>) | undefined;
  /** Set by the cluster relay: call signals for devices not connected here go to the other nodes too (`ask`: as relay's). */
  relaySignal:
    | ((deviceIds: readonly string[], frame: CallSignalFrame, ask: boolean) => Promise<readonly string[]>)
    | undefined;
  /** Set by the cluster relay: a device removed from chat has its sockets on the other nodes closed too. */
  relayRemoved: ((deviceId: string) => void) | undefined;
  /** Set by the cluster relay: a device's last socket here closed (nodes that remember it held here forget). */
  relayReleased: ((deviceId: string) => void) | undefined;

  constructor(
    @Optional() @Inject(DEVICE_PUSH) private readonly push?: DevicePush | null,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  add(session: ChatSession): () => void {
    let set = this.sessions.get(session.deviceId);
    if (!set) this.sessions.set(session.deviceId, (set = new Set()));
    // The oldest first (a Set keeps insertion order); out of the hub at once, not when its close completes (a
    // half-open socket's may take the close timeout), so it is neither woken nor counted meanwhile.
    for (const old of set) {
      if (set.size < MAX_SOCKETS_PER_DEVICE) break;
      set.delete(old);
      old.close(SOCKET_REPLACED.code, SOCKET_REPLACED.reason);
    }
    set.add(session);
    return () => {
      set.delete(session);
      if (set.size > 0 || this.sessions.get(session.deviceId) !== set) return;
      this.sessions.delete(session.deviceId);
      this.relayReleased?.(session.deviceId);
    };
  }

  /** Whether this node can push "check in" (device management's MQTT push is here). */
  get pushes(): boolean {
    return !!this.push;
  }

  connected(deviceId: string): boolean {
    return this.sessions.has(deviceId);
  }

  get connections(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.size;
    return n;
  }

  queued(deviceIds: readonly string[]): void {
    this.queuedAway(this.wakeLocal(deviceIds));
  }

  handOff(handed: readonly HandedEnvelope[]): void {
    const byDevice = new Map<string, QueuedEnvelope[]>();
    for (const { deviceId, envelope } of handed) {
      const list = byDevice.get(deviceId);
      if (list) list.push(envelope);
      else byDevice.set(deviceId, [envelope]);
    }
    const away = this.wakeLocal([...byDevice.keys()], byDevice);
    this.queuedAway(away, this.relay && away.length ? byDevice : undefined);
  }

  /**
   * Devices with new envelopes that are not connected here: the other nodes' sockets (given the envelopes when
   * known), else a push.
   */
  private queuedAway(away: readonly string[], handed?: Handed): void {
    if (away.length === 0) return;
    const relay = this.relay;
    this.pushUnheld(away, false, relay && ((ask) => relay(away, ask, handed)));
  }

  /**
   * Wakes the sockets of these devices connected here — offering those in `handed` their envelopes (a socket
   * whose next seq they start at sends them without reading its queue) — and returns the devices that are not.
   */
  wakeLocal(deviceIds: readonly string[], handed?: Handed): string[] {
    const away: string[] = [];
    for (const id of deviceIds) {
      const set = this.sessions.get(id);
      const envelopes = handed?.get(id);
      if (!set) away.push(id);
      else if (envelopes) for (const s of set) s.offer(envelopes);
      else for (const s of set) s.wake();
    }
    return away;
  }

  /**
   * Every socket here reads its queue (the cluster's transient wakes may have missed some meanwhile): at most
   * WAKE_ALL_IN_FLIGHT reads under way, the next started as one ends — a node's ten thousand queue reads at once
   * would wait on the pool past its timeout, fail and be retried together. Called again during a run, it adds to
   * that run (the sockets already read are read again, after the others); one opened meanwhile reads on its own.
   */
  wakeAllLocal(): void {
    this.wakeAll.add([...this.sessions.values()].flatMap((set) => [...set]));
  }

  /**
   * A call signal for these devices: sent on their sockets here, relayed to the other nodes for the others;
   * `push`: the devices not connected here are also pushed "check in" (a ring) without waiting out the
   * check-in interval, though at most once per RING_PUSH_INTERVAL_MS: on connecting they are told the calls
   * ringing them.
   */
  signal(deviceIds: readonly string[], frame: CallSignalFrame, push = false): void {
    const away = this.signalLocal(deviceIds, frame);
    if (away.length === 0) return;
    const relay = this.relaySignal;
    if (push) this.pushUnheld(away, true, relay && ((ask) => relay(away, frame, ask)));
    else void relay?.(away, frame, false);
  }

  /** Sends the frame on the sockets of these devices connected here; the devices that are not. */
  signalLocal(deviceIds: readonly string[], frame: CallSignalFrame): string[] {
    const away: string[] = [];
    for (const id of deviceIds) {
      const set = this.sessions.get(id);
      if (set) for (const s of set) s.send(frame);
      else away.push(id);
    }
    return away;
  }

  keyPackagesLow(deviceId: string, left: number): void {
    const set = this.sessions.get(deviceId);
    if (set) for (const s of set) s.keyPackagesLow(left);
    else this.pushCheckIn([deviceId]);
  }

  /** The device is removed from chat: its sockets here close now, and the other nodes close theirs. */
  removed(deviceId: string): void {
    this.removedLocal(deviceId);
    this.relayRemoved?.(deviceId);
  }

  /** Closes the sockets of this device connected here (a removal on this node, or relayed from another). */
  removedLocal(deviceId: string): void {
    for (const s of this.sessions.get(deviceId) ?? []) s.close(4403, 'device removed from chat');
    if (this.sessions.delete(deviceId)) this.relayReleased?.(deviceId);
  }

  /**
   * Another node presumed these devices connected here (it remembered so, and asked nothing): those that are
   * not are pushed "check in" from here, as their node would have been told to by an answer (spacing applies).
   */
  presumedAway(deviceIds: readonly string[]): void {
    this.pushCheckIn(deviceIds);
  }

  /**
   * Pushes these devices not connected here: at once on a single node; in a cluster, once the other nodes have
   * answered which of them they hold (the relay resolves to the rest; it pushes them all if it fails).
   */
  private pushUnheld(
    away: readonly string[],
    ring: boolean,
    relayed: ((ask: boolean) => Promise<readonly string[]>) | undefined,
  ): void {
    if (!relayed) return this.pushCheckIn(away, ring);
    // Asked about only when a push could go (not pushed within the spacing): a device pushed a moment ago
    // would not be pushed again whatever the answer.
    const unsure = this.push ? this.due(away, ring, Date.now()) : [];
    if (unsure.length === 0) return void relayed(false).catch(() => undefined);
    relayed(true).then(
      (unheld) => {
        const notHeld = new Set(unheld);
        this.pushCheckIn(
          unsure.filter((d) => notHeld.has(d)),
          ring,
        );
      },
      () => this.pushCheckIn(unsure, ring),
    );
  }

  /** Those of these devices a push would reach now (the last one longer ago than the interval). */
  private due(deviceIds: readonly string[], ring: boolean, now: number): string[] {
    const [at, interval] = ring
      ? [this.ringPushedAt, RING_PUSH_INTERVAL_MS]
      : [this.pushedAt, PUSH_INTERVAL_MS];
    return deviceIds.filter((d) => (at.get(d) ?? 0) + interval <= now);
  }

  private pushCheckIn(deviceIds: readonly string[], ring = false): void {
    if (!this.push || deviceIds.length === 0) return;
    const now = Date.now();
    const at = ring ? this.ringPushedAt : this.pushedAt;
    const due = this.due(deviceIds, ring, now);
    if (due.length === 0) return;
    for (const d of due) at.set(d, now);
    if (ring) for (const d of due) this.pushedAt.set(d, now);
    for (const [map, ms] of [
      [this.pushedAt, PUSH_INTERVAL_MS],
      [this.ringPushedAt, RING_PUSH_INTERVAL_MS],
    ] as const)
      if (map.size > 100_000) for (const [d, t] of map) if (t + ms <= now) map.delete(d);
    this.push.notify(due).catch((err: unknown) => this.logger?.warn({ err }, 'chat: check-in push failed'));
  }

  onModuleDestroy(): void {
    for (const set of this.sessions.values()) for (const s of set) s.close(1001, 'server shutting down');
    this.sessions.clear();
  }
}
