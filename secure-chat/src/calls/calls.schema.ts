import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { secureChatSchema } from '../secure-chat.schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A Janus instance calls are placed on (national infrastructure). The admin secret — the admin API's and the
 * VideoRoom `admin_key` — is sealed under the `calls-secrets` key set, never stored plain. Health is what the
 * probes of the nodes last saw; `failures` counts failed probes in a row.
 */
export const mediaHosts = secureChatSchema.table('media_hosts', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull().unique(),
  wsUrl: text('ws_url').notNull(),
  adminUrl: text('admin_url').notNull(),
  adminSecretSealed: text('admin_secret_sealed').notNull(),
  /** Rooms (calls) it holds at once. */
  capacity: integer('capacity').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  /** The local Janus the server started itself (its row is rewritten at each start). */
  embedded: boolean('embedded').notNull().default(false),
  health: text('health', { enum: ['unknown', 'up', 'down'] })
    .notNull()
    .default('unknown'),
  failures: integer('failures').notNull().default(0),
  healthDetail: text('health_detail'),
  janusVersion: text('janus_version'),
  sessions: integer('sessions'),
  checkedAt: at('checked_at'),
  createdAt: at('created_at').notNull().defaultNow(),
});

/** A call: one VideoRoom on one host for one chat group, from start to end (metadata only, no content). */
export const calls = secureChatSchema.table(
  'calls',
  {
    id: uuid('id').primaryKey(),
    groupId: text('group_id').notNull(),
    hostId: uuid('host_id').notNull(),
    /** The VideoRoom's numeric id (random, below 2^53 so JSON carries it exactly). */
    roomId: bigint('room_id', { mode: 'number' }).notNull(),
    startedByDevice: text('started_by_device').notNull(),
    startedByUser: text('started_by_user').notNull(),
    state: text('state', { enum: ['live', 'ended'] }).notNull(),
    startedAt: at('started_at').notNull(),
    endedAt: at('ended_at'),
    endReason: text('end_reason'),
    /** What the call is for (the callees' ringing screen); set when the caller invites. */
    kind: text('kind', { enum: ['voice', 'video'] })
      .notNull()
      .default('voice'),
    /** The institutions of the officials it involves (caller, callees, participants): the operators' scope. */
    institutions: text('institutions')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Set at the invite: callees ring until then (null: the call was never rung). */
    ringUntil: at('ring_until'),
    /** The first callee's answer. */
    answeredAt: at('answered_at'),
    /** How the ringing ended (null while ringing, or for a call never rung). */
    outcome: text('outcome', { enum: ['answered', 'missed', 'declined', 'cancelled', 'busy'] }),
  },
  (t) => [
    // One live call per group: a second start is told to join the first.
    uniqueIndex('calls_one_live_per_group')
      .on(t.groupId)
      .where(sql`${t.state} = 'live'`),
    index('calls_started_at').on(t.startedAt),
    index('calls_host_live')
      .on(t.hostId)
      .where(sql`${t.state} = 'live'`),
  ],
);

/**
 * A device in a call. Its Janus join token is not stored: it is an HMAC of the call and the device under the
 * calls key set, recomputed to revoke it. `participantId` is the VideoRoom id the device must join with.
 */
export const callParticipants = secureChatSchema.table(
  'call_participants',
  {
    callId: uuid('call_id').notNull(),
    deviceId: text('device_id').notNull(),
    userId: text('user_id').notNull(),
    participantId: bigint('participant_id', { mode: 'number' }).notNull(),
    state: text('state', { enum: ['joined', 'left', 'removed'] }).notNull(),
    joinedAt: at('joined_at').notNull(),
    leftAt: at('left_at'),
  },
  (t) => [primaryKey({ columns: [t.callId, t.deviceId] }), index('call_participants_device').on(t.deviceId)],
);

/**
 * The devices a call rang (every member device of the group of another official than the caller's) and what
 * each did. Rows exist for rung calls only; `state` follows the signalling state machine (call-state.ts).
 */
export const callInvitees = secureChatSchema.table(
  'call_invitees',
  {
    callId: uuid('call_id').notNull(),
    deviceId: text('device_id').notNull(),
    userId: text('user_id').notNull(),
    state: text('state', {
      enum: ['ringing', 'accepted', 'answered_elsewhere', 'declined', 'busy', 'missed', 'cancelled'],
    }).notNull(),
    at: at('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.callId, t.deviceId] }), index('call_invitees_device').on(t.deviceId)],
);

/**
 * What the nodes' probes last saw of each configured TURN server (`host:port`; see turn/turn-health.ts):
 * shared so every node reports the same state and only the node whose probe changes it raises or clears the
 * alarm. `failures` counts bad probes in a row; rows of servers no longer configured are deleted.
 */
export const turnServers = secureChatSchema.table('turn_servers', {
  server: text('server').primaryKey(),
  health: text('health', { enum: ['unknown', 'up', 'degraded', 'down'] })
    .notNull()
    .default('unknown'),
  failures: integer('failures').notNull().default(0),
  /** Why it is not up, in plain words (null when up). */
  detail: text('detail'),
  /** The last Binding round trip (null when it did not answer). */
  rttMs: integer('rtt_ms'),
  checkedAt: at('checked_at'),
});
