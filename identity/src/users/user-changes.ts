import { Inject, Injectable } from '@nestjs/common';
import { EVENT_BUS, newEvent, type EventBus } from '@pakawaaz/platform';
import type { ApiTokenMemory } from '../tokens/api-token-memory.js';
import { API_TOKEN_MEMORY } from '../tokens/token.service.js';

export const USER_DISABLED_EVENT = 'identity.user.disabled';
export const USER_ENABLED_EVENT = 'identity.user.enabled';
export const USER_UPDATED_EVENT = 'identity.user.updated';
export type UserStatusEvent = {
  userId: string;
  username: string;
  institutionId: string | null;
  reason: string | null;
};
export type UserUpdatedEvent = {
  userId: string;
  username: string;
  institutionId: string | null;
  /** Names of the fields that changed (`roles`, `institutionId`, `factors`, …), never their values. */
  changes: string[];
};

/**
 * Announces a change to a user: this node's API-token memory forgets the user's tokens at once (their
 * rights follow the user's), and the event tells the other domains and the other nodes.
 */
@Injectable()
export class UserChanges {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(API_TOKEN_MEMORY) private readonly tokens: ApiTokenMemory,
  ) {}

  async publish(type: string, data: { userId: string }): Promise<void> {
    this.tokens.forget(data.userId);
    await this.bus.publish(newEvent(type, 'identity', data));
  }
}
