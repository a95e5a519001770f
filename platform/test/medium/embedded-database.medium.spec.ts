import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { MAX_BACKGROUND_WAIT_MS } from '../../src/db/background-turn.js';
import { openEmbedded } from '../../src/db/embedded-database.js';
import { rowsOf } from '../../src/db/migrate.js';
import { testLogger } from '@pakawaaz/test-support';

/**
 * The embedded database (PGlite) runs in a worker thread behind the node-postgres driver: what the code base
 * relies on from it — transactions, errors, prepared statements, advisory locks, persistence, the data-folder
 * lock, a free event loop, clean close and a detected crash — is checked here on the real thing.
 */
describe('the embedded database in its worker thread', () => {
  let dir: string;
  let db: DatabaseHandle;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-embedded-'));
    db = await openDatabase({ dataDir: dir, logger: testLogger });
  });

  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is PostgreSQL: parameters, rows, errors with their SQLSTATE, and rollback', async () => {
    await db.db.execute(sql`create table items (id int primary key, name text not null)`);
    await db.db.execute(sql`insert into items values (${1}, ${'a'})`);
    await expect(db.db.execute(sql`insert into items values (${1}, ${'b'})`)).rejects.toMatchObject({
      cause: { code: '23505' },
    });
    await expect(
      db.db.transaction(async (tx) => {
        await tx.execute(sql`insert into items values (${2}, ${'b'})`);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const rows = rowsOf<{ id: number; name: string }>(
      await db.db.execute(sql`select * from items order by id`),
    );
    expect(rows).toEqual([{ id: 1, name: 'a' }]);
  });

  it('queues concurrent statements behind an open transaction instead of mixing them into it', async () => {
    let inside = 0;
    const tx = db.db.transaction(async (t) => {
      await t.execute(sql`insert into items values (${10}, ${'tx'})`);
      await new Promise((r) => setTimeout(r, 50));
      inside = rowsOf<{ n: number }>(await t.execute(sql`select count(*)::int as n from items`))[0]!.n;
      throw new Error('rolled back');
    });
    // Sent while the transaction is open: it must run after it, and must not see (or commit) its row.
    const outside = db.db.execute(sql`select count(*)::int as n from items`);
    await expect(tx).rejects.toThrow('rolled back');
    expect(inside).toBe(2);
    expect(rowsOf<{ n: number }>(await outside)[0]!.n).toBe(1);
  });

  it('takes the advisory locks the code uses (transaction-scoped, shared and exclusive)', async () => {
    await db.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock_shared(${7})`);
      await tx.execute(sql`select pg_advisory_xact_lock(${8})`);
      const held = rowsOf<{ n: number }>(
        await tx.execute(sql`select count(*)::int as n from pg_locks where locktype = 'advisory'`),
      );
      expect(held[0]!.n).toBe(2);
    });
    expect(await db.withExclusiveLock(1, () => Promise.resolve('ran'))).toBe('ran');
  });

  it('runs the holders of one exclusive lock one after the other, of different locks side by side', async () => {
    const events: string[] = [];
    const hold = (name: string, key: number) =>
      db.withExclusiveLock(key, async () => {
        events.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 30));
        events.push(`${name}-`);
        return name;
      });
    expect(await Promise.all([hold('a', 1), hold('b', 1), hold('c', 2)])).toEqual(['a', 'b', 'c']);
    expect(events.indexOf('b+')).toBeGreaterThan(events.indexOf('a-'));
    expect(events.indexOf('c+')).toBeLessThan(events.indexOf('a-'));
    // A holder that throws releases the lock.
    await expect(db.withExclusiveLock(1, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await db.withExclusiveLock(1, () => Promise.resolve('after'))).toBe('after');
  });

  it('gives background work its turn only when the one connection is quiet, and never starves it', async () => {
    // Quiet: the turn comes after one short pause.
    let started = performance.now();
    await db.backgroundTurn();
    const quietWait = performance.now() - started;
    expect(quietWait).toBeLessThan(MAX_BACKGROUND_WAIT_MS);
    // Busy: someone takes the connection back to back — the job waits, but only up to the bound.
    let busy = true;
    const load = (async () => {
      while (busy) {
        await db.db.execute(sql`select 1`);
        await new Promise((r) => setImmediate(r));
      }
    })();
    started = performance.now();
    await db.backgroundTurn();
    const busyWait = performance.now() - started;
    busy = false;
    await load;
    expect(busyWait).toBeGreaterThanOrEqual(MAX_BACKGROUND_WAIT_MS - 5);
    expect(busyWait).toBeLessThan(MAX_BACKGROUND_WAIT_MS + 1_000);
  });

  it('keeps the event loop free while the database works', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    // PGlite's pg_sleep holds its thread for the whole 0.5 s (in the main thread: not one timer would fire).
    await db.db.execute(sql`select pg_sleep(0.5)`);
    clearInterval(timer);
    // A free loop ticks ~50 times; a frozen one 0 or 1 (the margin is for a loaded machine).
    expect(ticks).toBeGreaterThan(10);
  });

  it('locks its data folder with a pid file (0600) in a 0700 folder', async () => {
    const lock = path.join(dir, 'db.lock');
    expect((await readFile(lock, 'utf8')).trim()).toBe(String(process.pid));
    expect((await stat(lock)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'db'))).mode & 0o777).toBe(0o700);
  });

  it('keeps its data across a close and a reopen, and releases the lock on close', async () => {
    await db.close();
    await expect(stat(path.join(dir, 'db.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    db = await openDatabase({ dataDir: dir, logger: testLogger });
    const rows = rowsOf<{ name: string }>(await db.db.execute(sql`select name from items where id = 1`));
    expect(rows).toEqual([{ name: 'a' }]);
  });
});

describe('a dead database worker', () => {
  it('is reported once, and every query fails at once instead of hanging', async () => {
    const failures: Error[] = [];
    const embedded = await openEmbedded({
      dataDir: 'memory://',
      logger: testLogger,
      onFailure: (e) => failures.push(e),
    });
    try {
      await embedded.pool.query('select 1');
      // The thread dies (out of memory, a WASM trap…) while a statement is waiting for its answer.
      const inFlight = embedded.pool.query('select pg_sleep(5)');
      await new Promise((r) => setTimeout(r, 50));
      await embedded.worker.terminate();
      await expect(inFlight).rejects.toThrow(/embedded database .* stopped/);
      expect(failures).toHaveLength(1);
      expect(embedded.failure()?.message).toMatch(/stopped/);
      // Later statements fail at once (a new connection is refused), they do not wait for a dead thread.
      await expect(embedded.pool.query('select 1')).rejects.toThrow(/stopped/);
    } finally {
      await embedded.close();
    }
    expect(failures).toHaveLength(1);
  });
});
