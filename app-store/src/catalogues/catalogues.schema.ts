import { bigint, customType, index, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { appStoreSchema } from '../app-store.schema.js';

// Declared here rather than imported from the platform: drizzle-kit reads schema files without a build.
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Each institution's published catalogues: the canonical index bytes and the signed entry naming them. The
 * timestamp (ms since the epoch) is the version a handset's rollback check compares; the primary key makes two
 * nodes publishing the same version collide, so one commits and the other re-reads. Only the newest
 * CATALOGUES_KEPT rows per institution are kept: the entry lists diffs from those.
 */
export const catalogues = appStoreSchema.table(
  'catalogues',
  {
    institutionId: uuid('institution_id').notNull(),
    timestamp: bigint('timestamp', { mode: 'number' }).notNull(),
    indexBytes: bytea('index_bytes').notNull(),
    indexSha256: text('index_sha256').notNull(),
    entryJws: text('entry_jws').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.timestamp] })],
);

/**
 * The diffs a catalogue's entry lists: the RFC 7396 merge patch from an earlier kept index (`from_timestamp`)
 * to this one, stored as signed (its hash is in the entry), so serving one never recomputes it.
 */
export const catalogueDiffs = appStoreSchema.table(
  'catalogue_diffs',
  {
    institutionId: uuid('institution_id').notNull(),
    timestamp: bigint('timestamp', { mode: 'number' }).notNull(),
    fromTimestamp: bigint('from_timestamp', { mode: 'number' }).notNull(),
    bytes: bytea('bytes').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.institutionId, t.timestamp, t.fromTimestamp] }),
    index('catalogue_diffs_from_idx').on(t.institutionId, t.fromTimestamp),
  ],
);
