import type { DatabaseHandle } from '@pakawaaz/platform';
import { sql } from 'drizzle-orm';

/**
 * Waits until exactly `n` sessions of the test's database wait on a lock (PostgreSQL's pg_stat_activity): how a
 * spec knows that the transaction it staged is now blocked on another. Fails after 10 s with `failure`.
 */
export async function untilLockWaiters(handle: DatabaseHandle, n: number, failure: string): Promise<void> {
  const waiting = async () => {
    const r = await handle.db.execute(sql`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`);
    return Number((r as { rows: { n: unknown }[] }).rows[0]!.n);
  };
  const deadline = Date.now() + 10_000;
  while ((await waiting()) !== n) {
    if (Date.now() > deadline) throw new Error(failure);
    await new Promise((r) => setTimeout(r, 20));
  }
}
