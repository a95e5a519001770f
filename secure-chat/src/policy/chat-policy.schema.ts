import { bigserial, index, integer, jsonb, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { secureChatSchema } from '../secure-chat.schema.js';
import { CROSS_INSTITUTION_MODES } from './chat-policy-rules.js';
import { QUEUE_KINDS } from '../delivery/delivery.schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * An institution's chat policy (national administrators set it; without a row the defaults apply) and its legal
 * hold: while `hold_since` is set, the delivery metadata of its officials' sends is kept in `held_metadata`.
 */
export const chatPolicies = secureChatSchema.table('chat_policies', {
  institutionId: uuid('institution_id').primaryKey(),
  crossInstitution: text('cross_institution', { enum: CROSS_INSTITUTION_MODES }).notNull(),
  allowedInstitutions: jsonb('allowed_institutions').$type<string[]>().notNull(),
  retentionDays: integer('retention_days').notNull(),
  updatedBy: text('updated_by'),
  updatedAt: at('updated_at').notNull().defaultNow(),
  holdReason: text('hold_reason'),
  holdSetBy: text('hold_set_by'),
  holdSince: at('hold_since'),
});

/**
 * Delivery metadata of sends by officials of an institution on legal hold — never ciphertext. Kept while the
 * hold lasts; the sweep deletes an institution's rows once its hold is lifted.
 */
export const heldMetadata = secureChatSchema.table(
  'held_metadata',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    institutionId: uuid('institution_id').notNull(),
    senderDevice: uuid('sender_device').notNull(),
    senderUser: uuid('sender_user').notNull(),
    groupId: text('group_id').notNull(),
    kind: text('kind', { enum: QUEUE_KINDS }).notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    recipients: integer('recipients').notNull(),
    at: at('at').notNull().defaultNow(),
  },
  (t) => [index('held_metadata_institution_idx').on(t.institutionId, t.id)],
);
