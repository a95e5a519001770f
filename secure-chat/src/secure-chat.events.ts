import { defineConsumer, defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';

/** Most device ids one wake event carries (a 500-member group's fan-out fits; bigger ones are split). */
export const WAKE_BATCH = 1000;

/**
 * Envelopes were queued for these devices (cluster mode): every node wakes the sockets it holds of them. The
 * queue itself is PostgreSQL; this only says "read it now". `node` is the publishing node's id (it skips its
 * own events).
 */
export const ChatQueued = defineEvent(
  'secure-chat.queue.woken',
  z.object({
    node: z.string().min(1).max(64),
    deviceIds: z.array(z.string().min(1).max(100)).min(1).max(WAKE_BATCH),
  }),
  {
    examples: [
      { node: '6f1c2a9e-0b7d-4c3e-9a51-2d8e4f7a1b03', deviceIds: ['4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c'] },
    ],
  },
);

/** Each node wakes its own sockets: broadcast, nothing kept past the node. */
export const CHAT_WAKE_CONSUMER = defineConsumer({
  name: 'secure-chat.socket-wakes',
  delivery: 'broadcast',
  filter: ChatQueued.type,
  expects: [ChatQueued],
});
