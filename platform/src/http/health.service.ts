import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle } from '../db/database.js';
import { DATABASE } from '../db/database.tokens.js';
import { EVENT_BUS, type EventBus } from '../events/event-bus.js';

export type Readiness = {
  status: 'ready' | 'not_ready';
  checks: { database: 'up' | 'down'; eventBus: 'up' | 'down' };
};

/** Readiness = the database answers and the event bus is connected; both are re-checked on every probe. */
@Injectable()
export class HealthService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  async databaseUp(): Promise<boolean> {
    try {
      await this.database.ping(1_500);
      return true;
    } catch {
      return false;
    }
  }

  async readiness(): Promise<Readiness> {
    const [db, bus] = await Promise.all([
      this.databaseUp(),
      this.bus.health().then(
        (h) => h.status === 'up',
        () => false,
      ),
    ]);
    return {
      status: db && bus ? 'ready' : 'not_ready',
      checks: { database: db ? 'up' : 'down', eventBus: bus ? 'up' : 'down' },
    };
  }
}
