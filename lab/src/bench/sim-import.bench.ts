import { withThrowawayDatabase } from '../server-process/throwaway-database.js';
import { startServerProcess } from '../server-process/server-process.js';
import { describeImportLoad, importUnderProbes, largestSimBatch, MAX_ROWS } from './sim-import-load.js';

/**
 * The largest allowed SIM import (SIM_IMPORT_MAX_ROWS rows, just under SIM_IMPORT_MAX_BYTES) into the built
 * server, on the embedded default and on PostgreSQL: import throughput, and /healthz and RADIUS sign-in
 * (EAP-AKA) latency during the import next to the idle baseline measured in the same run.
 */
const ADMIN_PASSWORD = 'quartz-meadow-lantern-58';
const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function mode(name: string, env: Record<string, string>, csv: Buffer): Promise<void> {
  out(`\n### largest SIM import on ${name}`);
  const server = await startServerProcess({ adminPassword: ADMIN_PASSWORD, env });
  try {
    for (const l of describeImportLoad(await importUnderProbes(server, ADMIN_PASSWORD, csv, MAX_ROWS)))
      out(l);
  } catch (err) {
    out(
      `FAILED: ${err instanceof Error ? err.message : String(err)}\nserver output (tail):\n${server.output()}`,
    );
    process.exitCode = 1;
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<void> {
  const t0 = performance.now();
  const csv = largestSimBatch();
  out(
    `generated ${MAX_ROWS.toLocaleString('en-US')} SIM rows, ${(csv.length / 1024 / 1024).toFixed(1)} MiB, in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  await mode('embedded PGlite (the default, in its worker thread)', {}, csv);
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const ran = await withThrowawayDatabase(adminUrl, `pakawaaz_import_bench_${process.pid}`, (url) =>
    mode('PostgreSQL', { DATABASE_URL: url }, csv).then(() => true),
  );
  if (!ran) out('\n(PostgreSQL not reachable at TEST_DATABASE_URL: PostgreSQL rows skipped)');
}
