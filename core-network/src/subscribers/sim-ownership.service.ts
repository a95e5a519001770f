import { Injectable } from '@nestjs/common';
import type { SimOwner, SimOwnership } from './sim-ownership.port.js';
import { SubscribersRepository, type SubscriberRow } from './subscribers.repository.js';

const owner = (s: SubscriberRow): SimOwner => ({ imsi: s.imsi, userId: s.userId, status: s.status });

/** Answers identity's SimOwnership port from the subscribers table. */
@Injectable()
export class SimOwnershipService implements SimOwnership {
  constructor(private readonly subscribers: SubscribersRepository) {}

  async ownerOf(imsi: string): Promise<SimOwner | null> {
    if (!/^\d{15}$/.test(imsi)) return null;
    const row = await this.subscribers.find(imsi);
    return row ? owner(row) : null;
  }

  async simsOf(userRefs: readonly string[]): Promise<SimOwner[]> {
    return (await this.subscribers.byUsers(userRefs)).map(owner);
  }
}
