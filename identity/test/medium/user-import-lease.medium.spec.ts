import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { AuditService, JOB_LEASE_MS, LOGGER, type Logger } from '@pakawaaz/platform';
import { gate, until, type Gate } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InstitutionsRepository } from '../../src/directory/institutions.repository.js';
import { InstitutionsService } from '../../src/directory/institutions.service.js';
import type { SecretBox } from '../../src/crypto/secret-box.js';
import { SECRET_BOX } from '../../src/mfa/secret-box.provider.js';
import { OnboardingChanges } from '../../src/onboarding/onboarding-changes.js';
import { DIRECTORY_SYNC_SOURCE } from '../../src/onboarding/onboarding.schema.js';
import { USER_IMPORT_CHUNK_ROWS } from '../../src/onboarding/user-import-chunks.js';
import { UserImportService } from '../../src/onboarding/user-import.service.js';
import { UserImportsRepository } from '../../src/onboarding/user-imports.repository.js';
import {
  createIdentityFixture,
  principal,
  query,
  type IdentityFixture,
} from '../support/identity-fixture.js';

/*
 * Two nodes on one database run an officials import exactly once: a job another node runs is left to it, a
 * job whose runner died is taken over once its lease lapses, and the late runner writes nothing.
 */

let fx: IdentityFixture;
let institutionId: string;
const officer = { principal: principal(['security-officer']), requestId: null };
const ROWS = 600;

beforeAll(async () => {
  fx = await createIdentityFixture();
  await fx.get(UserImportService).onModuleDestroy(); // the fixture's own node stays out of the way
  const root = { principal: principal(['super-admin']), requestId: null };
  institutionId = (await fx.get(InstitutionsService).create({ name: 'Ministry of Leases' }, root)).id;
});
afterAll(async () => fx?.close());

/**
 * A node: its own service instance (its own runner id); a pausing one stops before its second chunk. Nodes
 * leave a running job's live lease alone at start, also on PGlite (one process alone would take it over).
 */
function node(leaseMs: number, pausing = false): { service: UserImportService; paused: Gate } {
  const paused = gate();
  let chunks = 0;
  class Pausing extends UserImportService {
    protected override async commitChunk(...args: Parameters<UserImportService['commitChunk']>) {
      if (pausing && ++chunks === 2) await paused.wait();
      await super.commitChunk(...args);
    }
  }
  const service = new Pausing(
    fx.handle,
    fx.app.get<Logger>(LOGGER),
    fx.get(UserImportsRepository),
    fx.get(InstitutionsRepository),
    fx.get(AuditService),
    fx.get(OnboardingChanges),
    fx.app.get<SecretBox>(SECRET_BOX),
    undefined,
    { leaseMs, takeOverAtStart: false },
  );
  return { service, paused };
}

async function start(service: UserImportService, prefix: string) {
  const lines = ['username,name,institution'];
  for (let i = 0; i < ROWS; i++) lines.push(`${prefix}${i},Official ${i},${institutionId}`);
  const upload = Readable.from([Buffer.from(lines.join('\n') + '\n')]);
  return service.start(upload, { declaredBytes: undefined, filename: 'o.csv', dryRun: false }, officer);
}
const job = (service: UserImportService, id: string) => service.job(id, officer);
const officials = async (prefix: string) =>
  (
    await query<{ n: number }>(
      fx.handle,
      `select count(*)::int n from identity.users where username like '${prefix}%'`,
    )
  )[0]!.n;

describe('officials import jobs across nodes', () => {
  it("leaves a job another node runs to it: another node's start neither resumes it nor counts an attempt", async () => {
    const a = node(JOB_LEASE_MS, true);
    const { id } = await start(a.service, 'lease-a');
    await a.paused.reached;
    const b = node(JOB_LEASE_MS).service;
    await b.onApplicationBootstrap();
    await b.settled(id);
    const chunk = USER_IMPORT_CHUNK_ROWS[fx.handle.mode];
    expect(await job(b, id)).toMatchObject({ status: 'running', attempts: 0, committedLines: chunk + 1 });
    a.paused.open();
    await a.service.settled(id);
    await Promise.all([a.service.onModuleDestroy(), b.onModuleDestroy()]);
    expect(await job(b, id)).toMatchObject({ status: 'completed', attempts: 0, created: ROWS });
    expect(await officials('lease-a')).toBe(ROWS);
  });

  it('takes over the job of a runner that died once its lease lapses; the late runner writes nothing', async () => {
    // Long enough that A's lease, renewed with its first chunk, is live when B starts on a loaded machine.
    const leaseMs = 5_000;
    // Node A's lease timer never fires: it "dies" (stops renewing) once its job pauses.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const a = node(leaseMs, true);
    let id: string;
    try {
      ({ id } = await start(a.service, 'lease-b'));
      await a.paused.reached;
    } finally {
      vi.useRealTimers();
    }
    const b = node(leaseMs).service;
    await b.onApplicationBootstrap(); // A's lease is live yet: B leaves the job
    expect(await job(b, id)).toMatchObject({ status: 'running', attempts: 0 });
    // B's periodic look, not a restart, finds the lapsed lease; the run cut off counts as an attempt.
    await until(async () => (await job(b, id)).status === 'completed', 30_000);
    await b.settled(id);
    const done = await job(b, id);
    expect(done).toMatchObject({ attempts: 1, created: ROWS, unchanged: 0, committedLines: ROWS + 1 });
    expect(await officials('lease-b')).toBe(ROWS);

    a.paused.open(); // A wakes up and tries to commit its second chunk
    await a.service.settled(id);
    await Promise.all([a.service.onModuleDestroy(), b.onModuleDestroy()]);
    expect(await job(b, id)).toEqual(done);
  });

  it("never claims a directory sync's job (it shares the table; its own service runs it)", async () => {
    const id = randomUUID();
    const repo = fx.get(UserImportsRepository);
    const sync = {
      filename: 'directory:x',
      dryRun: false,
      sourceSha256: '',
      createdBy: 'system:x',
      createdByName: 'x',
    };
    const row = { ...sync, id, status: 'running' as const, sourceHeader: DIRECTORY_SYNC_SOURCE, attempts: 1 };
    await repo.insertJob(fx.handle.db, row);
    const b = node(JOB_LEASE_MS).service;
    await b.onApplicationBootstrap();
    await b.settled(id);
    await b.onModuleDestroy();
    expect(await repo.job(id)).toMatchObject({ status: 'running', attempts: 1, runner: null });
  });
});
