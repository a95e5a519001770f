import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { consume, EVENT_BUS, LOGGER, Metrics, type EventBus, type Subscription } from '@pakawaaz/platform';
import type { Logger } from 'pino';
import {
  CALL_SIGNAL_CONSUMER,
  CallSignalled,
  CHAT_REMOVED_CONSUMER,
  CHAT_WAKE_CONSUMER,
  ChatDeviceRemoved,
  ChatQueued,
  DEVICES_HELD_CONSUMER,
  DevicesHeld,
  HANDED_CHARS,
  WAKE_BATCH,
} from '../secure-chat.events.js';
import type { QueuedEnvelope } from '../chat-ports.js';
import { envelopeBytes } from '../delivery/envelope-bytes.js';
import { ChatHub } from './chat-hub.js';
import { chatMetrics, type ChatMetrics } from './chat-metrics.js';
import type { CallSignalFrame } from './frames.js';
import { ANSWER_WAIT_MS, HeldAsks } from './held-asks.js';

/**
 * Cluster mode (the NATS event bus): a wake for devices not connected to this node goes to the other nodes,
 * with the envelopes just queued for them (up to HANDED_CHARS an event: a socket there sends them
 * without reading its queue), and those nodes wake the sockets they hold and answer which devices those are
 * (cluster presence, HeldAsks): this node then pushes "check in" only the devices no node holds. Wakes, call
 * signals and answers are transient (core NATS, never stored): after a reconnect every socket here reads its
 * queue, since wakes sent meanwhile are lost. A device removed from chat has its sockets closed on every node
 * (a stored event: a node that was away closes them when it is back). The embedded default (one node, the
 * in-process bus) needs nothing of it.
 */
@Injectable()
export class ChatRelay implements OnModuleInit, OnModuleDestroy {
  readonly node = randomUUID();
  private subscriptions: Subscription[] = [];
  private readonly asks = new HeldAsks();
  /** The open asks' callers: each resolved with the devices to push. */
  private readonly waiting = new Map<string, (push: readonly string[]) => void>();
  private readonly count: ChatMetrics | undefined;

  constructor(
    private readonly hub: ChatHub,
    @Optional() @Inject(EVENT_BUS) private readonly bus?: EventBus | null,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
    @Optional() metrics?: Metrics,
  ) {
    this.count = metrics && chatMetrics(metrics, () => hub.connections);
  }

  async onModuleInit(): Promise<void> {
    if (this.bus?.mode !== 'nats') return;
    const bus = this.bus;
    this.subscriptions.push(
      await consume(bus, DEVICES_HELD_CONSUMER, (e) => {
        if (e.data.to === this.node) this.answered(e.data.ask, e.data.deviceIds);
        return Promise.resolve();
      }),
      await consume(
        bus,
        CHAT_WAKE_CONSUMER,
        (e) => {
          if (e.data.node === this.node) return Promise.resolve();
          const away = this.hub.wakeLocal(e.data.deviceIds, handedOf(e.data));
          if (away.length < e.data.deviceIds.length) this.count?.wake('held');
          this.answer(e.data, e.data.deviceIds, away);
          return Promise.resolve();
        },
        { onGap: () => this.hub.wakeAllLocal() },
      ),
      await consume(bus, CALL_SIGNAL_CONSUMER, (e) => {
        if (e.data.node !== this.node)
          this.answer(e.data, e.data.deviceIds, this.hub.signalLocal(e.data.deviceIds, e.data.frame));
        return Promise.resolve();
      }),
      await consume(bus, CHAT_REMOVED_CONSUMER, (e) => {
        if (e.data.node !== this.node) this.hub.removedLocal(e.data.deviceId);
        return Promise.resolve();
      }),
    );
    this.hub.relayRemoved = (deviceId) =>
      void bus
        .publish(ChatDeviceRemoved.create({ node: this.node, deviceId }))
        .catch((err: unknown) => this.logger?.warn({ err }, 'chat: a removal could not be relayed'));
    this.hub.relay = (deviceIds, ask, handed) => {
      this.count?.wake('sent');
      return this.relay(deviceIds, ask, (data) => ChatQueued.create(withHanded(data, handed)), 'the wake');
    };
    this.hub.relaySignal = (deviceIds, frame: CallSignalFrame, ask) =>
      this.relay(deviceIds, ask, (data) => CallSignalled.create({ ...data, frame }), 'a call signal');
  }

