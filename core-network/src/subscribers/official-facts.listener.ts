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
import { OfficialFactsService } from './official-facts.service.js';
import { OFFICIAL_FACTS_CONSUMER } from './subscribers.events.js';

/**
 * Identity owns an official's name and institution; core-network keeps copies on the official's subscribers
 * (for lists and per-institution filters without reaching into identity). Every identity user event carries
 * the current facts: a durable, idempotent consumer applies them, so the copies follow every change.
 */
@Injectable()
export class OfficialFactsListener implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription: Subscription | undefined;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly facts: OfficialFactsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const receipts = new EventReceipts(this.database.db);
    this.subscription = await consume(
      this.bus,
      OFFICIAL_FACTS_CONSUMER,
      idempotent(receipts, OFFICIAL_FACTS_CONSUMER.name, async ({ data }) => {
        await this.facts.follow({ ...data, factsAt: new Date(data.factsAt) });
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.unsubscribe();
  }
}
