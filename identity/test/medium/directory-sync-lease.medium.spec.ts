import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { AuditService, JOB_LEASE_MS, LOGGER, type DatabaseHandle, type Logger } from '@pakawaaz/platform';
import { gate, until, type Gate } from '@pakawaaz/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SecretBox } from '../../src/crypto/secret-box.js';
import { DirectorySyncJobs } from '../../src/directory-sync/directory-sync-jobs.js';
import { DirectorySyncRunner } from '../../src/directory-sync/directory-sync-run.js';
import { DirectorySyncRepository } from '../../src/directory-sync/directory-sync.repository.js';
import { DirectorySyncService } from '../../src/directory-sync/directory-sync.service.js';
import { InstitutionsRepository } from '../../src/directory/institutions.repository.js';
import { InstitutionsService } from '../../src/directory/institutions.service.js';
import { SECRET_BOX } from '../../src/mfa/secret-box.provider.js';
import { OnboardingChanges } from '../../src/onboarding/onboarding-changes.js';
import { USER_IMPORT_CHUNK_ROWS } from '../../src/onboarding/user-import-chunks.js';
import { UserImportService } from '../../src/onboarding/user-import.service.js';
import {
  isSyncRunConflict,
  UserImportsRepository,
  type UserImportJobRow,
} from '../../src/onboarding/user-imports.repository.js';
import { DIRECTORY_CHANGED } from '../../src/directory-sync/sync-resume.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import {
  createIdentityFixture,
  principal,
  query,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';
import { personLdif, startSlapd, type Slapd } from '../support/slapd.js';

/*
 * Two nodes on one database, a real OpenLDAP: a directory sync's job runs exactly once. A job another node
 * runs is left to it; one whose runner died is taken over once its lease lapses (at once at start on the
 * embedded database) and finished where it stopped; the late runner writes nothing; a job cut off too often
 * fails, saying why.
 */

const N = 600;
let fx: IdentityFixture;
let ldap: Slapd;
const officer = { principal: principal(['security-officer']), requestId: null };
const root = { principal: principal(['super-admin']), requestId: null };

beforeAll(async () => {
  let ldif = '';
  for (let i = 0; i < N; i++)
    ldif += personLdif('dc=gov,dc=example', {
      uid: `lease${i}`,
      cn: `Official ${i}`,
      ou: 'Ministry of Leases',
    });
  ldap = await startSlapd(ldif);
  fx = await createIdentityFixture();
  // The fixture's own node stays out of the way.
  await fx.get(DirectorySyncJobs).onModuleDestroy();
  await fx.get(UserImportService).onModuleDestroy();
}, 120_000);
afterAll(async () => {
  await fx?.close();
  await ldap?.close();
});
beforeEach(async () => {
  await resetIdentityData(fx.handle);
  await fx.get(InstitutionsService).create({ name: 'Ministry of Leases' }, root);
});

type Node = { service: DirectorySyncService; jobs: DirectorySyncJobs; paused: Gate };

/**
 * A node: its own runner and lease (its own runner id), as another process would have; a pausing one stops
 * before its second chunk. Nodes leave a live lease alone at start unless on the embedded `database`.
 */
function node(leaseMs: number, opts: { pausing?: boolean; database?: DatabaseHandle } = {}): Node {
  const paused = gate();
  let chunks = 0;
  class Pausing extends DirectorySyncRunner {
    protected override async commitChunk(...args: Parameters<DirectorySyncRunner['commitChunk']>) {
      if (opts.pausing && ++chunks === 2) await paused.wait();
      await super.commitChunk(...args);
    }
  }
  const logger = fx.app.get<Logger>(LOGGER);
  const box = fx.app.get<SecretBox>(SECRET_BOX);
  const [syncs, imports, audit] = [
    fx.get(DirectorySyncRepository),
    fx.get(UserImportsRepository),
    fx.get(AuditService),
  ];
  const runner = new Pausing(
    logger,
    fx.handle,
    syncs,
    imports,
    fx.get(InstitutionsRepository),
    fx.get(SessionsService),
    audit,
    fx.get(OnboardingChanges),
    box,
  );
  const lease = { leaseMs, ...(opts.database ? {} : { takeOverAtStart: false }) };
  const jobs = new DirectorySyncJobs(opts.database ?? fx.handle, logger, syncs, imports, runner, lease);
  return { service: new DirectorySyncService(logger, syncs, imports, jobs, audit, box), jobs, paused };
}

