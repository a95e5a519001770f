import path from 'node:path';
import { Readable } from 'node:stream';
import {
  AuditService,
  DeadLetterStore,
  InProcessEventBus,
  Metrics,
  WorkerPool,
  newEvent,
  rowsOf,
  sql,
} from '@pakawaaz/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSim, operatorPrincipal, simCsv, testLogger } from '@pakawaaz/test-support';
import type { CoreNetworkConfig } from '../../src/core-network.config.js';
import { readFile } from 'node:fs/promises';
import { DataKeyService, KeyError } from '@pakawaaz/platform';
import { openSimDataKeys } from '../../src/crypto/sim-keys.js';
import { SimImportService } from '../../src/sim-inventory/sim-import.service.js';
import { IMPORT_CHUNK_ROWS } from '../../src/sim-inventory/sim-import-chunks.js';
import {
  SimInventoryRepository,
  type SimImportJobRow,
} from '../../src/sim-inventory/sim-inventory.repository.js';
import { SimSecretsService } from '../../src/sim-inventory/sim-secrets.service.js';
import type { SimBlockResult, SimBlockTask } from '../../src/sim-inventory/sim-import.worker.js';
import { DeviceEventsListener } from '../../src/subscribers/device-events.listener.js';
import { SubscribersRepository } from '../../src/subscribers/subscribers.repository.js';
import { NetworkSpecRepository } from '../../src/network-spec/network-spec.repository.js';
import { Officials } from '../../src/subscribers/officials.js';
import { MemoryOfficialDirectory } from '../support/memory-officials.js';
import { SubscriberProfilesService } from '../../src/subscribers/subscriber-profiles.service.js';
import { SubscribersService } from '../../src/subscribers/subscribers.service.js';
import { coreNetworkFixture, upload, type CoreNetworkFixture } from '../support/fixture.js';

const operator = operatorPrincipal('op-1', ['sim-operator']);
const ctx = { principal: operator, requestId: 'req-1' };

let fx: CoreNetworkFixture;
let db: CoreNetworkFixture['db'];
let dir: string;
let config: CoreNetworkConfig;
let keys: DataKeyService;
let repo: SimInventoryRepository;
let imports: SimImportService;
let audit: AuditService;

async function importCsv(service: SimImportService, csv: string | Buffer): Promise<SimImportJobRow> {
  const job = await service.start(upload(csv), undefined, 'batch.csv', operator, 'req-1');
  await service.settled(job.id);
  return (await repo.job(job.id))!;
}

/** The error a refused upload rejects with (an AppError: code and message). */
async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string },
  );
  if (!err) throw new Error('expected the upload to be refused');
  return err;
}

beforeAll(async () => {
  fx = await coreNetworkFixture();
  ({ db, dir, config, keys, repo, imports, audit } = fx);
});
afterAll(() => fx?.close());

