import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  DATABASE,
  EVENT_BUS,
  EventReceipts,
  LOGGER,
  idempotent,
  type DatabaseHandle,
  type EventBus,
  type Logger,
  type Subscription,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { SubscribersService } from './subscribers.service.js';

/**
 * Flows up the floors arrive as events (DESIGN §2): device-mgmt publishes `device-mgmt.device.lost` and
 * `device-mgmt.device.non-compliant` with the IMSI of the SIM in the handset; core-network bars it.
 */
export const CONSUMER = 'core-network.device-barring';
const BARRING_EVENTS: Record<string, string> = {
  'device-mgmt.device.lost': 'handset reported lost',
  'device-mgmt.device.non-compliant': 'handset non-compliant',
};
const DeviceEventData = z.object({
  imsi: z.string().regex(/^\d{15}$/),
  deviceId: z.string().max(100).optional(),
  reason: z.string().max(500).optional(),
});

@Injectable()
export class DeviceEventsListener implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription: Subscription | undefined;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly subscribers: SubscribersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const receipts = new EventReceipts(this.database.db);
    this.subscription = await this.bus.subscribe(
      CONSUMER,
      'device-mgmt.>',
      idempotent(receipts, CONSUMER, async (event) => {
        const why = BARRING_EVENTS[event.type];
        if (!why) return;
        const data = DeviceEventData.safeParse(event.data);
        if (!data.success)
          return this.logger.warn(
            { eventId: event.id, type: event.type },
            'device event without a valid IMSI ignored',
          );
        const reason = `${why}${data.data.deviceId ? ` (device ${data.data.deviceId})` : ''}${data.data.reason ? `: ${data.data.reason}` : ''}`;
        await this.subscribers.barForDevice(data.data.imsi, reason);
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.unsubscribe();
  }
}
