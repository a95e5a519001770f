import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { openDatabase } from '../db/database.js';
import { createLogger } from '../logging/logger.js';

/**
 * The embedded database in its worker thread (today's path: node-postgres over a MessagePort) against PGlite
 * in the main thread (the path before), in the same run: per-statement latency, a 250-row insert
 * transaction, and how long the event loop is stopped while the database works (max timer lag during a
 * 0.5 s statement).
 */
type Db = PgDatabase<PgQueryResultHKT>;
const STATEMENTS = 2_000;
const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function perStatementUs(db: Db): Promise<number> {
  for (let i = 0; i < 200; i++) await db.execute(sql`select ${i}::int as n`);
  const t = performance.now();
  for (let i = 0; i < STATEMENTS; i++) await db.execute(sql`select ${i}::int as n`);
  return ((performance.now() - t) / STATEMENTS) * 1000;
}

async function insertTxMs(db: Db): Promise<number> {
  await db.execute(sql`create table if not exists bench_rows (id int primary key, k bytea, note text)`);
  await db.execute(sql`truncate bench_rows`);
  const t = performance.now();
  for (let round = 0; round < 10; round++)
    await db.transaction(async (tx) => {
      const values = Array.from(
        { length: 250 },
        (_, i) => sql`(${round * 250 + i}, ${Buffer.alloc(44, i)}, ${'x'.repeat(40)})`,
      );
      await tx.execute(sql`insert into bench_rows values ${sql.join(values, sql`, `)}`);
    });
  return (performance.now() - t) / 10;
}

async function maxLoopLagMs(db: Db): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  await db.execute(sql`select pg_sleep(0.5)`);
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(timer);
  return worst;
}

async function measure(label: string, db: Db): Promise<[number, number, number]> {
  const r: [number, number, number] = [
    await perStatementUs(db),
    await insertTxMs(db),
    await maxLoopLagMs(db),
  ];
  out(
    `${label.padEnd(34)} statement ${r[0].toFixed(0).padStart(4)} µs   250-row insert tx ${r[1].toFixed(1).padStart(6)} ms   event loop stopped up to ${r[2].toFixed(0).padStart(4)} ms during a 500 ms statement`,
  );
  return r;
}

export async function run(): Promise<void> {
  const inThread = new PGlite();
  await inThread.waitReady;
  const before = await measure('PGlite in the main thread (before)', drizzle(inThread));
  await inThread.close();
  const handle = await openDatabase({ dataDir: 'memory://', logger: createLogger({ level: 'silent' }) });
  try {
    const after = await measure('PGlite in its worker thread (now)', handle.db);
    out(
      `→ per-statement overhead of the thread hop: ${(after[0] - before[0]).toFixed(0)} µs (x${(after[0] / before[0]).toFixed(2)}); ` +
        `insert tx x${(after[1] / before[1]).toFixed(2)}; longest event-loop stop ${before[2].toFixed(0)} ms → ${after[2].toFixed(0)} ms`,
    );
  } finally {
    await handle.close();
  }
}
