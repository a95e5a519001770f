import type { Db } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import { removeOrphanContent, type IsReferenced } from './content-guard.js';
import type { ContentStore } from './content-store.js';

/** The least age at which a store's temporary file (or an unreferenced stored file) is a dead upload's. */
export const CONTENT_SWEEP_MIN_IDLE_MS = 10 * 60_000;

/**
 * The stale time of a content store's files: ten minutes, or the upload idle limit and a minute if that is
 * longer (a live upload touches its temp file at least once per idle limit).
 */
export function contentSweepIdleMs(uploadIdleMs: number | undefined): number {
  return Math.max(CONTENT_SWEEP_MIN_IDLE_MS, (uploadIdleMs ?? 0) + 60_000);
}

export type ContentStoreSweep = {
  db: Db;
  store: ContentStore;
  isReferenced: IsReferenced;
  /** The store's upload idle limit (config), from which the stale time is derived. */
  uploadIdleMs: number | undefined;
  logger?: Logger | undefined;
};

/**
 * A content store's start-up sweep: removes the temporary files of uploads a crash cut short (a failure is
 * logged and start-up goes on), then starts removeStoreOrphans in the background (it never throws). Resolves
 * once the temp sweep is done; the orphan sweep is not awaited.
 */
export async function sweepContentStore(sweep: ContentStoreSweep): Promise<void> {
  const { store, logger } = sweep;
  const idleMs = contentSweepIdleMs(sweep.uploadIdleMs);
  const removed = await store.removeStaleTemps(idleMs).catch((err: unknown) => {
    logger?.warn({ err, kind: store.kind }, 'removing leftover upload files failed');
    return 0;
  });
  if (removed > 0) logger?.info({ removed, kind: store.kind }, 'leftover upload files removed');
  void removeStoreOrphans(sweep).catch(() => 0);
}

/**
 * removeOrphanContent with the store's stale time: stored files no row refers to, untouched that long. Never
 * throws (a failure is logged); returns how many went.
 */
export function removeStoreOrphans(sweep: ContentStoreSweep, now?: number): Promise<number> {
  const { db, store, isReferenced, logger } = sweep;
  return removeOrphanContent(db, store, isReferenced, {
    idleMs: contentSweepIdleMs(sweep.uploadIdleMs),
    now,
    logger,
  });
}
