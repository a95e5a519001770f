import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';

const wsUrl = z
  .string()
  .trim()
  .max(300)
  .regex(/^wss?:\/\/\S+$/, 'expected a ws:// or wss:// URL');
const httpUrl = z
  .string()
  .trim()
  .max(300)
  .regex(/^https?:\/\/\S+$/, 'expected an http:// or https:// URL');

export const NewMediaHostInput = named(
  'NewMediaHost',
  z
    .object({
      name: z
        .string()
        .trim()
        .regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, 'lower-case letters, digits, dots, dashes'),
      /** Janus's WebSocket API, as clients reach it (wss:// in production). */
      wsUrl,
      /** Janus's admin API (the HTTP transport's admin_base_path, e.g. http://10.0.4.11:7088/admin). */
      adminUrl: httpUrl,
      /** Janus's admin_secret, also the VideoRoom plugin's admin_key. Stored sealed. */
      adminSecret: z.string().min(16, 'use an admin secret of at least 16 characters').max(256),
      /** Rooms (calls) it holds at once. */
      capacity: z.number().int().min(1).max(100_000),
    })
    .strict(),
  'input',
);

const HostView = z.object({
  id: z.string(),
  name: z.string(),
  wsUrl: z.string(),
  adminUrl: z.string(),
  capacity: z.number().int(),
  rooms: z.number().int(),
  enabled: z.boolean(),
  embedded: z.boolean(),
  health: z.enum(['unknown', 'up', 'down']),
  healthDetail: z.string().nullable(),
  janusVersion: z.string().nullable(),
  sessions: z.number().int().nullable(),
  checkedAt: isoDateTime().nullable(),
});
export const MediaHost = named('MediaHost', HostView);
export const MediaHostList = named('MediaHostList', z.object({ hosts: z.array(HostView) }));
export const MediaHostRemoved = named('MediaHostRemoved', z.object({ removed: z.string() }));

export const CallsStatusReply = named(
  'CallsStatus',
  z.object({
    calls: z.enum(['available', 'disabled']),
    /** Why calls are disabled (null when available). */
    reason: z.string().nullable(),
    embeddedJanus: z.object({ state: z.string(), detail: z.string().nullable() }),
    hosts: z.object({ total: z.number().int(), up: z.number().int(), liveRooms: z.number().int() }),
    turn: z.object({
      configured: z.boolean(),
      urls: z.array(z.string()),
      ttlSeconds: z.number().int().nullable(),
      /** How often each server is probed (null when TURN is not configured). */
      probeSeconds: z.number().int().nullable(),
      /** Each probed server (`host:port` of the `turn:` URLs) with what the last probe saw. */
      servers: z.array(
        z.object({
          server: z.string(),
          urls: z.array(z.string()),
          health: z.enum(['unknown', 'up', 'degraded', 'down']),
          checkedAt: z.iso.datetime().nullable(),
          /** The STUN Binding's round trip. */
          rttMs: z.number().int().nullable(),
          /** Why it is not up, in plain words. */
          error: z.string().nullable(),
        }),
      ),
      /** Configured URLs the probe does not check (`turns:`, TLS). */
      unprobed: z.array(z.string()),
    }),
  }),
);

export const CallIdParam = z.uuid();
const GroupId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'base64url');
export const StartCallInput = named('StartCall', z.object({ groupId: GroupId }).strict(), 'input');

const Turn = z.object({
  urls: z.array(z.string()),
  username: z.string(),
  credential: z.string(),
  expiresAt: isoDateTime(),
  ttlSeconds: z.number().int(),
});
export const CallJoin = named(
  'CallJoin',
  z.object({
    callId: z.string(),
    groupId: z.string(),
    /** Join the VideoRoom at `url` with `room`, `id: participantId` and `token` (E2EE is required). */
    janus: z.object({
      url: z.string(),
      room: z.number().int(),
      participantId: z.number().int(),
      token: z.string(),
    }),
    /** coturn REST credentials (null: no TURN configured). */
    turn: Turn.nullable(),
  }),
);
export const CallReply = named(
  'Call',
  z.object({
    callId: z.string(),
    groupId: z.string(),
    state: z.enum(['live', 'ended']),
    startedByDevice: z.string(),
    startedAt: isoDateTime(),
    endedAt: isoDateTime().nullable(),
    endReason: z.string().nullable(),
    kind: z.enum(['voice', 'video']),
    /** How the ringing went: null while it rings (or for a call never rung). */
    outcome: z.enum(['answered', 'missed', 'declined', 'cancelled', 'busy']).nullable(),
    participants: z.array(
      z.object({
        deviceId: z.string(),
        userId: z.string(),
        /** The VideoRoom id the device joins with: which official a publisher's feed is. */
        participantId: z.number().int(),
        state: z.enum(['joined', 'left', 'removed']),
      }),
    ),
  }),
);

export const LiveCallsQuery = z
  .object({
    /** One group's live call (the caller must be a member); without it, every group's of the device. */
    groupId: GroupId.optional(),
  })
  .strict();
export const LiveCalls = named('LiveCalls', z.object({ calls: z.array(CallReply) }));

export const OperatorEndedCall = named(
  'OperatorEndedCall',
  z.object({ callId: z.string(), state: z.literal('ended') }).strict(),
);