describe('SIM import', () => {
  const sims = Array.from({ length: 1_200 }, (_, i) => fakeSim(i + 1));

  it('imports good rows, reports bad ones by line, and keeps K/OPc only encrypted', async () => {
    const csv = simCsv(sims, [
      '001010000099999,8992001000000000001,zz,00',
      '310260000000001,8992001000000000001,00000000000000000000000000000000,00000000000000000000000000000000',
    ]);
    const job = await importCsv(imports, csv);
    expect(job).toMatchObject({
      status: 'completed',
      totalRows: 1_202,
      imported: 1_200,
      duplicates: 0,
      conflicts: 0,
      invalid: 2,
      sourceEnc: null,
    });
    expect(job.errors.map((e) => [e.line, e.reason])).toEqual([
      [1_202, 'ICCID check digit (Luhn) is wrong'],
      [1_203, 'IMSI does not belong to this network (PLMN 001/01)'],
    ]);
    const raw = await db.handle.db.execute(
      sql`select k_enc, opc_enc from core_network.sim_cards where imsi = ${sims[0]!.imsi}`,
    );
    const row = rowsOf<{ k_enc: Buffer; opc_enc: Buffer }>(raw)[0]!;
    expect(Buffer.from(row.k_enc).includes(Buffer.from(sims[0]!.k, 'hex'))).toBe(false);
    const secrets = await new SimSecretsService(repo, keys).secretsFor([
      sims[0]!.imsi,
      sims[1]!.imsi,
      '001019999999999',
    ]);
    expect([...secrets.keys()]).toEqual(expect.arrayContaining([sims[0]!.imsi, sims[1]!.imsi]));
    expect(secrets.size).toBe(2);
    expect(secrets.get(sims[0]!.imsi)?.k.toString('hex')).toBe(sims[0]!.k);
    expect(secrets.get(sims[1]!.imsi)?.opc.toString('hex')).toBe(sims[1]!.opc);
  });

  it('treats the same batch again as duplicates and a changed SIM as a conflict, writing nothing', async () => {
    const changed = { ...sims[5]!, k: 'ff'.repeat(16) };
    const stolenIccid = { ...fakeSim(9_000), iccid: sims[6]!.iccid };
    const job = await importCsv(imports, simCsv([sims[4]!, changed, stolenIccid]));
    expect(job).toMatchObject({ status: 'completed', imported: 0, duplicates: 1, conflicts: 2 });
    expect(job.errors).toEqual([
      {
        line: 3,
        imsi: changed.imsi,
        reason: 'conflict: this IMSI is already in the inventory with different data',
      },
      { line: 4, imsi: stolenIccid.imsi, reason: `conflict: ICCID already belongs to IMSI ${sims[6]!.imsi}` },
    ]);
    const secrets = await new SimSecretsService(repo, keys).secretsFor([changed.imsi]);
    expect(secrets.get(changed.imsi)?.k.toString('hex')).toBe(sims[5]!.k);
  });

  it('resumes an interrupted job after the last committed chunk', async () => {
    class Interrupted extends SimImportService {
      protected override async commitChunk(
        ...args: Parameters<SimImportService['commitChunk']>
      ): Promise<void> {
        await super.commitChunk(...args);
        void this.onModuleDestroy(); // the process "dies" after its first chunk
      }
    }
    const batch = Array.from({ length: 1_100 }, (_, i) => fakeSim(20_000 + i));
    const first = new Interrupted(db.handle, config, testLogger, repo, keys, audit);
    const started = await first.start(upload(simCsv(batch)), undefined, 'big.csv', operator, 'req-2');
    await first.settled(started.id);
    const halfway = (await repo.job(started.id))!;
    const chunk = IMPORT_CHUNK_ROWS[db.handle.mode];
    expect(halfway).toMatchObject({
      status: 'queued',
      imported: chunk,
      committedLines: chunk + 1,
      totalRows: 1_100,
    });
    const blocks = await db.handle.db.execute(
      sql`select count(*)::int as n from core_network.sim_import_blocks where job_id = ${started.id}`,
    );
    expect(rowsOf<{ n: number }>(blocks)[0]!.n).toBe(2); // 1,000 + 100 lines, kept sealed until the job ends

    const restarted = new SimImportService(db.handle, config, testLogger, repo, keys, audit);
    await restarted.onApplicationBootstrap();
    await restarted.settled(started.id);
    await restarted.onModuleDestroy();
    expect(await repo.job(started.id)).toMatchObject({
      status: 'completed',
      imported: 1_100,
      duplicates: 0,
      committedLines: 1_101,
    });
    const left = await db.handle.db.execute(
      sql`select count(*)::int as n from core_network.sim_import_blocks where job_id = ${started.id}`,
    );
    expect(rowsOf<{ n: number }>(left)[0]!.n).toBe(0);
  });

  it('refuses a file whose header is not a SIM batch, at once and without a job', async () => {
    const before = (await repo.listJobs(1_000)).length;
    const err = await refusal(
      imports.start(upload('name,phone\nalice,123\n'), undefined, 'x.csv', operator, null),
    );
    expect(err.code).toBe('invalid_sim_import');
    expect(err.message).toContain('The header row lacks: imsi');
    expect((await repo.listJobs(1_000)).length).toBe(before);
  });

  it('fails a bad row — NUL byte, control character, stray or unclosed quote, bad cell — and lands the good ones', async () => {
    const ok = Array.from({ length: 4 }, (_, i) => fakeSim(30_000 + i));
    const line = (s: ReturnType<typeof fakeSim>) => `${s.imsi},${s.iccid},${s.k},${s.opc}`;
    const bad = Array.from({ length: 5 }, (_, i) => fakeSim(30_100 + i));
    const csv = [
      'imsi,iccid,ki,opc',
      line(ok[0]!),
      `${bad[0]!.imsi},${bad[0]!.iccid}\u0000,${bad[0]!.k},${bad[0]!.opc}`,
      `${bad[1]!.imsi},${bad[1]!.iccid},${bad[1]!.k}\u001b,${bad[1]!.opc}`,
      `${bad[2]!.imsi},${bad[2]!.iccid},ab"cd,${bad[2]!.opc}`,
      `"${bad[3]!.imsi},${bad[3]!.iccid},${bad[3]!.k},${bad[3]!.opc}`,
      `"${ok[1]!.imsi}","${ok[1]!.iccid}",${ok[1]!.k},"${ok[1]!.opc}"`, // RFC 4180 quoting is fine
      `${bad[4]!.imsi},${bad[4]!.iccid},${bad[4]!.k.slice(2)},${bad[4]!.opc}`,
      `${line(ok[2]!)}\r`, // a CRLF line ending
      '# a comment line',
      line(ok[3]!),
    ].join('\n');
    const job = await importCsv(imports, csv);
    expect(job).toMatchObject({ status: 'completed', totalRows: 9, imported: 4, invalid: 5 });
    expect(job.errors).toEqual([
      { line: 3, reason: 'the line contains a control character (0x00)' },
      { line: 4, reason: 'the line contains a control character (0x1b)' },
      {
        line: 5,
        reason: 'stray quote in an unquoted field (quote the whole field, and write a quote as "")',
      },
      { line: 6, reason: 'a quoted field is not closed on its line' },
      { line: 8, reason: 'K must be 32 hex digits', imsi: bad[4]!.imsi },
    ]);
    const stored = await repo.existingByImsi(
      db.handle.db,
      [...ok, ...bad].map((s) => s.imsi),
    );
    expect(stored.map((s) => s.imsi).sort()).toEqual(ok.map((s) => s.imsi).sort());
  });
});

