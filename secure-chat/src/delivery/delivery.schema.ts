import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { bytea } from '@pakawaaz/platform';
import { secureChatSchema } from '../secure-chat.schema.js';

/**
 * KeyPackages the server handed out, by the device that claimed each (a last-resort one may be claimed by many):
 * a commit may add only a KeyPackage its committer claimed, unexpired, and a one-time one only once (its row
 * goes with the commit that adds it). The sweep deletes expired rows.
 */
export const claimedKeyPackages = secureChatSchema.table(
  'claimed_key_packages',
  {
    ref: text('ref').notNull(),
    claimedBy: uuid('claimed_by').notNull(),
    lastResort: boolean('last_resort').notNull(),
    notAfter: timestamp('not_after', { withTimezone: true, mode: 'date' }).notNull(),
    claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.ref, t.claimedBy] }),
    index('claimed_key_packages_not_after_idx').on(t.notAfter),
  ],
);

/**
 * KeyPackages devices published (RFC 9420 §10), keyed by their KeyPackageRef (base64url). A claim takes one
 * one-time package per device and deletes it; the last-resort package of a device stays.
 */
export const keyPackages = secureChatSchema.table(
  'key_packages',
  {
    ref: text('ref').primaryKey(),
    deviceId: uuid('device_id').notNull(),
    userId: uuid('user_id').notNull(),
    institutionId: uuid('institution_id'),
    lastResort: boolean('last_resort').notNull(),
    keyPackage: bytea('key_package').notNull(),
    /** The device certificate (DER) of its credential: claims hand out only packages of live devices. */
    certificate: bytea('certificate').notNull(),
    /**
     * Its thumbprint (base64url SHA-256 of the DER, as DevicePrincipal.certThumbprint — RFC 8705's x5t#S256): a
     * claim hands out only packages under the device's live certificate, never one a renewal replaced. Computed
     * by the database from `certificate`, so a node of the previous release, which does not know the column,
     * still stores packages during a rolling upgrade (docs/operations.md: migrate first, then roll the nodes).
     */
    certThumbprint: text('cert_thumbprint')
      .notNull()
      .generatedAlwaysAs(sql`rtrim(translate(encode(sha256(certificate), 'base64'), '+/', '-_'), '=')`),
    notAfter: timestamp('not_after', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('key_packages_device_idx').on(t.deviceId, t.lastResort),
    index('key_packages_not_after_idx').on(t.notAfter),
    // A claim reads an official's devices and certificates (certificatesOf).
    index('key_packages_user_idx').on(t.userId),
  ],
);

/** A group as the server knows it: its epoch and the latest GroupInfo (with the ratchet tree) a member sent. */
export const chatGroups = secureChatSchema.table('groups', {
  groupId: text('group_id').primaryKey(),
  epoch: bigint('epoch', { mode: 'bigint' }).notNull(),
  groupInfo: bytea('group_info').notNull(),
  createdBy: uuid('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** The devices of a group's current epoch, by leaf index: who receives its messages. */
export const groupMembers = secureChatSchema.table(
  'group_members',
  {
    groupId: text('group_id').notNull(),
    leafIndex: integer('leaf_index').notNull(),
    deviceId: uuid('device_id').notNull(),
    userId: uuid('user_id').notNull(),
    /** The official's institution (null: national), read from the leaf's certificate: for chat policies. */
    institutionId: uuid('institution_id'),
  },
  (t) => [
    primaryKey({ columns: [t.groupId, t.leafIndex] }),
    index('group_members_device_idx').on(t.deviceId),
  ],
);

export const QUEUE_KINDS = ['commit', 'welcome', 'application', 'proposal'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

/**
 * Each device's durable queue: ciphertext and the minimum metadata, in `seq` order, until acknowledged. Rows
 * are inserted and deleted, never updated: an ack deletes by ctid what it found (queue-batches.ts), and a row
 * updated meanwhile would be skipped while a higher seq went, leaving it below where the next ack starts.
 */
export const deviceQueue = secureChatSchema.table(
  'device_queue',
  {
    deviceId: uuid('device_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    groupId: text('group_id').notNull(),
    senderDevice: uuid('sender_device'),
    kind: text('kind', { enum: QUEUE_KINDS }).notNull(),
    body: bytea('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  // created_at: the retention sweep finds what waited too long.
  (t) => [primaryKey({ columns: [t.deviceId, t.seq] }), index('device_queue_created_idx').on(t.createdAt)],
);

/** The next `seq` of each device's queue (a row lock on it orders concurrent enqueues to one device). */
export const deviceSeq = secureChatSchema.table('device_seq', {
  deviceId: uuid('device_id').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
});

/** Sends already accepted, by the sender's client id: a retry gets the first answer and stores nothing. */
export const chatSends = secureChatSchema.table(
  'sends',
  {
    deviceId: uuid('device_id').notNull(),
    clientId: text('client_id').notNull(),
    result: jsonb('result').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' })
      .notNull()
      .default(sql`now()`),
  },
  // created_at: the sweep forgets client ids after the idempotency window.
  (t) => [primaryKey({ columns: [t.deviceId, t.clientId] }), index('sends_created_idx').on(t.createdAt)],
);
