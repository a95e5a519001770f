import { defineConsumer, defineEvent, expectEvent } from '@pakawaaz/platform';
import { z } from 'zod';
import { UserDisabled, UserEnabled, UserPasswordClosed, UserUpdated } from '../users/users.events.js';

/** An API token was revoked: every node forgets it and the tokens it created. */
export const ApiTokenRevoked = defineEvent('identity.api-token.revoked', z.object({ tokenId: z.uuid() }), {
  examples: [{ tokenId: '5d0c3b8a-1f2e-4a6b-9c7d-8e9f0a1b2c3d' }],
});

/**
 * Each node's API-token memory (a token's rights follow its owner's and its parent tokens'): any change to a
 * user, and any revoked token, makes it re-read what depends on them.
 */
export const TOKEN_MEMORY_CONSUMER = defineConsumer({
  name: 'identity.token-memory',
  delivery: 'broadcast',
  filter: 'identity.>',
  expects: [
    expectEvent(UserUpdated.type, z.object({ userId: z.string() })),
    expectEvent(UserDisabled.type, z.object({ userId: z.string() })),
    expectEvent(UserEnabled.type, z.object({ userId: z.string() })),
    expectEvent(UserPasswordClosed.type, z.object({ userId: z.string() })),
    expectEvent(ApiTokenRevoked.type, z.object({ tokenId: z.string() })),
  ],
});
