import { bigint, bigserial, index, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { bytea } from '@pakawaaz/platform';
import { secureChatSchema } from '../secure-chat.schema.js';

/**
 * Devices taken out of chat (revocation is membership): their certificates were revoked (wipe, loss,
 * retirement), the handset reported lost mode, or their official was disabled. A removed device may not publish
 * KeyPackages, register a group or sit in a committed tree; a row for a disabled official goes when the
 * official is enabled again (their devices may then be added to groups anew) — unless a lasting reason
 * (wiped, lost, retired) was recorded for the device since: that reason replaces 'user_disabled' and stays.
 */
export const removedDevices = secureChatSchema.table('removed_devices', {
  deviceId: uuid('device_id').primaryKey(),
  userId: uuid('user_id'),
  reason: text('reason').$type<RemovalReason>().notNull(),
  removedAt: timestamp('removed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/**
 * Officials disabled in identity, by id: every device of theirs is out of chat — also one chat never knew (no
 * group, no KeyPackage), whose certificate device management still accepts. Written on identity's disabled
 * event, deleted on its enabled event. Checked with removed_devices for the caller of an upload, claim or
 * registration and for every leaf of a commit's tree.
 */
export const disabledOfficials = secureChatSchema.table('disabled_officials', {
  userId: uuid('user_id').primaryKey(),
  disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export type RemovalReason = 'wiped' | 'lost' | 'retired' | 'user_disabled';

/**
 * The Remove proposals the server sent as a group's external sender, for the epoch they were made in: a
 * member commits them by reference (ProposalRef), and the server must know what such a reference applies to
 * when it checks a commit's next tree. A commit moving the group to the next epoch clears them; the periodic
 * sweep deletes any left for an epoch the group has left, or of a group that is gone.
 */
export const externalProposals = secureChatSchema.table(
  'external_proposals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    groupId: text('group_id').notNull(),
    epoch: bigint('epoch', { mode: 'bigint' }).notNull(),
    /** The MLSMessage (a PublicMessage) as sent to the members. */
    message: bytea('message').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('external_proposals_group_idx').on(t.groupId, t.epoch)],
);
