import { bigint, integer, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { appStoreSchema } from '../app-store.schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** SHA-256 hashes as lowercase hex: one spelling, readable in psql, no driver-specific bytea decoding. */
const hash = (name: string) => text(name);

/**
 * The APK transparency log's entries, one per approved APK (RFC 9162 §2.1: leaf `index` of the tree). The
 * leaf hash is SHA-256(0x00 ‖ apkLogLeaf(package, version)); the package, version code and signers are what
 * the leaf commits to, so a verifier can rebuild it. An APK is logged once: the index is unique on its hash.
 */
export const logLeaves = appStoreSchema.table('log_leaves', {
  index: bigint('index', { mode: 'number' }).primaryKey(),
  leafHash: hash('leaf_hash').notNull(),
  apkSha256: text('apk_sha256').notNull().unique(),
  packageName: text('package_name').notNull(),
  versionCode: bigint('version_code', { mode: 'number' }).notNull(),
  signers: text('signers').array().notNull(),
  versionId: uuid('version_id').notNull(),
  appendedAt: at('appended_at').notNull().defaultNow(),
});

/**
 * Memoised perfect subtrees (level, index) as appendNodes produces them, leaves (level 0) included: a node's
 * hash never changes once its 2^level leaves are in, so every proof reads O(log n) rows in one query.
 */
export const logNodes = appStoreSchema.table(
  'log_nodes',
  {
    level: integer('level').notNull(),
    index: bigint('index', { mode: 'number' }).notNull(),
    hash: hash('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.index] })],
);

/** Every checkpoint the log signed (C2SP tlog-checkpoint), one per tree size: the note as served. */
export const logCheckpoints = appStoreSchema.table('log_checkpoints', {
  treeSize: bigint('tree_size', { mode: 'number' }).primaryKey(),
  rootHash: hash('root_hash').notNull(),
  note: text('note').notNull(),
  signedAt: at('signed_at').notNull().defaultNow(),
});
