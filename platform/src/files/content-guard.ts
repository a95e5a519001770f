import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import type { ContentStore, ReceivedContent } from './content-store.js';

/**
 * The advisory-lock key of one digest in one kind of store: the first 8 bytes of SHA-256 over the store's kind
 * and the digest, as a signed 64-bit integer (PostgreSQL's bigint). Keyed by kind, not folder, so nodes that
 * mount a shared folder at different paths still take the same lock. Two digests sharing a key only wait for
 * each other.
 */
export function contentLockKey(kind: string, sha256: string): bigint {
  return createHash('sha256').update(`pakawaaz.content\0${kind}\0${sha256}`).digest().readBigInt64BE(0);
}

/** Takes the digest's lock for the rest of the transaction (released at commit or rollback). */
export async function lockContent(tx: Db, store: ContentStore, sha256: string): Promise<void> {
  const key = contentLockKey(store.kind, sha256).toString();
  await tx.execute(sql`select pg_advisory_xact_lock(${key}::bigint)`);
}

/*
 * A stored file and the rows that refer to it by digest. A file nobody refers to is removed, but the same bytes
 * may be arriving in another upload at that moment: without a lock, a failed upload could check "no row", an
 * upload of the same bytes commit its file and row, and the failed one then unlink the file under that row.
 * So both sides hold the digest's lock: the transaction that inserts a row moves the file into place under it
 * (placeContent), and removal checks the rows and unlinks under it in a transaction of its own
 * (removeUnreferencedContent). On PGlite, which serves one transaction at a time, the lock costs nothing.
 */

/**
 * In the transaction that inserts the row referring to this upload: takes the digest's lock and moves the file
 * into place (ContentStore.commit). A failed commit (the folder's fsync) throws and so rolls the row back; the
 * caller then runs removeUnreferencedContent, which removes a file the rename left with no row.
 */
export async function placeContent(tx: Db, store: ContentStore, received: ReceivedContent): Promise<string> {
  await lockContent(tx, store, received.sha256);
  return store.commit(received);
}

/** Whether a committed row refers to the digest, read in the given transaction (a service's repository). */
export type IsReferenced = (tx: Db, sha256: string) => Promise<boolean>;

/**
 * Removes the stored file unless a row refers to it: the lock, the check and the unlink in one transaction, so
 * an upload of the same bytes either committed its row before (the file stays) or moves its file into place
 * after (a new file). Returns whether the file was removed.
 */
export async function removeUnreferencedContent(
  db: Db,
  store: ContentStore,
  sha256: string,
  isReferenced: IsReferenced,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    await lockContent(tx, store, sha256);
    if (await isReferenced(tx, sha256)) return false;
    if (!(await store.exists(sha256))) return false;
    await store.remove(sha256);
    return true;
  });
}

export type OrphanSweep = {
  /** Files untouched this long are swept: the stale time of the store's temporary files. */
  idleMs: number;
  now?: number | undefined;
  logger?: Logger | undefined;
};

/**
 * Start-up sweep: removes stored files no row refers to, untouched for `idleMs` (a crash between a file's
 * rename and its row's commit leaves one). Each candidate is checked again and removed under its lock; the age
 * only spares the files of nodes that still move them into place before the lock (a rolling upgrade). Never
 * throws (a failure is logged); returns how many went.
 */
export async function removeOrphanContent(
  db: Db,
  store: ContentStore,
  isReferenced: IsReferenced,
  { idleMs, now = Date.now(), logger }: OrphanSweep,
): Promise<number> {
  let removed = 0;
  try {
    const names = await readdir(store.dir).catch(() => [] as string[]);
    for (const name of names) {
      const sha256 = store.digestOf(name);
      if (sha256 === undefined) continue;
      const s = await stat(store.fileOf(sha256)).catch(() => null);
      if (!s?.isFile() || now - s.mtimeMs < idleMs) continue;
      // Most files are referenced: a plain read first, the lock and a transaction only for a candidate.
      if (await isReferenced(db, sha256)) continue;
      if (await removeUnreferencedContent(db, store, sha256, isReferenced)) removed += 1;
    }
  } catch (err) {
    logger?.warn({ err, kind: store.kind }, 'removing stored files no row refers to failed');
  }
  if (removed > 0) logger?.info({ removed, kind: store.kind }, 'stored files no row refers to removed');
  return removed;
}
