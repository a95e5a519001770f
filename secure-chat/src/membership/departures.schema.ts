import { bigint, boolean, integer, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { secureChatSchema } from '../secure-chat.schema.js';

/**
 * Devices whose official left a group (POST /groups/{groupId}/leave): the server proposed the Remove of each
 * leaf as the group's external sender and dropped the devices from the member list. Until a member commits the
 * Remove (`settled`), a commit whose tree still holds the device is refused (409 mls_member_removed); the row
 * then stays so that leaving again gets the same answer, and goes when the device is added to the group anew
 * or, settled, once the leave is older than the client-id window (the retention sweep).
 */
export const groupDepartures = secureChatSchema.table(
  'group_departures',
  {
    groupId: text('group_id').notNull(),
    deviceId: uuid('device_id').notNull(),
    userId: uuid('user_id').notNull(),
    /** The leaf the device held, and the epoch the Remove was proposed for. */
    leafIndex: integer('leaf_index').notNull(),
    epoch: bigint('epoch', { mode: 'bigint' }).notNull(),
    /** A commit without the device was accepted (or nobody was left to commit the Remove: the group closed). */
    settled: boolean('settled').notNull().default(false),
    departedAt: timestamp('departed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.deviceId] })],
);
