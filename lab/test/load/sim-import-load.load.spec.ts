import { beforeAll, describe, expect, it } from 'vitest';
import {
  importUnderProbes,
  largestSimBatch,
  MAX_ROWS,
  type ImportLoadResult,
  describeImportLoad,
} from '../../src/bench/sim-import-load.js';
import { startServerProcess } from '../../src/server-process/server-process.js';
import { withThrowawayDatabase } from '../../src/server-process/throwaway-database.js';

/*
 * An operator's import must never stop officials from signing in: the largest SIM file the server allows
 * (SIM_IMPORT_MAX_ROWS rows, just under SIM_IMPORT_MAX_BYTES) is imported into the built server while an
 * official signs in over RADIUS (EAP-AKA) and /healthz is fetched, each every ~50 ms; their p99 must stay
 * under 100 ms — on the embedded default (PGlite, now in its own thread) and on PostgreSQL.
 *
 * The 100 ms bound is only meaningful on a machine with capacity to spare: when the probes' p99 with no
 * import at all (measured first, in the same run) is already above IDLE_CAPACITY_MS, the machine is shared
 * or overloaded, the bound is not checked and the test says so loudly with the figures. What is always
 * checked: every probe answered, and no freeze — p99 under a second (an event loop frozen by the import,
 * as before the database and the parsing left the main thread, stops probes for many seconds).
 */
const ADMIN_PASSWORD = 'quartz-meadow-lantern-58';
const P99_LIMIT_MS = 100;
const IDLE_CAPACITY_MS = 50;
const NO_FREEZE_MS = 1_000;
let csv: Buffer;

beforeAll(() => {
  csv = largestSimBatch();
});

function expectFreeLoop(r: ImportLoadResult): void {
  process.stdout.write(`${describeImportLoad(r).join('\n')}\n`);
  expect(r.job).toMatchObject({ status: 'completed', imported: MAX_ROWS, invalid: 0 });
  expect(r.busy.healthz.failures + r.busy.radius.failures).toBe(0);
  expect(r.busy.healthz.samples).toBeGreaterThan(20);
  expect(r.busy.radius.samples).toBeGreaterThan(20);
  expect(r.busy.healthz.p99).toBeLessThan(NO_FREEZE_MS);
  expect(r.busy.radius.p99).toBeLessThan(NO_FREEZE_MS);
  const idle = Math.max(r.idle.healthz.p99, r.idle.radius.p99);
  if (idle > IDLE_CAPACITY_MS) {
    process.stdout.write(
      `\n[notice] NOT CHECKED: p99 < ${P99_LIMIT_MS} ms during the import. With no import at all the probes' ` +
        `p99 is already ${idle.toFixed(0)} ms (> ${IDLE_CAPACITY_MS} ms): this machine is too loaded to measure it.\n\n`,
    );
    return;
  }
  expect(r.busy.healthz.p99).toBeLessThan(P99_LIMIT_MS);
  expect(r.busy.radius.p99).toBeLessThan(P99_LIMIT_MS);
}

async function run(env: Record<string, string>): Promise<ImportLoadResult> {
  const server = await startServerProcess({ adminPassword: ADMIN_PASSWORD, env });
  try {
    return await importUnderProbes(server, ADMIN_PASSWORD, csv, MAX_ROWS);
  } catch (err) {
    process.stdout.write(`server output (tail):\n${server.output()}\n`);
    throw err;
  } finally {
    await server.stop();
  }
}

describe('the largest SIM import leaves the event loop free', () => {
  it('on the embedded default (PGlite in its worker thread)', { timeout: 900_000 }, async () => {
    expectFreeLoop(await run({}));
  });

  it('on PostgreSQL', { timeout: 900_000 }, async (ctx) => {
    const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const result = await withThrowawayDatabase(adminUrl, `pakawaaz_import_load_${process.pid}`, (url) =>
      run({ DATABASE_URL: url }),
    );
    if (result === null) {
      if (process.env.PAKAWAAZ_REQUIRE_SERVICES)
        throw new Error(`PostgreSQL is not reachable at ${adminUrl}`);
      return ctx.skip();
    }
    expectFreeLoop(result);
  });
});
