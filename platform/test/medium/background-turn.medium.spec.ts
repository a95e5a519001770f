import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { MAX_BACKGROUND_WAIT_MS } from '../../src/db/background-turn.js';

/**
 * Bulk jobs (SIM and user imports) await `backgroundTurn()` before each chunk so that a sign-in's statements
 * never run beside, or behind, a chunk's transaction: on PostgreSQL (its pool of connections) as on the
 * embedded database (its one connection; see embedded-database.medium.spec.ts).
 */
describe('background turns on the database pool', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase([]);
  });

  afterAll(async () => {
    await t?.drop();
  });

  it('come at once when no connection is in use', async () => {
    const started = performance.now();
    await t.handle.backgroundTurn();
    expect(performance.now() - started).toBeLessThan(MAX_BACKGROUND_WAIT_MS);
  });

  it('wait while a request holds a connection, and come once it is released', async () => {
    const holdMs = 120;
    const request = t.handle.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_sleep(${holdMs / 1000})`);
    });
    await new Promise((r) => setTimeout(r, 10)); // the transaction has its connection
    const started = performance.now();
    await t.handle.backgroundTurn();
    const waited = performance.now() - started;
    await request;
    expect(waited).toBeGreaterThanOrEqual(holdMs - 20);
    expect(waited).toBeLessThan(MAX_BACKGROUND_WAIT_MS + 500);
  });

  it('never starve the job: back-to-back requests only delay it by the bound', async () => {
    let busy = true;
    const load = (async () => {
      while (busy) {
        await t.handle.db.execute(sql`select 1`);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const started = performance.now();
    await t.handle.backgroundTurn();
    const waited = performance.now() - started;
    busy = false;
    await load;
    expect(waited).toBeGreaterThanOrEqual(MAX_BACKGROUND_WAIT_MS - 5);
    expect(waited).toBeLessThan(MAX_BACKGROUND_WAIT_MS + 1_000);
  });
});