async function start(n: Node, name: string, url = ldap.url): Promise<string> {
  await n.service.create(
    {
      name,
      url,
      startTls: false,
      allowPlaintext: true,
      bindDn: ldap.syncDn,
      bindPassword: ldap.syncPassword,
      baseDn: `ou=People,${ldap.suffix}`,
      filter: '(objectClass=inetOrgPerson)',
      mapping: { username: 'uid', displayName: 'cn', institution: 'ou' },
    },
    officer,
  );
  return (await n.service.run(name, false, officer)).id;
}

const job = (id: string) => fx.get(UserImportService).job(id, officer);
const count = async (sql: string) => (await query<{ n: number }>(fx.handle, sql))[0]!.n;
const officials = () => count("select count(*)::int n from identity.users where username like 'lease%'");
/** Officials still active: a run taken over must not disable those the runner before it created. */
const active = () =>
  count("select count(*)::int n from identity.users where username like 'lease%' and status = 'active'");
const outcomes = (id: string) =>
  count(
    `select count(*)::int n from platform.audit_log where target = 'user-import:${id}'
       and action in ('identity.directory-sync.completed', 'identity.directory-sync.failed')`,
  );
const stop = (...nodes: Node[]) => Promise.all(nodes.map((n) => n.jobs.onModuleDestroy()));
const chunk = () => USER_IMPORT_CHUNK_ROWS[fx.handle.mode];

/** A node whose lease timer never fires: it "dies" (stops renewing) once its job pauses. */
async function dyingNode(leaseMs: number, name: string): Promise<{ a: Node; id: string }> {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  try {
    const a = node(leaseMs, { pausing: true });
    const id = await start(a, name);
    await a.paused.reached;
    return { a, id };
  } finally {
    vi.useRealTimers();
  }
}

/** A, whose job B ended, wakes up and tries to commit its second chunk: the job, officials and audit stay. */
async function lateRunnerWritesNothing(a: Node, b: Node, id: string, ended: UserImportJobRow): Promise<void> {
  const before = await officials();
  a.paused.open();
  await a.service.settled(id);
  await stop(a, b);
  expect(await job(id)).toEqual(ended);
  expect(await officials()).toBe(before);
  expect(await outcomes(id)).toBe(1);
}