describe('SIM import limits, checked while the upload is read', () => {
  /** A (nearly) endless upload of valid rows, arriving as from a socket: what the reader pulled is counted. */
  function endless(): { stream: Readable; sent: () => number } {
    let sent = 0;
    let n = 0;
    const stream = new Readable({
      read() {
        if (sent > 50_000_000) return void this.push(null);
        const lines = n === 0 ? ['imsi,iccid,ki,opc'] : [];
        for (let i = 0; i < 500; i++) {
          const s = fakeSim(40_000 + (n++ % 50_000));
          lines.push(`${s.imsi},${s.iccid},${s.k},${s.opc}`);
        }
        const chunk = Buffer.from(`${lines.join('\n')}\n`);
        sent += chunk.length;
        setImmediate(() => this.push(chunk));
      },
    });
    return { stream, sent: () => sent };
  }

  it('refuses more rows than SIM_IMPORT_MAX_ROWS with a 413 that names the limit, reading little beyond it', async () => {
    const limited = new SimImportService(
      db.handle,
      { ...config, simImportMaxRows: 2_000 },
      testLogger,
      repo,
      keys,
      audit,
    );
    const { stream, sent } = endless();
    const err = await refusal(limited.start(stream, undefined, 'big.csv', operator, null));
    expect(err.code).toBe('sim_import_too_large');
    expect(err.message).toContain('more than 2000 SIM rows (SIM_IMPORT_MAX_ROWS)');
    // ~2,000 rows of ~90 bytes, plus the stream's read-ahead: far from the 50 MB the sender would go on with.
    expect(sent()).toBeLessThan(1_000_000);
    stream.destroy();
  });

  it('refuses more bytes than SIM_IMPORT_MAX_BYTES while reading, and at once when Content-Length says so', async () => {
    const limited = new SimImportService(
      db.handle,
      { ...config, simImportMaxBytes: 100_000 },
      testLogger,
      repo,
      keys,
      audit,
    );
    const { stream, sent } = endless();
    const err = await refusal(limited.start(stream, undefined, 'big.csv', operator, null));
    expect(err.code).toBe('sim_import_too_large');
    expect(err.message).toContain('larger than 100000 bytes (SIM_IMPORT_MAX_BYTES)');
    expect(sent()).toBeLessThan(1_000_000);
    stream.destroy();
    const untouched = endless();
    await expect(limited.start(untouched.stream, 5_000_000, 'big.csv', operator, null)).rejects.toMatchObject(
      {
        code: 'sim_import_too_large',
      },
    );
    expect(untouched.sent()).toBe(0);
  });

  it('refuses a line longer than the line limit with a 400 naming the line, and leaves no stored block', async () => {
    const csv = Buffer.concat([Buffer.from('imsi,iccid,ki,opc\n'), Buffer.alloc(2 * 1024 * 1024, 0x61)]);
    const err = await refusal(imports.start(upload(csv), undefined, 'x.csv', operator, null));
    expect(err.code).toBe('invalid_sim_import');
    expect(err.message).toContain('Line 2 is longer than 1024 bytes');
    const rows = await db.handle.db.execute(
      sql`select count(*)::int as n from core_network.sim_import_blocks b where not exists (select 1 from core_network.sim_import_jobs j where j.id = b.job_id)`,
    );
    expect(rowsOf<{ n: number }>(rows)[0]!.n).toBe(0);
  });
});

