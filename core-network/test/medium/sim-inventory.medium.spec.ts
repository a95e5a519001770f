import path from 'node:path';
import {
  AuditService,
  InProcessEventBus,
  NATIONAL_SCOPE,
  newEvent,
  rowsOf,
  sql,
  type Principal,
} from '@pakawaaz/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../../../platform/test/support/database.js';
import type { CoreNetworkConfig } from '../../src/core-network.config.js';
import { DataKeyService } from '../../src/crypto/data-key.service.js';
import { KeyringError, readKeyring } from '../../src/crypto/keyring.js';
import { SimImportService } from '../../src/sim-inventory/sim-import.service.js';
import {
  SimInventoryRepository,
  type SimImportJobRow,
} from '../../src/sim-inventory/sim-inventory.repository.js';
import { SimSecretsService } from '../../src/sim-inventory/sim-secrets.service.js';
import { DeviceEventsListener } from '../../src/subscribers/device-events.listener.js';
import { SubscribersRepository } from '../../src/subscribers/subscribers.repository.js';
import { SubscribersService } from '../../src/subscribers/subscribers.service.js';
import { coreNetworkFixture, type CoreNetworkFixture } from '../support/fixture.js';
import { fakeSim, simCsv } from '../support/sims.js';

const operator: Principal = {
  actor: { type: 'operator', id: 'op-1' },
  name: 'op',
  roles: ['sim-operator'],
  institutionId: null,
  scope: NATIONAL_SCOPE,
  amr: ['pwd'],
  acr: 'aal1',
  tokenId: 't',
};
const ctx = { principal: operator, requestId: 'req-1' };

let fx: CoreNetworkFixture;
let db: CoreNetworkFixture['db'];
let dir: string;
let config: CoreNetworkConfig;
let keys: DataKeyService;
let repo: SimInventoryRepository;
let imports: SimImportService;
let audit: AuditService;

async function importCsv(service: SimImportService, csv: string): Promise<SimImportJobRow> {
  const job = await service.start(csv, 'batch.csv', operator, 'req-1');
  await service.settled(job.id);
  return (await repo.job(job.id))!;
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
    const started = await first.start(simCsv(batch), 'big.csv', operator, 'req-2');
    await first.settled(started.id);
    const halfway = (await repo.job(started.id))!;
    expect(halfway).toMatchObject({ status: 'running', imported: 500, committedLines: 501 });
    expect(halfway.sourceEnc).not.toBeNull();

    const restarted = new SimImportService(db.handle, config, testLogger, repo, keys, audit);
    await restarted.onApplicationBootstrap();
    await restarted.settled(started.id);
    expect(await repo.job(started.id)).toMatchObject({
      status: 'completed',
      imported: 1_100,
      duplicates: 0,
      committedLines: 1_101,
    });
  });

  it('fails a job whose file is not a SIM batch, with the reason', async () => {
    const job = await importCsv(imports, 'name,phone\nalice,123\n');
    expect(job.status).toBe('failed');
    expect(job.failure).toContain('The header row lacks: imsi');
  });
});