  /** Publishes in batches; with `ask`, resolves to the devices no node claimed within ANSWER_WAIT_MS. */
  private relay(
    deviceIds: readonly string[],
    ask: boolean,
    create: (data: { node: string; deviceIds: string[]; ask?: string }) => Parameters<EventBus['publish']>[0],
    what: string,
  ): Promise<readonly string[]> {
    const id = ask ? randomUUID() : undefined;
    const opened = id !== undefined && this.asks.ask(id, deviceIds, Date.now());
    for (let i = 0; i < deviceIds.length; i += WAKE_BATCH)
      this.bus!.signal(
        create({
          node: this.node,
          deviceIds: deviceIds.slice(i, i + WAKE_BATCH),
          ...(opened ? { ask: id } : {}),
        }),
      ).catch((err: unknown) => this.logger?.warn({ err }, `chat: ${what} could not be relayed`));
    if (!ask) return Promise.resolve([]);
    // Too many asks open: unsure, push them all now.
    if (!opened) return Promise.resolve(deviceIds);
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      setTimeout(() => this.settle(this.asks.due(Date.now())), ANSWER_WAIT_MS + 10).unref();
    });
  }

  /** A wake or signal from another node with an ask: tell it which of its devices this node holds. */
  private answer(
    data: { node: string; ask?: string | undefined },
    ids: readonly string[],
    away: string[],
  ): void {
    if (data.ask === undefined || away.length === ids.length) return;
    const notHere = new Set(away);
    const held = ids.filter((d) => !notHere.has(d));
    this.bus!.signal(
      DevicesHeld.create({ to: data.node, ask: data.ask, node: this.node, deviceIds: held }),
    ).catch((err: unknown) => this.logger?.warn({ err }, 'chat: a presence answer could not be sent'));
  }

  private answered(id: string, deviceIds: readonly string[]): void {
    if (this.asks.held(id, deviceIds) !== 'claimed') return;
    this.waiting.get(id)?.([]);
    this.waiting.delete(id);
  }

  private settle(done: [string, string[]][]): void {
    for (const [id, push] of done) {
      this.waiting.get(id)?.(push);
      this.waiting.delete(id);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.hub.relay = undefined;
    this.hub.relaySignal = undefined;
    this.hub.relayRemoved = undefined;
    await Promise.all(this.subscriptions.splice(0).map((s) => s.unsubscribe()));
    this.settle(this.asks.drain());
  }
}

type Handed = NonNullable<Parameters<NonNullable<ChatHub['relay']>>[2]>;
type WakeData = {
  node: string;
  deviceIds: string[];
  ask?: string;
  handed?: { deviceId: string; envelopes: QueuedEnvelope[] }[];
};

/**
 * A wake's data with the envelopes of as many of its devices as fit in HANDED_CHARS, each device's all or
 * none (a device given only some would send those and never read the rest: one given none reads its queue).
 */
export function withHanded(data: WakeData, handed: Handed | undefined): WakeData {
  if (!handed) return data;
  let room = HANDED_CHARS;
  const out: { deviceId: string; envelopes: QueuedEnvelope[] }[] = [];
  for (const deviceId of data.deviceIds) {
    const envelopes = handed.get(deviceId);
    if (!envelopes) continue;
    let chars = deviceId.length + 32;
    for (const e of envelopes) chars += envelopeBytes(e);
    if (chars > room) continue;
    room -= chars;
    out.push({ deviceId, envelopes: [...envelopes] });
  }
  return out.length ? { ...data, handed: out } : data;
}

/** The envelopes a wake handed over, by device. */
function handedOf(data: { handed?: { deviceId: string; envelopes: QueuedEnvelope[] }[] | undefined }) {
  if (!data.handed) return undefined;
  return new Map(data.handed.map((h) => [h.deviceId, h.envelopes]));
}