describe('SIM import jobs that fail', () => {
  it('fails a job at once, with the reason, when its worker thread dies — it does not stay running', async () => {
    class CrashingWorkers extends SimImportService {
      protected override createPool() {
        return new WorkerPool<SimBlockTask, SimBlockResult>(import.meta.url, '../support/crashing.worker', {
          name: 'sim-import',
          size: 1,
        });
      }
    }
    const service = new CrashingWorkers(db.handle, config, testLogger, repo, keys, audit);
    const started = await service.start(
      upload(simCsv([fakeSim(60_001)])),
      undefined,
      'x.csv',
      operator,
      null,
    );
    await service.settled(started.id);
    await service.onModuleDestroy();
    const job = (await repo.job(started.id))!;
    expect(job.status).toBe('failed');
    expect(job.failure).toMatch(
      /a sim-import worker thread stopped: exit code 3 .* after 0 of 1 rows; upload the file again/,
    );
    expect(job.finishedAt).not.toBeNull();
  });

  it('gives up on a job after a bounded number of failed runs instead of retrying it at every start', async () => {
    const started = await imports.start(
      upload(simCsv([fakeSim(60_002)])),
      undefined,
      'x.csv',
      operator,
      null,
    );
    await imports.settled(started.id);
    // As if the process had crashed in the middle of this job's third run.
    await repo.updateJob(db.handle.db, started.id, {
      status: 'running',
      attempts: 2,
      failure: 'interrupted (error id e-1)',
      finishedAt: null,
    });
    const restarted = new SimImportService(db.handle, config, testLogger, repo, keys, audit);
    await restarted.onApplicationBootstrap();
    await restarted.settled(started.id);
    await restarted.onModuleDestroy();
    expect(await repo.job(started.id)).toMatchObject({
      status: 'failed',
      failure: 'stopped after 3 failed attempts; the last: interrupted (error id e-1)',
    });
  });
});

const kekFile = async () =>
  JSON.parse(await readFile(config.kekFile, 'utf8')) as {
    active: string;
    keys: Record<string, string>;
    macKey: string;
  };