describe('key-encryption key', () => {
  it('rotates: every data key is re-wrapped under the new KEK and secrets still open', async () => {
    const before = (await readKeyring(config.kekFile))!;
    const result = await keys.rotate(operator.actor, 'req-3');
    const after = (await readKeyring(config.kekFile))!;
    expect(after.ids()).toEqual([result.kekId]);
    expect(result.kekId).not.toBe(before.activeId);
    const kekIds = await db.handle.db.execute(sql`select distinct kek_id from core_network.data_keys`);
    expect(rowsOf<{ kek_id: string }>(kekIds)).toEqual([{ kek_id: result.kekId }]);
    const fresh = new DataKeyService(db.handle, config, testLogger, audit);
    await fresh.onModuleInit();
    const secrets = await new SimSecretsService(repo, fresh).secretsFor(['001010000000001']);
    expect(secrets.get('001010000000001')?.k).toHaveLength(16);
  });

  it('stays decryptable when two nodes share the KEK file and both rotate and import', async () => {
    const nodeA = new DataKeyService(db.handle, config, testLogger, audit);
    const nodeB = new DataKeyService(db.handle, config, testLogger, audit);
    await nodeA.onModuleInit();
    await nodeB.onModuleInit();
    await nodeA.rotate(operator.actor, null); // B still holds the previous keyring in memory
    const importedOnB = await nodeB.create('sim-import');
    await nodeB.rotate(operator.actor, null);
    const rows = rowsOf<{ n: number }>(
      await db.handle.db.execute(sql`select count(distinct kek_id)::int as n from core_network.data_keys`),
    );
    expect(rows[0]?.n).toBe(1);
    const fresh = new DataKeyService(db.handle, config, testLogger, audit);
    await fresh.onModuleInit();
    expect(await fresh.get(importedOnB.id)).toEqual(importedOnB.key);
    const secrets = await new SimSecretsService(repo, fresh).secretsFor(['001010000000001']);
    expect(secrets.get('001010000000001')?.opc).toHaveLength(16);
  });

  it('refuses to start with a lost KEK file while wrapped data keys exist', async () => {
    const lost = new DataKeyService(
      db.handle,
      { ...config, kekFile: path.join(dir, 'missing', 'kek.json') },
      testLogger,
      audit,
    );
    await expect(lost.onModuleInit()).rejects.toThrow(KeyringError);
    await expect(lost.onModuleInit()).rejects.toThrow(
      /is missing, but the database holds SIM secrets wrapped under it/,
    );
  });
});

describe('subscribers', () => {
  let service: SubscribersService;
  let bus: InProcessEventBus;

  beforeAll(async () => {
    bus = new InProcessEventBus(testLogger);
    service = new SubscribersService(new SubscribersRepository(db.handle), repo, audit, bus, testLogger);
    await service.onApplicationBootstrap();
  });
  afterAll(() => bus.close());

  it('assigns an available SIM once, with the default profile', async () => {
    const s = await service.assign(
      { imsi: '001010000000010', userId: 'u-10', displayName: 'Secretary Ten' },
      ctx,
    );
    expect(s).toMatchObject({ profileName: 'default', status: 'active', version: 1, syncedVersion: 0 });
    expect((await repo.existingByImsi(db.handle.db, ['001010000000010']))[0]?.status).toBe('assigned');
    await expect(
      service.assign({ imsi: '001010000000010', userId: 'u-11', displayName: 'X' }, ctx),
    ).rejects.toMatchObject({ code: 'subscriber_exists' });
    await expect(
      service.assign({ imsi: '001019999999999', userId: 'u', displayName: 'X' }, ctx),
    ).rejects.toMatchObject({ code: 'sim_not_found' });
    await expect(
      service.assign({ imsi: '001010000000011', userId: 'u', displayName: 'X', profile: 'nope' }, ctx),
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
    await service.assign({ imsi: '001010000000012', userId: 'u-12', displayName: 'Twelve' }, ctx);
    const listener = new DeviceEventsListener(bus, db.handle, testLogger, service);
    await listener.onApplicationBootstrap();
    const event = newEvent('device-mgmt.device.lost', 'device-mgmt', {
      imsi: '001010000000012',
      deviceId: 'dev-7',
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

  it('unassigns: the SIM returns to the inventory and a deletion is queued for Open5GS', async () => {
    await service.unassign('001010000000012', ctx);
    expect((await repo.existingByImsi(db.handle.db, ['001010000000012']))[0]?.status).toBe('available');
    const q = await db.handle.db.execute(sql`select imsi from core_network.subscriber_deletions`);
    expect(rowsOf<{ imsi: string }>(q)).toEqual([{ imsi: '001010000000012' }]);
  });

  it('validates profiles and protects the default and profiles in use', async () => {
    await expect(service.saveProfile('bad', '', { ambr: {}, slices: [] }, ctx)).rejects.toMatchObject({
      code: 'invalid_profile',
    });
    await expect(service.deleteProfile('default', ctx)).rejects.toMatchObject({ code: 'profile_in_use' });
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
    await service.saveProfile('default', 'slower', profile, ctx);
    expect((await new SubscribersRepository(db.handle).find('001010000000010'))!.version).toBe(v + 1);
    const verify = await audit.verification();
    expect(verify.ok).toBe(true);
  });
});
