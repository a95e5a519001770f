import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  consume,
  DATABASE,
  EVENT_BUS,
  EventReceipts,
  idempotent,
  type DatabaseHandle,
  type EventBus,
  type Subscription,
} from '@pakawaaz/platform';
import { DEVICE_BARRING_CONSUMER, DeviceLost } from './subscribers.events.js';
import { SubscribersService } from './subscribers.service.js';

/**
 * Flows up the floors arrive as events (DESIGN §2): device-mgmt publishes `device-mgmt.device.lost` and
 * `device-mgmt.device.non-compliant` with the IMSI of the SIM in the handset; core-network bars it. An event
 * without a valid IMSI is dead-lettered by the bus (see `consume`).
 */
export const CONSUMER = DEVICE_BARRING_CONSUMER.name;

@Injectable()
export class DeviceEventsListener implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription: Subscription | undefined;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly subscribers: SubscribersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const receipts = new EventReceipts(this.database.db);
    this.subscription = await consume(
      this.bus,
      DEVICE_BARRING_CONSUMER,
      idempotent(receipts, CONSUMER, async ({ type, data }) => {
        const why = type === DeviceLost.type ? 'handset reported lost' : 'handset non-compliant';
        const reason = `${why}${data.deviceId ? ` (device ${data.deviceId})` : ''}${data.reason ? `: ${data.reason}` : ''}`;
        await this.subscribers.barForDevice(data.imsi, reason, data.userId);
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.unsubscribe();
  }
}
