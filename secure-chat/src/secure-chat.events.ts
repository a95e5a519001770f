import { defineConsumer, defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';
import { CALL_SIGNAL_TYPES } from './ws/frames.js';

/** Most device ids one wake event carries (a 500-member group's fan-out fits; bigger ones are split). */
export const WAKE_BATCH = 1000;

const nodeId = z.string().min(1).max(64);
const deviceIdList = z.array(z.string().min(1).max(100)).min(1).max(WAKE_BATCH);
/** An ask id (cluster presence): the nodes holding some of the devices answer with DevicesHeld. */
const askId = z.string().min(1).max(64);

/**
 * Most characters of handed envelopes (their JSON, near enough) one wake event carries: with its WAKE_BATCH
 * device ids it stays well under the bus's MAX_EVENT_BYTES. Devices whose envelopes do not fit read their queues.
 */
export const HANDED_CHARS = 128 * 1024;

/** An envelope handed to another node's socket with its wake (the queue's row, as a `deliver` frame has it). */
// Not strict: a later release may add a field, which this one drops (never the whole wake).
const handedEnvelope = z.object({
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  groupId: z.string().min(1).max(344),
  senderDevice: z.string().min(1).max(100).nullable(),
  kind: z.string().min(1).max(32),
  body: z.string().max(HANDED_CHARS),
  at: z.string().max(40),
});

/**
 * Envelopes were queued for these devices (cluster mode): every node wakes the sockets it holds of them. The
 * queue itself is PostgreSQL; this says "read it now" — or, for the devices in `handed`, gives what was just
 * queued for them, all of it in seq order, which a socket whose next seq it is sends without reading (any
 * other reads). `node` is the publishing node's id (it skips its own events). With `ask`, the nodes holding
 * some of these devices answer which (DevicesHeld): the publisher pushes "check in" only the devices no node
 * holds. `presumed`: devices asked nothing about, because node `node` there answered a moment ago that it
 * holds them (RemoteHolders); that node pushes those it no longer holds itself. Transient (core NATS, never stored): a node that missed some while disconnected reads every socket's
 * queue when it is back.
 */
export const ChatQueued = defineEvent(
  'secure-chat.queue.woken',
  z.object({
    node: nodeId,
    deviceIds: deviceIdList,
    ask: askId.optional(),
    handed: z
      .array(z.object({ deviceId: z.string().min(1).max(100), envelopes: z.array(handedEnvelope).min(1) }))
      .max(WAKE_BATCH)
      .optional(),
    presumed: z
      .array(z.object({ node: nodeId, deviceIds: deviceIdList }))
      .max(WAKE_BATCH)
      .optional(),
  }),
  {
    transient: true,
    examples: [
      {
        node: '6f1c2a9e-0b7d-4c3e-9a51-2d8e4f7a1b03',
        deviceIds: ['4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c', '8d2e4f6a-1b3c-4d5e-9f7a-2c4e6a8b0d1f'],
        ask: '2b7e1c4a-8d3f-4a9e-b6c1-5f0d2e8a7b3c',
        presumed: [
          {
            node: 'd4a8f2c6-1e3b-4f7a-9c5d-8b0e6a2f4c1d',
            deviceIds: ['4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c'],
          },
        ],
        handed: [
          {
            deviceId: '8d2e4f6a-1b3c-4d5e-9f7a-2c4e6a8b0d1f',
            envelopes: [
              {
                seq: 42,
                groupId: 'Z3JvdXAtb25l',
                senderDevice: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d',
                kind: 'application',
                body: 'AAEAAgxncm91cC1vbmU',
                at: '2026-12-07T10:00:00.000Z',
              },
            ],
          },
        ],
      },
    ],
  },
);

/** Each node wakes its own sockets: transient, nothing kept anywhere. */
export const CHAT_WAKE_CONSUMER = defineConsumer({
  name: 'secure-chat.socket-wakes',
  delivery: 'transient',
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
    deviceIds: deviceIdList,
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
    transient: true,
  },
);

/** Every node sends the call signals it holds sockets for (transient: a ring is also read on connecting). */
export const CALL_SIGNAL_CONSUMER = defineConsumer({
  name: 'secure-chat.call-signals',
  delivery: 'transient',
  filter: CallSignalled.type,
  expects: [CallSignalled],
});

/**
 * The answer to an ask (cluster presence): node `node` holds these devices of ask `ask`, published by node
 * `to` (which alone acts on it: it does not push them). Sent only by a node holding some of them. With
 * `remembers`, node `node` releases them when they leave it and pushes those presumed on it that have (it
 * can push: device management is there), so node `to` may remember the answer (RemoteHolders); an answer
 * without it (a release before this one's, or a node without push) is not remembered.
 */
export const DevicesHeld = defineEvent(
  'secure-chat.presence.held',
  z.object({
    to: nodeId,
    ask: askId,
    node: nodeId,
    deviceIds: deviceIdList,
    remembers: z.literal(true).optional(),
  }),
  {
    examples: [
      {
        to: '6f1c2a9e-0b7d-4c3e-9a51-2d8e4f7a1b03',
        ask: '2b7e1c4a-8d3f-4a9e-b6c1-5f0d2e8a7b3c',
        node: 'd4a8f2c6-1e3b-4f7a-9c5d-8b0e6a2f4c1d',
        deviceIds: ['4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c'],
        remembers: true,
      },
    ],
    transient: true,
  },
);

/** Every node reads the answers and keeps those addressed to it (transient: an ask unanswered in time pushes). */
export const DEVICES_HELD_CONSUMER = defineConsumer({
  name: 'secure-chat.presence-answers',
  delivery: 'transient',
  filter: DevicesHeld.type,
  expects: [DevicesHeld],
});

/**
 * Node `node` no longer holds these devices (their last socket there closed), or none of the devices it
 * answered for (`deviceIds` absent: it stops, or it was cut off from NATS and its releases may have been
 * lost). Sent only for devices it answered for within REMEMBER_HELD_MS: the others remember nothing of it.
 */
export const DevicesReleased = defineEvent(
  'secure-chat.presence.released',
  z.object({ node: nodeId, deviceIds: deviceIdList.optional() }),
  {
    examples: [
      { node: 'd4a8f2c6-1e3b-4f7a-9c5d-8b0e6a2f4c1d', deviceIds: ['4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c'] },
      { node: 'd4a8f2c6-1e3b-4f7a-9c5d-8b0e6a2f4c1d' },
    ],
    transient: true,
  },
);

/** Every node forgets what the releasing node answered (transient: a lost one is bounded by REMEMBER_HELD_MS). */
export const DEVICES_RELEASED_CONSUMER = defineConsumer({
  name: 'secure-chat.presence-releases',
  delivery: 'transient',
  filter: DevicesReleased.type,
  expects: [DevicesReleased],
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
    deviceIds: deviceIdList,
  }),
  {
    examples: [{ groupId: 'Z3JvdXAtMQ', deviceIds: ['4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c'] }],
  },
);
