import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  consume,
  EVENT_BUS,
  LOGGER,
  type EventBus,
  type Logger,
  type Subscription,
} from '@pakawaaz/platform';
import { OS_UPDATE_OUTCOMES_CONSUMER } from '../hardened-os.events.js';
import { RolloutEngine } from './rollout-engine.service.js';

/**
 * device-mgmt's reports of devices' OS updates: each recorded once per device (its latest outcome), and after
 * a failure the rollout's automatic halt weighed. Re-delivery is harmless: an outcome on record changes nothing.
 */
@Injectable()
export class OsUpdateListener implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription: Subscription | undefined;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly engine: RolloutEngine,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consume(this.bus, OS_UPDATE_OUTCOMES_CONSUMER, async ({ data }) => {
      const result = await this.engine.record(data);
      if (result === 'ignored')
        this.logger.warn({ rollout: data.rolloutId }, 'an OS update outcome names no rollout of ours');
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.unsubscribe();
  }
}
