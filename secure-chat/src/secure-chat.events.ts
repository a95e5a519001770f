import { defineConsumer, defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';
import { CALL_SIGNAL_TYPES } from './ws/frames.js';

/** Most device ids one wake event carries (a 500-member group's fan-out fits; bigger ones are split). */
export const WAKE_BATCH = 1000;

const nodeId = z.string().min(1).max(64);
/** An ask id (cluster presence): the nodes holding some of the devices answer with DevicesHeld. */
const askId = z.string().min(1).max(64);

/**
 * Envelopes were queued for these devices (cluster mode): every node wakes the sockets it holds of them. The
 * queue itself is PostgreSQL; this only says "read it now". `node` is the publishing node's id (it skips its
 * own events). With `ask`, the nodes holding some of these devices answer which (DevicesHeld): the publisher
 * pushes "check in" only the devices no node holds.
 */
export const ChatQueued = defineEvent(
  'secure-chat.queue.woken',
  z.object({
    node: nodeId,
    deviceIds: z.array(z.string().min(1).max(100)).min(1).max(WAKE_BATCH),
    ask: askId.optional(),
  }),
  {
    examples: [
      {
        node: '6f1c2a9e-0b7d-4c3e-9a51-2d8e4f7a1b03',
        deviceIds: ['4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c'],
        ask: '2b7e1c4a-8d3f-4a9e-b6c1-5f0d2e8a7b3c',
      },
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

/**
 * A call signal for devices not connected to the publishing node (cluster mode): every node sends it on the
 * sockets it holds of them. Metadata only (call, group, kind, who): no media key ever travels here. With
 * `ask` (a ring that pushes), the holders answer like a wake's (DevicesHeld).
 */
export const CallSignalled = defineEvent(
  'secure-chat.call.signalled',
  z.object({
    node: nodeId,
    deviceIds: z.array(z.string().min(1).max(100)).min(1).max(WAKE_BATCH),
    ask: askId.optional(),
    frame: z.strictObject({
      type: z.enum(CALL_SIGNAL_TYPES),
      callId: z.uuid(),
      groupId: z.string().min(1).max(344),
      kind: z.enum(['voice', 'video']),
      by: z.object({ deviceId: z.string().max(100), userId: z.string().max(100) }).nullable(),
      ringUntil: z.string().max(40).optional(),
      reason: z.string().max(64).optional(),
    }),
  }),
  {
    examples: [
      {
        node: '6f1c2a9e-0b7d-4c3e-9a51-2d8e4f7a1b03',
        deviceIds: ['4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c'],
        frame: {
          type: 'call-ring',
          callId: '0b9f3c1e-5a7d-4e2b-8c6f-1d3a5e7b9c2f',
          groupId: 'Z3JvdXAtb25l',
          kind: 'voice',
          by: {
            deviceId: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d',
            userId: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
          },
          ringUntil: '2026-12-05T10:00:45.000Z',
        },
      },
    ],
  },
);

/** Every node sends the call signals it holds sockets for. */
export const CALL_SIGNAL_CONSUMER = defineConsumer({
  name: 'secure-chat.call-signals',
  delivery: 'broadcast',
  filter: CallSignalled.type,
  expects: [CallSignalled],
});

/**
 * The answer to an ask (cluster presence): node `node` holds these devices of ask `ask`, published by node
 * `to` (which alone acts on it: it does not push them). Sent only by a node holding some of them.
 */
export const DevicesHeld = defineEvent(
  'secure-chat.presence.held',
  z.object({
    to: nodeId,
    ask: askId,
    node: nodeId,
    deviceIds: z.array(z.string().min(1).max(100)).min(1).max(WAKE_BATCH),
  }),
  {
    examples: [
      {
        to: '6f1c2a9e-0b7d-4c3e-9a51-2d8e4f7a1b03',
        ask: '2b7e1c4a-8d3f-4a9e-b6c1-5f0d2e8a7b3c',
        node: 'd4a8f2c6-1e3b-4f7a-9c5d-8b0e6a2f4c1d',
        deviceIds: ['4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c'],
      },
    ],
  },
);

/** Every node reads the answers and keeps those addressed to it. */
export const DEVICES_HELD_CONSUMER = defineConsumer({
  name: 'secure-chat.presence-answers',
  delivery: 'broadcast',
  filter: DevicesHeld.type,
  expects: [DevicesHeld],
});

/**
 * A device was taken out of chat (cluster mode: revoked, lost, its official disabled): every other node closes
 * the sockets it holds of it, as the publishing node closed its own. `node`: the publisher (it skips its own).
 */
export const ChatDeviceRemoved = defineEvent(
  'secure-chat.device.removed',
  z.object({ node: nodeId, deviceId: z.string().min(1).max(100) }),
  {
    examples: [
      { node: '6f1c2a9e-0b7d-4c3e-9a51-2d8e4f7a1b03', deviceId: '4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c' },
    ],
  },
);

/** Each node closes its own sockets of the removed device: broadcast, nothing kept past the node. */
export const CHAT_REMOVED_CONSUMER = defineConsumer({
  name: 'secure-chat.socket-removals',
  delivery: 'broadcast',
  filter: ChatDeviceRemoved.type,
  expects: [ChatDeviceRemoved],
});

/**
 * An accepted commit's new tree left these devices out (an ordinary MLS Remove): the calls module kicks them
 * from the group's live call. Published after the commit's transaction; split in batches of WAKE_BATCH.
 */
export const GroupMembersDropped = defineEvent(
  'secure-chat.group.members-dropped',
  z.object({
    groupId: z.string().min(1).max(344),
    deviceIds: z.array(z.string().min(1).max(100)).min(1).max(WAKE_BATCH),
  }),
  {
    examples: [{ groupId: 'Z3JvdXAtMQ', deviceIds: ['4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c'] }],
  },
);
