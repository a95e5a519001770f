import { boolean, integer, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { coreNetworkSchema } from '../../core-network.schema.js';

/**
 * One run of the export-only mode's `subscribers export` (no OPEN5GS_MONGODB_URL): when, by whom, how many
 * documents and deletions it carried. The newest row is "the last export" the NOC shows.
 */
export const open5gsExports = coreNetworkSchema.table('open5gs_exports', {
  id: uuid('id').primaryKey().defaultRandom(),
  exportedAt: timestamp('exported_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  actorType: text('actor_type').notNull(),
  actorId: text('actor_id').notNull(),
  /** The operator's name at export time, for the NOC (operators pick people by name). */
  actorName: text('actor_name').notNull(),
  requestId: text('request_id'),
  documents: integer('documents').notNull(),
  deletions: integer('deletions').notNull(),
});

/**
 * Every IMSI an export ever carried, as a document (`present`) or as a deletion. An IMSI stays here for good:
 * each export deletes every one of them that is no longer active, so applying only the latest export is
 * enough even when earlier ones were never loaded.
 */
export const open5gsExportedImsis = coreNetworkSchema.table('open5gs_exported_imsis', {
  imsi: text('imsi').primaryKey(),
  /** The last export carried a document for this IMSI (true) or deleted it (false). */
  present: boolean('present').notNull(),
  lastExportId: uuid('last_export_id').notNull(),
});
