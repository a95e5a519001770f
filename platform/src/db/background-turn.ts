import type pg from 'pg';

/** How long the pool must go without a new checkout, with none in use, before background work goes again. */
export const QUIET_MS = 3;
/** Background work is never starved for longer than this, however busy the interactive side is. */
export const MAX_BACKGROUND_WAIT_MS = 250;

/**
 * Gives a pool's background work (bulk jobs) turns that do not overlap the requests people wait for.
 *
 * A sign-in makes a few statements in a row with a little work between them. On the embedded database (one
 * connection) they would queue behind each of a job's transactions. On PostgreSQL they run beside it on other
 * connections, but on a small host they share its CPU and WAL with the job's transaction: measured on two
 * cores, a 100,000-SIM import pushed a RADIUS sign-in's p99 from ~40 ms to ~100 ms. So a job waits until no
 * client is checked out, nobody is queued and nobody took a client for QUIET_MS — at most
 * MAX_BACKGROUND_WAIT_MS, so a steady load only slows a job down, never stops it. (It sees this process's pool
 * only: other nodes' requests on a shared PostgreSQL are not waited for.)
 */
export function quietTurns(pool: pg.Pool): () => Promise<void> {
  let acquisitions = 0;
  pool.on('acquire', () => void acquisitions++);
  return async () => {
    const deadline = Date.now() + MAX_BACKGROUND_WAIT_MS;
    for (;;) {
      const before = acquisitions;
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      const inUse = pool.totalCount - pool.idleCount;
      const quiet = acquisitions === before && pool.waitingCount === 0 && inUse === 0;
      if (quiet || Date.now() >= deadline) return;
    }
  };
}
