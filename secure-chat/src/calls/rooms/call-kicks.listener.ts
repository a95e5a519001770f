import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { consume, EVENT_BUS, type EventBus, type Subscription } from '@pakawaaz/platform';
import { CertificatesRevoked } from '../../membership/membership.events.js';
import {
  CALL_KICKS_CONSUMER,
  CALL_KICKS_GROUP_CONSUMER,
  CALL_KICKS_OFFICIAL_CONSUMER,
} from '../calls.events.js';
import { CallRoomsService } from './call-rooms.service.js';

/**
 * A device taken out of chat (certificates revoked for a wipe, loss or retirement; lost mode; its official
 * disabled) is kicked from its live calls — the same events that remove it from its groups — and a device an
 * accepted commit dropped from a group is kicked from that group's live call. Idempotent: a kicked device is
 * in no live call.
 */
@Injectable()
export class CallKicksListener implements OnApplicationBootstrap, OnModuleDestroy {
  private subscriptions: Subscription[] = [];

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly calls: CallRoomsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscriptions.push(
      await consume(this.bus, CALL_KICKS_CONSUMER, async ({ type, data }) => {
        if (type === CertificatesRevoked.type && data.reason === 'superseded') return;
        await this.calls.kickDevice(data.deviceId);
      }),
      await consume(this.bus, CALL_KICKS_OFFICIAL_CONSUMER, async ({ data }) => {
        await this.calls.kickOfficial(data.userId);
      }),
      await consume(this.bus, CALL_KICKS_GROUP_CONSUMER, async ({ data }) => {
        await this.calls.kickFromGroup(data.groupId, data.deviceIds);
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => s.unsubscribe()));
  }
}
