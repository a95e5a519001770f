import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditService, InProcessEventBus, type Principal } from '@pakawaaz/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  testLogger,
  type TestDatabase,
} from '../../../platform/test/support/database.js';
import { ALL_DOMAINS } from '../../../server/src/domains.js';
import { DataKeyService } from '../../src/crypto/data-key.service.js';
import {
  freshUsimState,
  IND_COUNT,
  PAKAWAAZ_IND,
  seqIndFromSqn,
  verifyAutn,
  type UsimSqnState,
} from '../../src/milenage/aka.js';
import { AkaVectorService } from '../../src/milenage/aka-vector.service.js';
import { networkSpecs } from '../../src/network-spec/network-specs.schema.js';
import { SimImportService } from '../../src/sim-inventory/sim-import.service.js';
import { SimInventoryRepository } from '../../src/sim-inventory/sim-inventory.repository.js';
import { SimSecretsService } from '../../src/sim-inventory/sim-secrets.service.js';
import { SubscribersRepository } from '../../src/subscribers/subscribers.repository.js';
import { SubscribersService } from '../../src/subscribers/subscribers.service.js';
import { fakeSim, simCsv } from '../support/sims.js';

const op: Principal = {
  actor: { type: 'operator', id: 'op' },
  name: 'op',
  roles: ['super-admin'],
  institutionId: null,
  amr: ['pwd'],
  acr: 'aal1',
  tokenId: 't',
};
const ctx = { actor: op.actor, requestId: null };
const sim = fakeSim(42);
const usimKeys = { k: Buffer.from(sim.k, 'hex'), opc: Buffer.from(sim.opc, 'hex') };

let db: TestDatabase;
let dir: string;
let vectors: AkaVectorService;
let subscribers: SubscribersService;

beforeAll(async () => {
  db = await createTestDatabase(ALL_DOMAINS);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-aka-'));
  const config = {
    kekFile: path.join(dir, 'kek.json'),
    open5gsMongoUrl: undefined,
    open5gsSyncIntervalMs: 30_000,
    simImportMaxBytes: 1e6,
    seedDemo: false,
    monitor: 'off' as const,
  };
  const audit = new AuditService(db.handle);
  const keys = new DataKeyService(db.handle, config, testLogger, audit);
  await keys.onModuleInit();
  const repo = new SimInventoryRepository(db.handle);
  await db.handle.db.insert(networkSpecs).values({
    version: 1,
    spec: { plmn: { mcc: '001', mnc: '01' } },
    sourceYaml: '',
    sha256: '',
    appliedBy: 't',
  });
  const imports = new SimImportService(db.handle, config, testLogger, repo, keys, audit);
  const job = await imports.start(simCsv([sim, fakeSim(43)]), 's.csv', op, null);
  await imports.settled(job.id);
  const subsRepo = new SubscribersRepository(db.handle);
  subscribers = new SubscribersService(subsRepo, repo, audit, new InProcessEventBus(testLogger), testLogger);
  await subscribers.onApplicationBootstrap();
  await subscribers.assign({ imsi: sim.imsi, userId: 'u', displayName: 'U' }, ctx);
  vectors = new AkaVectorService(repo, subsRepo, new SimSecretsService(repo, keys));
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('AKA vectors from the SIM inventory', () => {
  let usim: UsimSqnState = freshUsimState();

  it('produces vectors the USIM accepts, with increasing SEQ in Pakawaaz’s own IND slot', async () => {
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const v = (await vectors.vector(sim.imsi))!;
      const r = verifyAutn({ ...usimKeys, rand: v.rand, autn: v.autn, usim });
      if (!r.ok) throw new Error(`USIM rejected the vector: ${r.reason}`);
      expect(r.res).toEqual(v.xres);
      expect([r.ck, r.ik]).toEqual([v.ck, v.ik]);
      const { seq, ind } = seqIndFromSqn(r.sqn);
      expect(ind).toBe(PAKAWAAZ_IND);
      seqs.push(seq);
      usim = r.usim;
    }
    expect(seqs).toEqual([1, 2, 3]);
  });

  it('answers null alike for an unknown IMSI, an unassigned SIM, a barred subscriber and garbage', async () => {
    expect(await vectors.vector('001019999999999')).toBeNull();
    expect(await vectors.vector(fakeSim(43).imsi)).toBeNull();
    expect(await vectors.vector('not-an-imsi')).toBeNull();
    await subscribers.bar(sim.imsi, 'test barring', ctx);
    expect(await vectors.vector(sim.imsi)).toBeNull();
    await subscribers.unbar(sim.imsi, 'test done', ctx);
  });

  it('re-synchronises from a USIM that is ahead (AUTS) and then authenticates', async () => {
    // The USIM has seen a much higher SEQ in our slot (e.g. a restored backup of the inventory).
    const ahead: UsimSqnState = {
      accepted: usim.accepted.map((a, i) => (i === PAKAWAAZ_IND ? 5_000 * IND_COUNT + PAKAWAAZ_IND : a)),
    };
    const stale = (await vectors.vector(sim.imsi))!;
    const r = verifyAutn({ ...usimKeys, rand: stale.rand, autn: stale.autn, usim: ahead });
    expect(r).toMatchObject({ ok: false, reason: 'sync_failure' });
    if (r.ok || r.reason !== 'sync_failure') return;
    const forged = Buffer.from(r.auts);
    forged[13]! ^= 1;
    expect(await vectors.resynchronise(sim.imsi, stale.rand, forged)).toBe(false);
    expect(await vectors.resynchronise(sim.imsi, stale.rand, r.auts)).toBe(true);
    const next = (await vectors.vector(sim.imsi))!;
    const accepted = verifyAutn({ ...usimKeys, rand: next.rand, autn: next.autn, usim: ahead });
    expect(accepted.ok).toBe(true);
    if (accepted.ok) expect(seqIndFromSqn(accepted.sqn).seq).toBe(5_001);
  });
});
