import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { consume, EVENT_BUS, LOGGER, type EventBus, type Subscription } from '@pakawaaz/platform';
import type { Logger } from 'pino';
import {
  CALL_SIGNAL_CONSUMER,
  CallSignalled,
  CHAT_WAKE_CONSUMER,
  ChatQueued,
  WAKE_BATCH,
} from '../secure-chat.events.js';
import { ChatHub } from './chat-hub.js';

/**
 * Cluster mode (the NATS event bus): a wake for devices not connected to this node goes to the other nodes,
 * which wake the sockets they hold. The embedded default (one node, the in-process bus) needs nothing of it.
 */
@Injectable()
export class ChatRelay implements OnModuleInit, OnModuleDestroy {
  readonly node = randomUUID();
  private subscriptions: Subscription[] = [];

  constructor(
    private readonly hub: ChatHub,
    @Optional() @Inject(EVENT_BUS) private readonly bus?: EventBus | null,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.bus?.mode !== 'nats') return;
    const bus = this.bus;
    this.subscriptions.push(
      await consume(bus, CHAT_WAKE_CONSUMER, (e) => {
        if (e.data.node !== this.node) this.hub.wakeLocal(e.data.deviceIds);
        return Promise.resolve();
      }),
      await consume(bus, CALL_SIGNAL_CONSUMER, (e) => {
        if (e.data.node !== this.node) this.hub.signalLocal(e.data.deviceIds, e.data.frame);
        return Promise.resolve();
      }),
    );
    this.hub.relay = (deviceIds) => {
      for (let i = 0; i < deviceIds.length; i += WAKE_BATCH)
        bus
          .publish(ChatQueued.create({ node: this.node, deviceIds: deviceIds.slice(i, i + WAKE_BATCH) }))
          .catch((err: unknown) => this.logger?.warn({ err }, 'chat: the wake could not be relayed'));
    };
    this.hub.relaySignal = (deviceIds, frame) => {
      for (let i = 0; i < deviceIds.length; i += WAKE_BATCH)
        bus
          .publish(
            CallSignalled.create({ node: this.node, deviceIds: deviceIds.slice(i, i + WAKE_BATCH), frame }),
          )
          .catch((err: unknown) => this.logger?.warn({ err }, 'chat: a call signal could not be relayed'));
    };
  }

  async onModuleDestroy(): Promise<void> {
    this.hub.relay = undefined;
    this.hub.relaySignal = undefined;
    await Promise.all(this.subscriptions.map((s) => s.unsubscribe()));
  }
}
