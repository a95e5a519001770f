import { defineConsumer, defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';

export const SessionRevoked = defineEvent(
  'identity.session.revoked',
  z.object({
    sessionId: z.uuid(),
    userId: z.uuid(),
    /** logout, revoked-by-administrator, refresh-token-reuse, user-disabled, password-reset, roles-changed… */
    reason: z.string().min(1).max(100),
  }),
  {
    examples: [
      {
        sessionId: 'c2a9e1f4-3b5d-4e6f-8a7b-9c0d1e2f3a4b',
        userId: '3f1c9a52-7a4e-4c1b-9f0e-2b8d6c4a1e07',
        reason: 'revoked-by-administrator',
      },
    ],
  },
);
export type SessionRevokedEvent = z.output<typeof SessionRevoked.schema>;

/**
 * A session was bound to a desktop's DPoP key (RFC 9449 §5): from now on its sign-in's unbound token serves
 * logout only. Every node forgets its cached entry for the session, so the binding is seen at once everywhere.
 */
export const SessionBound = defineEvent(
  'identity.session.bound',
  z.object({ sessionId: z.uuid(), userId: z.uuid() }),
  {
    examples: [
      { sessionId: 'c2a9e1f4-3b5d-4e6f-8a7b-9c0d1e2f3a4b', userId: '3f1c9a52-7a4e-4c1b-9f0e-2b8d6c4a1e07' },
    ],
  },
);

/**
 * Each node's session cache learns other nodes' revocations and bindings at once (the 5 s re-check bounds the
 * rest).
 * Broadcast: every node needs every revocation, and nothing about it must outlive the node.
 */
export const SESSION_CACHE_CONSUMER = defineConsumer({
  name: 'identity.session-cache',
  delivery: 'broadcast',
  filter: 'identity.session.>',
  expects: [SessionRevoked, SessionBound],
});

/**
 * Before broadcast subscriptions, each start created a durable `identity-session-cache-<uuid>` that was never
 * deleted; the NATS bus deletes those at start-up.
 */
export const RETIRED_SESSION_CACHE_CONSUMERS =
  /^identity-session-cache-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
