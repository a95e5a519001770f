import { JOB_LEASE_MS, rowsOf, sql } from '@pakawaaz/platform';
import { fakeSim, gate, simCsv, testLogger, until, type Gate } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SimImportService } from '../../src/sim-inventory/sim-import.service.js';
import { IMPORT_CHUNK_ROWS } from '../../src/sim-inventory/sim-import-chunks.js';
import { coreNetworkFixture, testOperator, upload, type CoreNetworkFixture } from '../support/fixture.js';

/*
 * Two nodes on one database run a SIM import exactly once: a job another node runs is left to it, a job whose
 * runner died is taken over once its lease lapses, and the late runner writes nothing.
 */

let fx: CoreNetworkFixture;
beforeAll(async () => {
  fx = await coreNetworkFixture();
});
afterAll(() => fx?.close());

/**
 * A node: its own service instance (its own runner id), as another process would have. Nodes leave a running
 * job's live lease alone at start, also on PGlite, where one process is all there is by default.
 */
const node = (leaseMs: number, takeOverAtStart = false) =>
  new SimImportService(fx.db.handle, fx.config, testLogger, fx.repo, fx.keys, fx.audit, {
    leaseMs,
    takeOverAtStart,
  });

/** A node whose job stops before its second chunk until the test opens `paused`. */
function pausingNode(leaseMs: number): { service: SimImportService; paused: Gate } {
  const paused = gate();
  let chunks = 0;
  class Pausing extends SimImportService {
    protected override async commitChunk(...args: Parameters<SimImportService['commitChunk']>) {
      if (++chunks === 2) await paused.wait();
      await super.commitChunk(...args);
    }
  }
  const service = new Pausing(fx.db.handle, fx.config, testLogger, fx.repo, fx.keys, fx.audit, {
    leaseMs,
    takeOverAtStart: false,
  });
  return { service, paused };
}

const batch = (from: number) => Array.from({ length: 300 }, (_, i) => fakeSim(from + i));
const start = (service: SimImportService, from: number) =>
  service.start(upload(simCsv(batch(from))), undefined, 'batch.csv', testOperator, null);
const simsOf = async (jobId: string) =>
  rowsOf<{ n: number }>(
    await fx.db.handle.db.execute(
      sql`select count(*)::int n from core_network.sim_cards where import_job_id = ${jobId}`,
    ),
  )[0]!.n;

describe('SIM import jobs across nodes', () => {
  it("leaves a job another node runs to it: another node's start neither resumes it nor counts an attempt", async () => {
    const a = pausingNode(JOB_LEASE_MS);
    const job = await start(a.service, 30_000);
    await a.paused.reached;
    const b = node(JOB_LEASE_MS);
    await b.onApplicationBootstrap();
    await b.settled(job.id);
    const chunk = IMPORT_CHUNK_ROWS[fx.db.handle.mode];
    expect(await fx.repo.job(job.id)).toMatchObject({
      status: 'running',
      attempts: 0,
      committedLines: chunk + 1,
    });
    a.paused.open();
    await a.service.settled(job.id);
    await Promise.all([a.service.onModuleDestroy(), b.onModuleDestroy()]);
    expect(await fx.repo.job(job.id)).toMatchObject({ status: 'completed', attempts: 0, imported: 300 });
    expect(await simsOf(job.id)).toBe(300);
  });

  it('takes over the job of a runner that died once its lease lapses; the late runner writes nothing', async () => {
    // Long enough that A's lease, renewed with its first chunk, is live when B starts on a loaded machine.
    const leaseMs = 5_000;
    // Node A's lease timer never fires: it "dies" (stops renewing) once its job pauses.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const a = pausingNode(leaseMs);
    let job;
    try {
      job = await start(a.service, 40_000);
      await a.paused.reached;
    } finally {
      vi.useRealTimers();
    }
    const b = node(leaseMs);
    await b.onApplicationBootstrap(); // A's lease is live yet: B leaves the job
    expect(await fx.repo.job(job.id)).toMatchObject({ status: 'running', attempts: 0 });
    // B's periodic look, not a restart, finds the lapsed lease; the run cut off counts as an attempt.
    await until(async () => (await fx.repo.job(job.id))!.status === 'completed', 30_000);
    await b.settled(job.id);
    const done = (await fx.repo.job(job.id))!;
    expect(done).toMatchObject({ attempts: 1, imported: 300, duplicates: 0, committedLines: 301 });
    expect(await simsOf(job.id)).toBe(300);

    a.paused.open(); // A wakes up and tries to commit its second chunk
    await a.service.settled(job.id);
    await Promise.all([a.service.onModuleDestroy(), b.onModuleDestroy()]);
    expect(await fx.repo.job(job.id)).toEqual(done);
    expect(await simsOf(job.id)).toBe(300);
  });

  it('a process alone on its database takes over at start the job it left running, live lease or not', async () => {
    const a = pausingNode(JOB_LEASE_MS);
    const job = await start(a.service, 80_000);
    await a.paused.reached; // A "crashes" here: its job is running, its lease live for a minute
    const restarted = node(JOB_LEASE_MS, true);
    await restarted.onApplicationBootstrap();
    await until(async () => (await fx.repo.job(job.id))!.status === 'completed', 30_000);
    await restarted.settled(job.id);
    expect(await fx.repo.job(job.id)).toMatchObject({ attempts: 1, imported: 300 });
    a.paused.open();
    await a.service.settled(job.id);
    await Promise.all([a.service.onModuleDestroy(), restarted.onModuleDestroy()]);
    expect(await simsOf(job.id)).toBe(300);
  });
});