describe('directory sync jobs across nodes', () => {
  it("leaves a sync job another node runs to it: another node's start neither runs it nor counts an attempt", async () => {
    const a = node(JOB_LEASE_MS, { pausing: true });
    const id = await start(a, 'lease-a');
    await a.paused.reached;
    const b = node(JOB_LEASE_MS);
    await b.jobs.onApplicationBootstrap();
    await b.jobs.settled(id);
    expect(await job(id)).toMatchObject({ status: 'running', attempts: 0, committedLines: chunk() });
    a.paused.open();
    await a.service.settled(id);
    await stop(a, b);
    expect(await job(id)).toMatchObject({ status: 'completed', attempts: 0, created: N, invalid: 0 });
    expect(await officials()).toBe(N);
  });

  it('takes over the sync of a runner that died, finishes it once where it stopped; the late runner writes nothing', async () => {
    const leaseMs = 5_000; // long enough that A's lease is live when B starts on a loaded machine
    const { a, id } = await dyingNode(leaseMs, 'lease-b');
    const b = node(leaseMs);
    await b.jobs.onApplicationBootstrap(); // A's lease is live yet: B leaves the job
    expect(await job(id)).toMatchObject({ status: 'running', attempts: 0 });
    // B's periodic look, not a restart, finds the lapsed lease; the run cut off counts as an attempt.
    await until(async () => (await job(id)).status === 'completed', 30_000);
    await b.jobs.settled(id);
    const codes = (await fx.get(UserImportService).codes(id, officer)).trimEnd().split('\n');
    expect(codes).toHaveLength(N + 1); // A's chunk's codes and B's, once each
    const done = await job(id);
    // Resumed after A's committed chunk: A's officials are not planned again (not counted as unchanged).
    expect(done).toMatchObject({
      attempts: 1,
      totalRows: N,
      created: N,
      unchanged: 0,
      invalid: 0,
      disabled: 0,
    });
    expect(await active()).toBe(N); // A's chunk's officials count as present, though B did not plan them
    await lateRunnerWritesNothing(a, b, id, done);
  }, 60_000);

  it('on the embedded database, takes over a sync job left running at start, whatever its lease', async () => {
    const a = node(JOB_LEASE_MS, { pausing: true }); // its lease stays live: only a start on PGlite takes it
    const id = await start(a, 'lease-c');
    await a.paused.reached;
    const embedded: DatabaseHandle = { ...fx.handle, db: fx.handle.db, mode: 'embedded' };
    const b = node(JOB_LEASE_MS, { database: embedded });
    await b.jobs.onApplicationBootstrap();
    await b.jobs.settled(id);
    const done = await job(id);
    expect(done).toMatchObject({ status: 'completed', attempts: 1, created: N, unchanged: 0, disabled: 0 });
    expect(await active()).toBe(N);
    await lateRunnerWritesNothing(a, b, id, done);
  });

  it('gives a sync job back when its server stops, and another node finishes it without counting an attempt', async () => {
    const a = node(JOB_LEASE_MS, { pausing: true });
    const id = await start(a, 'lease-e');
    await a.paused.reached;
    const stopping = a.jobs.onModuleDestroy();
    a.paused.open(); // the chunk under way commits; the run stops before the next
    await stopping;
    expect(await job(id)).toMatchObject({ status: 'queued', runner: null, committedLines: 2 * chunk() });
    const b = node(JOB_LEASE_MS);
    await b.jobs.onApplicationBootstrap();
    await b.jobs.settled(id);
    await stop(b);
    expect(await job(id)).toMatchObject({
      status: 'completed',
      attempts: 0,
      created: N,
      unchanged: 0,
      disabled: 0,
    });
    expect(await active()).toBe(N);
    expect(await outcomes(id)).toBe(1);
  });

  it('fails a sync job cut off by a dead runner three times, saying so', async () => {
    const { a, id } = await dyingNode(JOB_LEASE_MS, 'lease-d');
    await query(
      fx.handle,
      `update identity.user_import_jobs set attempts = 2, lease_until = now() - interval '1 second' where id = '${id}'`,
    );
    const b = node(JOB_LEASE_MS);
    await b.jobs.onApplicationBootstrap();
    await b.jobs.settled(id);
    const failed = await job(id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, created: chunk() });
    expect(failed.failure).toBe('the server stopped while the sync ran, 3 times: run it again');
    await lateRunnerWritesNothing(a, b, id, failed);
  });

  it("never claims a file import's job (it shares the table; the officials import runs it)", async () => {
    const id = randomUUID();
    await fx.get(UserImportsRepository).insertJob(fx.handle.db, {
      id,
      filename: 'o.csv',
      dryRun: false,
      status: 'queued',
      sourceSha256: '',
      sourceHeader: 'username,name,institution',
      createdBy: 'system:x',
      createdByName: 'x',
    });
    const b = node(JOB_LEASE_MS, { database: { ...fx.handle, db: fx.handle.db, mode: 'embedded' } });
    await b.jobs.onApplicationBootstrap();
    await b.jobs.settled(id);
    await stop(b);
    expect(await fx.get(UserImportsRepository).job(id)).toMatchObject({ status: 'queued', runner: null });
  });
});

