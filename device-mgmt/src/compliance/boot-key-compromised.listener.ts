import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  consume,
  EVENT_BUS,
  LOGGER,
  type EventBus,
  type Logger,
  type Subscription,
} from '@pakawaaz/platform';
import { BOOT_KEY_COMPROMISED_CONSUMER } from '../device-mgmt.events.js';
import { ComplianceSweepService } from './compliance-sweep.service.js';

/**
 * hardened-os marked a verified-boot key compromised: the handsets whose attestation carries it are
 * re-evaluated now (bounded pages, each under its row lock), and their non-compliant transitions published
 * for core-network to bar the SIMs. Re-delivery is harmless: an unchanged verdict publishes nothing.
 */
@Injectable()
export class BootKeyCompromisedListener implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription: Subscription | undefined;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly sweep: ComplianceSweepService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consume(this.bus, BOOT_KEY_COMPROMISED_CONSUMER, async ({ data }) => {
      const result = await this.sweep.reevaluateBootKey(data.digest);
      this.logger.info({ ...result, digest: data.digest }, 'devices re-evaluated for a compromised boot key');
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.unsubscribe();
  }
}