describe('key-encryption key', () => {
  it('rotates: every data key is re-wrapped under the new KEK and secrets still open', async () => {
    const before = await kekFile();
    const result = await keys.rotate(operator.actor, 'req-3');
    const after = await kekFile();
    expect(Object.keys(after.keys)).toEqual([result.kekId]);
    expect(after.active).toBe(result.kekId);
    expect(result.kekId).not.toBe(before.active);
    // The fingerprint key survives rotations: stored fingerprints still match.
    expect(after.macKey).toBe(before.macKey);
    const kekIds = await db.handle.db.execute(sql`select distinct kek_id from core_network.data_keys`);
    expect(rowsOf<{ kek_id: string }>(kekIds)).toEqual([{ kek_id: result.kekId }]);
    const fresh = await fx.openDataKeys();
    const secrets = await new SimSecretsService(repo, fresh).secretsFor(['001010000000001']);
    expect(secrets.get('001010000000001')?.k).toHaveLength(16);
  });

  it('stays decryptable when two nodes share the KEK file and both rotate and import', async () => {
    const nodeA: DataKeyService = await fx.openDataKeys();
    const nodeB: DataKeyService = await fx.openDataKeys();
    await nodeA.rotate(operator.actor, null); // B still holds the previous keyring in memory
    const importedOnB = await nodeB.create('sim-import');
    await nodeB.rotate(operator.actor, null);
    const rows = rowsOf<{ n: number }>(
      await db.handle.db.execute(sql`select count(distinct kek_id)::int as n from core_network.data_keys`),
    );
    expect(rows[0]?.n).toBe(1);
    const fresh = await fx.openDataKeys();
    expect(await fresh.get(importedOnB.id)).toEqual(importedOnB.key);
    const secrets = await new SimSecretsService(repo, fresh).secretsFor(['001010000000001']);
    expect(secrets.get('001010000000001')?.opc).toHaveLength(16);
  });

  it('refuses to start with a lost KEK file while wrapped data keys exist', async () => {
    const missing = path.join(dir, 'missing', 'kek.json');
    const lost = () =>
      openSimDataKeys({
        database: db.handle,
        keys: fx.keyService,
        config: { kekFile: missing },
        audit,
        logger: testLogger,
      });
    await expect(lost()).rejects.toThrow(KeyError);
    await expect(lost()).rejects.toThrow(
      `The key ${missing} is missing, but the database holds SIM secrets (data keys wrapped by this KEK) sealed under it. Restore it from your key backup (or set PAKAWAAZ_KEK_FILE to where it is)`,
    );
  });
});

