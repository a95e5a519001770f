import { text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { secureChatSchema } from '../secure-chat.schema.js';

/**
 * Devices taken out of chat (revocation is membership): their certificates were revoked (wipe, loss,
 * retirement), the handset reported lost mode, or their official was disabled. A removed device may not publish
 * KeyPackages, register a group or sit in a committed tree; a row for a disabled official goes when the
 * official is enabled again (their devices may then be added to groups anew).
 */
export const removedDevices = secureChatSchema.table('removed_devices', {
  deviceId: uuid('device_id').primaryKey(),
  userId: uuid('user_id'),
  reason: text('reason').$type<RemovalReason>().notNull(),
  removedAt: timestamp('removed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export type RemovalReason = 'wiped' | 'lost' | 'retired' | 'user_disabled';