describe('one run of a sync at a time', () => {
  const syncJob = (id: string, name: string, status: 'queued' | 'running', createdAt: string) =>
    `insert into identity.user_import_jobs (id, filename, dry_run, status, source_sha256, source_header,
       created_by, created_by_name, created_at) values ('${id}', 'directory:${name}', false, '${status}', '',
       'ldap', 'system:x', 'x', '${createdAt}')`;

  it('refuses a second run while one is under way (409 directory_sync_running); the schedule passes it over', async () => {
    const a = node(JOB_LEASE_MS, { pausing: true });
    const id = await start(a, 'lease-f');
    await a.paused.reached;
    await expect(a.service.run('lease-f', true, officer)).rejects.toMatchObject({
      code: 'directory_sync_running',
      status: 409,
    });
    // Another node's start between the look and the insert: the index refuses it, with the same answer.
    const look = vi.spyOn(fx.get(UserImportsRepository), 'unfinishedJobOf').mockResolvedValueOnce(undefined);
    await expect(a.service.run('lease-f', false, officer)).rejects.toMatchObject({
      code: 'directory_sync_running',
    });
    look.mockRestore();
    await query(fx.handle, 'update identity.directory_syncs set interval_minutes = 1, last_run_at = null');
    const syncs = fx.get(DirectorySyncRepository);
    expect(await syncs.claimDue(new Date())).toEqual([]);
    a.paused.open();
    await a.service.settled(id);
    await stop(a);
    expect(await count('select count(*)::int n from identity.user_import_jobs')).toBe(1);
    expect((await syncs.claimDue(new Date())).map((s) => s.name)).toEqual(['lease-f']); // due once it ended
  });

  it('a dry run moves neither the schedule nor the last run: the scheduled run stays due once it ended', async () => {
    const a = node(JOB_LEASE_MS);
    const real = await start(a, 'lease-dry');
    await a.service.settled(real);
    await query(fx.handle, 'update identity.directory_syncs set interval_minutes = 1, last_run_at = null');
    const dry = (await a.service.run('lease-dry', true, officer)).id;
    await a.service.settled(dry);
    await stop(a);
    const [sync] = await query<{ last_run_at: Date | null; last_job_id: string }>(
      fx.handle,
      "select last_run_at, last_job_id from identity.directory_syncs where name = 'lease-dry'",
    );
    expect(sync).toEqual({ last_run_at: null, last_job_id: real });
    const syncs = fx.get(DirectorySyncRepository);
    expect((await syncs.claimDue(new Date())).map((s) => s.name)).toEqual(['lease-dry']);
  });

  it('the database refuses a second unfinished job of a sync, whichever node inserts it', async () => {
    await query(fx.handle, syncJob(randomUUID(), 'lease-g', 'running', '2026-01-01T00:00:00Z'));
    const second = query(fx.handle, syncJob(randomUUID(), 'lease-g', 'queued', '2026-01-02T00:00:00Z'));
    const err: unknown = await second.catch((e: unknown) => e);
    expect(isSyncRunConflict(err)).toBe(true);
    // Finished runs, and other syncs' runs, are not in the way.
    await query(fx.handle, "update identity.user_import_jobs set status = 'completed'");
    await query(fx.handle, syncJob(randomUUID(), 'lease-g', 'queued', '2026-01-03T00:00:00Z'));
    await query(fx.handle, syncJob(randomUUID(), 'lease-h', 'queued', '2026-01-03T00:00:00Z'));
  });

  it('the upgrade ends all but the newest of the runs a release before the lease left unfinished', async () => {
    const migration = readFileSync(
      new URL('../../migrations/0012_one_run_a_sync.sql', import.meta.url),
      'utf8',
    );
    await query(fx.handle, 'drop index identity.user_import_jobs_one_sync_run_idx');
    const [old1, old2, newest, other] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await query(fx.handle, syncJob(old1, 'lease-i', 'running', '2026-01-01T00:00:00Z'));
    await query(fx.handle, syncJob(old2, 'lease-i', 'queued', '2026-01-02T00:00:00Z'));
    await query(fx.handle, syncJob(newest, 'lease-i', 'running', '2026-01-03T00:00:00Z'));
    await query(fx.handle, syncJob(other, 'lease-j', 'running', '2026-01-01T00:00:00Z'));
    for (const statement of migration.split('--> statement-breakpoint')) await query(fx.handle, statement);
    const superseded = { status: 'failed', failure: 'superseded by a later run of this sync', runner: null };
    expect(await fx.get(UserImportsRepository).job(old1)).toMatchObject(superseded);
    expect(await fx.get(UserImportsRepository).job(old2)).toMatchObject(superseded);
    expect(await fx.get(UserImportsRepository).job(newest)).toMatchObject({
      status: 'running',
      failure: null,
    });
    expect(await fx.get(UserImportsRepository).job(other)).toMatchObject({
      status: 'running',
      failure: null,
    });
  });

  it('fails a sync job taken over when the directory changed since it began, disabling no one', async () => {
    const { a, id } = await dyingNode(JOB_LEASE_MS, 'lease-k');
    // Another list of entries than the one the job began with (as if entries were added or removed).
    await query(
      fx.handle,
      `update identity.user_import_jobs set source_sha256 = '${'0'.repeat(64)}',
         lease_until = now() - interval '1 second' where id = '${id}'`,
    );
    const b = node(JOB_LEASE_MS);
    await b.jobs.onApplicationBootstrap();
    await b.jobs.settled(id);
    const failed = await job(id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, created: chunk(), disabled: 0 });
    expect(failed.failure).toBe(DIRECTORY_CHANGED);
    expect(await active()).toBe(chunk());
    await lateRunnerWritesNothing(a, b, id, failed);
  });

  it('a stopping server ends a slow directory read at once and gives the job back, no attempt counted', async () => {
    let accepted!: () => void;
    const connected = new Promise<void>((resolve) => (accepted = resolve));
    const silent = createServer(() => accepted()); // accepts, never answers: a bind that hangs
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const a = node(JOB_LEASE_MS);
      const { port } = silent.address() as AddressInfo;
      const id = await start(a, 'lease-l', `ldap://127.0.0.1:${port}`);
      await connected;
      const t0 = Date.now();
      await stop(a);
      expect(Date.now() - t0).toBeLessThan(5_000); // not the read's 30 s timeout, nor the 15 s forced exit
      expect(await job(id)).toMatchObject({ status: 'queued', attempts: 0, runner: null, failure: null });
    } finally {
      silent.close();
    }
  }, 20_000);
});
