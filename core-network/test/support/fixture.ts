import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditService, InProcessEventBus, NATIONAL_SCOPE, type Principal } from '@pakawaaz/platform';
import {
  createTestDatabase,
  testLogger,
  type TestDatabase,
} from '../../../platform/test/support/database.js';
import { ALL_DOMAINS } from '../../../server/src/domains.js';
import type { CoreNetworkConfig } from '../../src/core-network.config.js';
import { DataKeyService } from '../../src/crypto/data-key.service.js';
import { networkSpecs } from '../../src/network-spec/network-specs.schema.js';
import { SimImportService } from '../../src/sim-inventory/sim-import.service.js';
import { SimInventoryRepository } from '../../src/sim-inventory/sim-inventory.repository.js';
import { SimSecretsService } from '../../src/sim-inventory/sim-secrets.service.js';
import { SubscribersRepository } from '../../src/subscribers/subscribers.repository.js';
import { SubscribersService } from '../../src/subscribers/subscribers.service.js';
import { simCsv, type fakeSim } from './sims.js';

export const testOperator: Principal = {
  actor: { type: 'operator', id: 'op-1' },
  name: 'op',
  roles: ['super-admin'],
  institutionId: null,
  scope: NATIONAL_SCOPE,
  amr: ['pwd'],
  acr: 'aal1',
  tokenId: 't',
};

export type CoreNetworkFixture = Awaited<ReturnType<typeof coreNetworkFixture>>;

/**
 * The core-network services on a fresh test database (PostgreSQL, or PGlite as a fallback), wired by hand the
 * way Nest wires them, with a KEK file in a temp folder and a network spec on PLMN 001/01.
 */
export async function coreNetworkFixture(overrides: Partial<CoreNetworkConfig> = {}) {
  const db: TestDatabase = await createTestDatabase(ALL_DOMAINS);
  const dir = await mkdtemp(path.join(tmpdir(), 'pkz-cn-'));
  const config: CoreNetworkConfig = {
    kekFile: path.join(dir, 'kek.json'),
    open5gsMongoUrl: undefined,
    open5gsSyncIntervalMs: 3_600_000,
    simImportMaxBytes: 32 * 1024 * 1024,
    seedDemo: false,
    monitor: 'off',
    ...overrides,
  };
  const audit = new AuditService(db.handle);
  const keys = new DataKeyService(db.handle, config, testLogger, audit);
  await keys.onModuleInit();
  const repo = new SimInventoryRepository(db.handle);
  const imports = new SimImportService(db.handle, config, testLogger, repo, keys, audit);
  const bus = new InProcessEventBus(testLogger);
  const subscribersRepo = new SubscribersRepository(db.handle);
  const subscribers = new SubscribersService(subscribersRepo, repo, audit, bus, testLogger);
  await subscribers.onApplicationBootstrap();
  await db.handle.db.insert(networkSpecs).values({
    version: 1,
    spec: { plmn: { mcc: '001', mnc: '01' } },
    sourceYaml: '',
    sha256: '',
    appliedBy: 'test',
  });
  return {
    db,
    dir,
    config,
    audit,
    keys,
    repo,
    imports,
    bus,
    subscribersRepo,
    subscribers,
    secrets: () => new SimSecretsService(repo, keys),
    /** Imports SIMs and waits for the job to finish. */
    async importSims(sims: ReturnType<typeof fakeSim>[], extraLines: string[] = []) {
      const job = await imports.start(simCsv(sims, extraLines), 'batch.csv', testOperator, 'req');
      await imports.settled(job.id);
      return (await repo.job(job.id))!;
    },
    async close() {
      await imports.onModuleDestroy();
      await bus.close();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
