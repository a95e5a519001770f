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
  DEVICES_HELD_CONSUMER,
  DEVICES_RELEASED_CONSUMER,
  DevicesHeld,
  DevicesReleased,
  WAKE_BATCH,
} from '../secure-chat.events.js';
import { ChatHub } from './chat-hub.js';
import { chatMetrics, type ChatMetrics } from './chat-metrics.js';
import type { CallSignalFrame } from './frames.js';
import { ANSWER_WAIT_MS, HeldAsks } from './held-asks.js';
import { AnsweredHeld, RemoteHolders } from './remote-holders.js';
import { handedOf, wake, type WakeData } from './wake-events.js';

/**
 * Cluster mode (the NATS event bus): a wake for devices not connected to this node goes to the other nodes,
 * with the envelopes just queued for them (up to HANDED_CHARS an event: a socket there sends them
 * without reading its queue), and those nodes wake the sockets they hold and answer which devices those are
 * (cluster presence, HeldAsks): this node then pushes "check in" only the devices no node holds. An answer is
 * remembered for a moment (RemoteHolders): wakes for those devices ask nothing but name the node presumed to hold
 * them, which pushes any it no longer holds, and which says when one leaves it (DevicesReleased). Wakes, call
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
  /** Which other node holds which device, from its answers: wakes for those ask nothing. */
  private readonly holders = new RemoteHolders();
  /** The devices this node answered for: a release is sent for those alone. */
  private readonly answeredFor = new AnsweredHeld();
  /** Devices released this turn: one event for them all. */
  private releasing: Set<string> | undefined;
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
        this.heard();
        if (e.data.to === this.node) this.answered(e.data);
        return Promise.resolve();
      }),
      await consume(bus, DEVICES_RELEASED_CONSUMER, (e) => {
        this.heard();
        if (e.data.node !== this.node) this.holders.released(e.data.node, e.data.deviceIds);
        return Promise.resolve();
      }),
      await consume(
        bus,
        CHAT_WAKE_CONSUMER,
        (e) => {
          this.heard();
          if (e.data.node !== this.node) this.woken(e.data);
          return Promise.resolve();
        },
        { onGap: () => this.reconnected() },
      ),
      await consume(bus, CALL_SIGNAL_CONSUMER, (e) => {
        this.heard();
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
    this.hub.relayReleased = (deviceId) => this.release(deviceId);
    this.hub.relay = (deviceIds, ask, handed) => {
      this.count?.wake('sent');
      if (!ask) return this.relay(deviceIds, [], (data) => wake(data, handed), 'the wake');
      // Devices another node answered for a moment ago are not asked about: the wake names that node.
      const { presumed, unknown } = this.holders.split(deviceIds, performance.now());
      this.count?.presence(presumed.size, unknown.length);
      // A wake that could not be sent reached no presumed holder: unsure, push its presumed devices now.
      const unsent = (batch: readonly string[]) =>
        this.hub.presumedAway(batch.filter((d) => presumed.has(d)));
      return this.relay(deviceIds, unknown, (data) => wake(data, handed, presumed), 'the wake', unsent);
    };
    this.hub.relaySignal = (deviceIds, frame: CallSignalFrame, ask) =>
      this.relay(
        deviceIds,
        ask ? deviceIds : [],
        (data) => CallSignalled.create({ ...data, frame }),
        'a call signal',
      );
  }

  /** A transient message came from NATS: the link delivered until now (AnsweredHeld.heard). */
  private heard(): void {
    this.answeredFor.heard(performance.now());
  }

  /** The node this one presumes holds the device, from a remembered answer (diagnostics, tests). */
  presumedHolder(deviceId: string): string | undefined {
    return this.holders.split([deviceId], performance.now()).presumed.get(deviceId);
  }

  /**
   * Publishes in batches, asking about `asked` (some or all of deviceIds): resolves to those no node claimed
   * within ANSWER_WAIT_MS (at once to none when nothing is asked).
   */
  private relay(
    deviceIds: readonly string[],
    asked: readonly string[],
    create: (data: { node: string; deviceIds: string[]; ask?: string }) => Parameters<EventBus['publish']>[0],
    what: string,
    unsent?: (batch: readonly string[]) => void,
  ): Promise<readonly string[]> {
    const ask = asked.length > 0;
    const id = ask ? randomUUID() : undefined;
    const opened = id !== undefined && this.asks.ask(id, asked, performance.now());
    for (let i = 0; i < deviceIds.length; i += WAKE_BATCH) {
      const batch = deviceIds.slice(i, i + WAKE_BATCH);
      this.bus!.signal(create({ node: this.node, deviceIds: batch, ...(opened ? { ask: id } : {}) })).catch(
        (err: unknown) => {
          this.logger?.warn({ err }, `chat: ${what} could not be relayed`);
          unsent?.(batch);
        },
      );
    }
    if (!ask) return Promise.resolve([]);
    // Too many asks open: unsure, push them all now.
    if (!opened) return Promise.resolve(asked);
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      setTimeout(() => this.settle(this.asks.due(performance.now())), ANSWER_WAIT_MS + 10).unref();
    });
  }

  /**
   * Another node's wake: the sockets here are woken (given their envelopes); the devices it presumed held here
   * that are not are pushed from here (and released: it forgets); the ask is answered for the others.
   */
  private woken(data: WakeData): void {
    const away = this.hub.wakeLocal(data.deviceIds, handedOf(data));
    if (away.length < data.deviceIds.length) this.count?.wake('held');
    const presumed = new Set(data.presumed?.flatMap((p) => p.deviceIds));
    const mine = new Set(data.presumed?.filter((p) => p.node === this.node).flatMap((p) => p.deviceIds));
    const gone = away.filter((d) => mine.has(d));
    if (gone.length) {
      this.hub.presumedAway(gone);
      for (const d of gone) this.release(d, true);
    }
    if (presumed.size === 0) return this.answer(data, data.deviceIds, away);
    const asked = data.deviceIds.filter((d) => !presumed.has(d));
    this.answer(data, asked, away);
  }

  /** A wake or signal from another node with an ask: tell it which of its devices this node holds. */
  private answer(
    data: { node: string; ask?: string | undefined },
    ids: readonly string[],
    away: string[],
  ): void {
    if (data.ask === undefined || ids.length === 0) return;
    const notHere = new Set(away);
    const held = ids.filter((d) => !notHere.has(d));
    if (held.length === 0) return;
    // Remembered only from a node that can push what is presumed on it and has left (device management here).
    const remembers = this.hub.pushes;
    if (remembers) this.answeredFor.answered(held, performance.now());
    this.bus!.signal(
      DevicesHeld.create({
        to: data.node,
        ask: data.ask,
        node: this.node,
        deviceIds: held,
        ...(remembers ? { remembers } : {}),
      }),
    ).catch((err: unknown) => this.logger?.warn({ err }, 'chat: a presence answer could not be sent'));
  }

  /**
   * A device's last socket here closed (or one presumed here is not): if this node answered for it a moment
   * ago, the nodes that may remember so are told, in one event a turn. `always`: whether answered or not.
   */
  private release(deviceId: string, always = false): void {
    if (!this.answeredFor.left(deviceId, performance.now()) && !always) return;
    if (this.releasing) return void this.releasing.add(deviceId);
    const releasing = (this.releasing = new Set([deviceId]));
    queueMicrotask(() => {
      this.releasing = undefined;
      const ids = [...releasing];
      for (let i = 0; i < ids.length; i += WAKE_BATCH) void this.released(ids.slice(i, i + WAKE_BATCH));
    });
  }

  /** Tells the other nodes to forget that this node holds these devices (without a list: any device). */
  private released(deviceIds?: string[]): Promise<void> {
    return this.bus!.signal(
      DevicesReleased.create({ node: this.node, ...(deviceIds ? { deviceIds } : {}) }),
    ).catch((err: unknown) => this.logger?.warn({ err }, 'chat: a presence release could not be sent'));
  }

  /**
   * Back on NATS after a cut: wakes and releases may have been lost both ways. Every socket here reads its
   * queue; what this node remembered of the others is forgotten; they forget what it answered.
   */
  private reconnected(): void {
    this.hub.wakeAllLocal();
    this.holders.forget();
    // Wakes presuming here the devices that left lately may have been lost: unsure, push those not back.
    this.hub.presumedAway(this.answeredFor.leftLately().filter((d) => !this.hub.connected(d)));
    void this.released();
  }

  /**
   * Node `node` holds these devices of ask `id`: not pushed; remembered when it said it would act on that
   * (`remembers`: a release before this one's did not) and the answer is not late (see AnsweredHeld).
   */
  private answered(answer: {
    ask: string;
    node: string;
    deviceIds: string[];
    remembers?: true | undefined;
  }): void {
    const { ask: id, deviceIds } = answer;
    const state = this.asks.held(id, deviceIds, performance.now());
    if (state === 'late') return;
    if (answer.remembers) this.holders.learn(answer.node, deviceIds, performance.now());
    if (state !== 'claimed') return;
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
    this.hub.relayReleased = undefined;
    // This node's sockets close with it: the others forget every device it answered for.
    if (this.subscriptions.length) await this.released();
    await Promise.all(this.subscriptions.splice(0).map((s) => s.unsubscribe()));
    this.settle(this.asks.drain());
  }
}
