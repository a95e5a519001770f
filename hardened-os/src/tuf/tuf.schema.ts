import { bigint, customType, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { hardenedOsSchema } from '../hardened-os.schema.js';
import { ROLES } from './tuf-metadata.schema.js';

// Declared here rather than imported from the platform: drizzle-kit reads schema files without a build.
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The published TUF metadata, one row per role and version, holding the exact bytes served at
 * /ota/metadata/ (`N.root.json`, `N.targets.json`, `N.snapshot.json`; `root.json`, `targets.json`,
 * `snapshot.json` and `timestamp.json` are each role's highest version). A publication inserts its rows in
 * one transaction, so clients see all of it or none; the primary key makes two nodes that sign the same
 * version (a timestamp refresh on both at once) collide: one commits, the other rolls back and re-reads.
 */
export const tufMetadata = hardenedOsSchema.table(
  'tuf_metadata',
  {
    role: text('role', { enum: ROLES }).notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    bytes: bytea('bytes').notNull(),
    expires: at('expires').notNull(),
    publishedAt: at('published_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.role, t.version] })],
);

/** TUF keys marked compromised: never used to sign again, their signatures stop counting. Never removed. */
export const tufKeyStatus = hardenedOsSchema.table('tuf_key_status', {
  keyid: text('keyid').primaryKey(),
  status: text('status', { enum: ['compromised'] }).notNull(),
  markedBy: text('marked_by').notNull(),
  markedAt: at('marked_at').notNull(),
});

/**
 * When each TUF alarm was last raised, cluster-wide: a node raises one only when its conditional upsert
 * moves `raised_at` on (so N nodes raise it once, not N times).
 */
export const tufAlarms = hardenedOsSchema.table('tuf_alarms', {
  key: text('key').primaryKey(),
  raisedAt: at('raised_at').notNull(),
});
