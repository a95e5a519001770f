import { Inject, Injectable } from '@nestjs/common';
import { EVENT_BUS, type DomainEvent, type EventBus } from '@pakawaaz/platform';
import type { ApiTokenMemory } from '../tokens/api-token-memory.js';
import { API_TOKEN_MEMORY } from '../tokens/token.service.js';

/**
 * Announces a change to a user (an event of users.events.ts): this node's API-token memory forgets the
 * user's tokens at once (their rights follow the user's), and the event tells the other domains and nodes.
 */
@Injectable()
export class UserChanges {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(API_TOKEN_MEMORY) private readonly tokens: ApiTokenMemory,
  ) {}

  async publish(event: DomainEvent<{ userId: string }>): Promise<void> {
    this.tokens.forget(event.data.userId);
    await this.bus.publish(event);
  }
}
