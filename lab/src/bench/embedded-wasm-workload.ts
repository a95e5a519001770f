/**
 * One embedded-database workload, run in a process of its own by embedded-wasm.bench.ts (with and without the
 * Node flags the server runs PGlite under): PGlite's start, then inserts, key lookups and scans of the shape the
 * server issues, each timed. Prints one JSON line.
 */
import { PGlite } from '@electric-sql/pglite';

const ROWS = Number(process.env.BENCH_WASM_ROWS ?? 10_000);

const time = async (work: () => Promise<unknown>) => {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
};

const db = new PGlite();
const start = await time(() => db.query('select 1'));
await db.exec('create table sims (id int primary key, imsi text unique, iccid text, state text)');
const imsi = (i: number) => String(310_170_000_000_000 + i);
const inserts = await time(async () => {
  for (let i = 0; i < ROWS; i++)
    await db.query('insert into sims values ($1, $2, $3, $4)', [i, imsi(i), `8901${i}`, 'in_stock']);
});
const lookups = await time(async () => {
  for (let i = 0; i < ROWS; i++)
    await db.query('select id, state from sims where imsi = $1', [imsi((i * 7_919) % ROWS)]);
});
const scans = await time(async () => {
  for (let i = 0; i < 50; i++)
    await db.query('select state, count(*) from sims where iccid like $1 group by state', [`%${i % 10}%`]);
});
await db.close();
process.stdout.write(`${JSON.stringify({ start, inserts, lookups, scans, rows: ROWS })}\n`);
