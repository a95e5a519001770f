import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { consume, EVENT_BUS, type EventBus, type Subscription } from '@pakawaaz/platform';
import { DeviceRemovalService } from './device-removal.service.js';
import {
  CertificatesRevoked,
  DEVICE_REMOVAL_CONSUMER,
  OFFICIAL_STATUS_CONSUMER,
  OfficialDisabled,
} from './membership.events.js';

/**
 * Flows up the floors arrive as events: a device's certificates revoked for a wipe, a loss or a retirement
 * (not a renewal: `superseded` leaves the device in chat), a handset in lost mode, an official disabled or
 * enabled again. Each handler is idempotent (a removed device is in no group; a lift finds nothing), so a
 * redelivered event changes nothing.
 */
@Injectable()
export class MembershipListener implements OnApplicationBootstrap, OnModuleDestroy {
  private subscriptions: Subscription[] = [];

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly removal: DeviceRemovalService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscriptions.push(
      await consume(this.bus, DEVICE_REMOVAL_CONSUMER, async ({ type, data }) => {
        if (type === CertificatesRevoked.type) {
          if (data.reason !== 'superseded') await this.removal.removeDevice(data.deviceId, null, data.reason);
        } else await this.removal.removeDevice(data.deviceId, data.userId, 'lost');
      }),
      await consume(this.bus, OFFICIAL_STATUS_CONSUMER, async ({ type, data }) => {
        if (type === OfficialDisabled.type) await this.removal.removeOfficial(data.userId);
        else await this.removal.liftOfficial(data.userId);
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => s.unsubscribe()));
  }
}