describe('subscribers', () => {
  let service: SubscribersService;
  let profiles: SubscriberProfilesService;
  let bus: InProcessEventBus;

  beforeAll(async () => {
    bus = new InProcessEventBus(testLogger, {
      deadLetters: new DeadLetterStore(db.handle.db, new Metrics(), testLogger),
    });
    const directory = new MemoryOfficialDirectory();
    for (const u of ['u', 'u-10', 'u-11', 'u-12']) directory.add({ userId: u, username: u });
    const officials = new Officials();
    officials.bind(directory);
    service = new SubscribersService(
      new SubscribersRepository(db.handle),
      repo,
      audit,
      officials,
      bus,
      testLogger,
      new NetworkSpecRepository(db.handle),
    );
    profiles = new SubscriberProfilesService(
      new SubscribersRepository(db.handle),
      audit,
      new NetworkSpecRepository(db.handle),
    );
    await profiles.onApplicationBootstrap();
  });
  afterAll(() => bus.close());

  it('assigns an available SIM once, with the default profile', async () => {
    const s = await service.assign({ imsi: '001010000000010', official: 'u-10' }, ctx);
    expect(s).toMatchObject({ profileName: 'default', status: 'active', version: 1, syncedVersion: 0 });
    expect((await repo.existingByImsi(db.handle.db, ['001010000000010']))[0]?.status).toBe('assigned');
    await expect(service.assign({ imsi: '001010000000010', official: 'u-11' }, ctx)).rejects.toMatchObject({
      code: 'subscriber_exists',
    });
    await expect(service.assign({ imsi: '001019999999999', official: 'u' }, ctx)).rejects.toMatchObject({
      code: 'sim_not_found',
    });
    await expect(
      service.assign({ imsi: '001010000000011', official: 'u', profile: 'nope' }, ctx),
    ).rejects.toMatchObject({ code: 'profile_not_found' });
  });

  it('bars and unbars with a reason, bumping the version for Open5GS sync and publishing an event', async () => {
    const seen: unknown[] = [];
    await bus.subscribe('test-barred', 'core-network.subscriber.barred', (e) => {
      seen.push(e.data);
      return Promise.resolve();
    });
    const barred = await service.bar('001010000000010', 'lost on travel', ctx);
    expect(barred).toMatchObject({
      status: 'barred',
      barringReason: 'lost on travel',
      barredBy: 'operator:op-1',
      version: 2,
    });
    await expect
      .poll(() => seen)
      .toEqual([{ imsi: '001010000000010', userId: 'u-10', reason: 'lost on travel' }]);
    expect(await service.unbar('001010000000010', 'found', ctx)).toMatchObject({
      status: 'active',
      barringReason: null,
      version: 3,
    });
  });

  it('bars the SIM of a handset that device management reports lost', async () => {
    await service.assign({ imsi: '001010000000012', official: 'u-12' }, ctx);
    const listener = new DeviceEventsListener(bus, db.handle, service);
    await listener.onApplicationBootstrap();
    // A handset of another official naming this SIM bars nothing.
    const foreign = newEvent('device-mgmt.device.lost', 'device-mgmt', {
      imsi: '001010000000012',
      deviceId: 'dev-6',
      userId: 'u-11',
    });
    await bus.publish(foreign);
    const event = newEvent('device-mgmt.device.lost', 'device-mgmt', {
      imsi: '001010000000012',
      deviceId: 'dev-7',
      userId: 'u-12',
    });
    await Promise.all([bus.publish(event), bus.publish(event)]); // a redelivery racing the original: barred once
    await expect
      .poll(async () => (await new SubscribersRepository(db.handle).find('001010000000012'))?.status)
      .toBe('barred');
    const row = await new SubscribersRepository(db.handle).find('001010000000012');
    expect(row).toMatchObject({
      barringReason: 'handset reported lost (device dev-7)',
      barredBy: 'system:device-compliance',
      version: 2,
    });
    const barrings = await audit.page({ limit: 50, action: 'core-network.subscriber.barred' });
    expect(barrings.entries.filter((e) => e.target === 'imsi:001010000000012')).toHaveLength(1);
    await listener.onModuleDestroy();
  });

  it('dead-letters a device event without a valid IMSI instead of acting on it', async () => {
    const listener = new DeviceEventsListener(bus, db.handle, service);
    await listener.onApplicationBootstrap();
    const bad = newEvent('device-mgmt.device.non-compliant', 'device-mgmt', {
      imsi: '0010100000000',
      deviceId: 'dev-8',
      userId: 'u-8',
    });
    await bus.publish(bad);
    const letters = async () =>
      rowsOf<{ consumer: string; kind: string; reason: string }>(
        await db.handle.db.execute(
          sql`select consumer, kind, reason from platform.dead_letters where event_id = ${bad.id}`,
        ),
      ).map(({ reason, ...l }) => ({ ...l, namesImsi: reason.includes('data.imsi') }));
    await expect.poll(letters).toEqual([
      {
        consumer: 'core-network.device-barring',
        kind: 'invalid-payload',
        namesImsi: true,
      },
    ]);
    const receipts = await db.handle.db.execute(
      sql`select 1 from platform.event_receipts where event_id = ${bad.id}`,
    );
    expect(rowsOf(receipts)).toEqual([]);
    await listener.onModuleDestroy();
  });

  it('unassigns: the SIM returns to the inventory and a deletion is queued for Open5GS', async () => {
    await service.unassign('001010000000012', ctx);
    expect((await repo.existingByImsi(db.handle.db, ['001010000000012']))[0]?.status).toBe('available');
    const q = await db.handle.db.execute(sql`select imsi from core_network.subscriber_deletions`);
    expect(rowsOf<{ imsi: string }>(q)).toEqual([{ imsi: '001010000000012' }]);
  });

  it('validates profiles and protects the default and profiles in use', async () => {
    // Profiles are the network administrator's, checked in the service (not only by the route's guard).
    await expect(profiles.remove('default', ctx)).rejects.toMatchObject({ code: 'forbidden' });
    const admin = { ...ctx, principal: { ...operator, roles: ['network-admin' as const] } };
    await expect(profiles.save('bad', '', { ambr: {}, slices: [] }, admin)).rejects.toMatchObject({
      code: 'invalid_profile',
    });
    await expect(profiles.remove('default', admin)).rejects.toMatchObject({ code: 'profile_in_use' });
    const v = (await new SubscribersRepository(db.handle).find('001010000000010'))!.version;
    const profile = {
      ambr: { downlink: { value: 50, unit: 'Mbps' }, uplink: { value: 10, unit: 'Mbps' } },
      slices: [
        {
          sst: 1,
          default: true,
          sessions: [
            {
              dnn: 'internet',
              ambr: { downlink: { value: 50, unit: 'Mbps' }, uplink: { value: 10, unit: 'Mbps' } },
            },
          ],
        },
      ],
    };
    await profiles.save('default', 'slower', profile, admin);
    expect((await new SubscribersRepository(db.handle).find('001010000000010'))!.version).toBe(v + 1);
    const verify = await audit.verification();
    expect(verify.ok).toBe(true);
  });
});
