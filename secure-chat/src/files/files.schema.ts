import { bigint, index, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { secureChatSchema } from '../secure-chat.schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * One client-encrypted attachment, from its first byte to its deletion. The server holds ciphertext only: the
 * key travels inside an MLS message. `state`: `uploading` (bytes arrive with Upload-Offset), `complete` (size
 * and SHA-256 checked, downloadable by its capability URL until `expires_at`), `deleted` (a tombstone without
 * bytes, so a link to it answers 410 until the tombstone is purged).
 *
 * `lease_id`/`lease_until`: the one PATCH streaming into the upload (a second one is refused, not queued);
 * a lease older than `lease_until` died with its process and the stored size is the truth again.
 */
export const chatFiles = secureChatSchema.table(
  'chat_files',
  {
    id: uuid('id').primaryKey(),
    institutionId: uuid('institution_id').notNull(),
    uploaderUserId: text('uploader_user_id').notNull(),
    /** The handset it came from (device route), or null (an official's token). */
    uploaderDeviceId: text('uploader_device_id'),
    /**
     * The chat group it is meant for, if the client says so: a group its uploader was a member of when the
     * upload was created (checked then; the file is not tied to the group's later membership).
     */
    groupId: text('group_id'),
    state: text('state', { enum: ['uploading', 'complete', 'deleted'] }).notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    /**
     * What the file was charged against its institution's quota (and its uploader's share) when it was
     * reserved — chargedBytes(size) under the rule of that day — and so exactly what its deletion releases.
     * Null only on a row a node of a release before this column inserted (during a rolling upgrade): counted
     * as its size, the charge that never over-releases (fileCharge). Rows from before the column: migration
     * 0019.
     */
    chargedBytes: bigint('charged_bytes', { mode: 'number' }),
    sha256: text('sha256').notNull(),
    offsetBytes: bigint('offset_bytes', { mode: 'number' }).notNull().default(0),
    leaseId: uuid('lease_id'),
    leaseUntil: at('lease_until'),
    /** Days the file stays downloadable once complete (1–30). */
    retentionDays: bigint('retention_days', { mode: 'number' }).notNull(),
    /** SHA-256 (hex) of the capability token: the token itself is never stored. */
    tokenHash: text('token_hash'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    completedAt: at('completed_at'),
    /** Uploading: when the upload is abandoned; complete: when the file and its link expire. */
    expiresAt: at('expires_at').notNull(),
    deletedAt: at('deleted_at'),
  },
  (t) => [
    uniqueIndex('chat_files_token_idx').on(t.tokenHash),
    index('chat_files_expiry_idx').on(t.state, t.expiresAt),
    index('chat_files_institution_idx').on(t.institutionId, t.state),
  ],
);

/**
 * Bytes each institution holds: complete files plus the declared size of uploads in progress (reserved at
 * creation, so concurrent uploads cannot overrun the quota together). `quota_bytes` overrides the default.
 */
export const chatFileUsage = secureChatSchema.table('chat_file_usage', {
  institutionId: uuid('institution_id').primaryKey(),
  usedBytes: bigint('used_bytes', { mode: 'number' }).notNull().default(0),
  quotaBytes: bigint('quota_bytes', { mode: 'number' }),
  updatedAt: at('updated_at').notNull().defaultNow(),
});
