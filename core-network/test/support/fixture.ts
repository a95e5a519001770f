import { Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditService, FileKeyBackend, InProcessEventBus, KeyService } from '@pakawaaz/platform';
import {
  createTestDatabase,
  type fakeSim,
  operatorPrincipal,
  simCsv,
  type TestDatabase,
  testLogger,
} from '@pakawaaz/test-support';
import { CORE_NETWORK_TEST_DOMAINS } from './domains.js';
import type { CoreNetworkConfig } from '../../src/core-network.config.js';
import { openSimDataKeys } from '../../src/crypto/sim-keys.js';
import { networkSpecs } from '../../src/network-spec/network-specs.schema.js';
import { SimImportService } from '../../src/sim-inventory/sim-import.service.js';
import { SimInventoryRepository } from '../../src/sim-inventory/sim-inventory.repository.js';
import { SimSecretsService } from '../../src/sim-inventory/sim-secrets.service.js';
import { SubscribersRepository } from '../../src/subscribers/subscribers.repository.js';
import { NetworkSpecRepository } from '../../src/network-spec/network-spec.repository.js';
import { SubscriberProfilesService } from '../../src/subscribers/subscriber-profiles.service.js';
import { SubscribersService } from '../../src/subscribers/subscribers.service.js';
import { Officials } from '../../src/subscribers/officials.js';
import { MemoryOfficialDirectory } from './memory-officials.js';

// Named 'op', as the audit and export tests read it (`by: { name: 'op' }`).
export const testOperator = { ...operatorPrincipal('op-1', ['super-admin']), name: 'op' };

/** An upload as the controller hands it over: a stream of the request body, here in 64 KiB chunks. */
export function upload(csv: string | Buffer, chunkBytes = 64 * 1024): Readable {
  const bytes = Buffer.isBuffer(csv) ? csv : Buffer.from(csv, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkBytes) chunks.push(bytes.subarray(i, i + chunkBytes));
  return Readable.from(chunks);
}

export type CoreNetworkFixture = Awaited<ReturnType<typeof coreNetworkFixture>>;

/**
 * The core-network services on a fresh test database (PostgreSQL, or PGlite as a fallback), wired by hand the
 * way Nest wires them, with a KEK file in a temp folder and a network spec on PLMN 001/01.
 */
export async function coreNetworkFixture(overrides: Partial<CoreNetworkConfig> = {}) {
  const db: TestDatabase = await createTestDatabase(CORE_NETWORK_TEST_DOMAINS);
  const dir = await mkdtemp(path.join(tmpdir(), 'pkz-cn-'));
  const config: CoreNetworkConfig = {
    kekFile: path.join(dir, 'kek.json'),
    open5gsMongoUrl: undefined,
    open5gsSyncIntervalMs: 3_600_000,
    simImportMaxBytes: 16 * 1024 * 1024,
    simImportMaxRows: 100_000,
    seedDemo: false,
    monitor: 'off',
    ...overrides,
  };
  const audit = new AuditService(db.handle);
  const keyService = new KeyService(new FileKeyBackend(), testLogger);
  /** A DataKeyService as another node (or a restart) would open it: its own key backend, same files and database. */
  const openDataKeys = () =>
    openSimDataKeys({
      database: db.handle,
      keys: new KeyService(new FileKeyBackend(), testLogger),
      config,
      audit,
      logger: testLogger,
    });
  const keys = await openSimDataKeys({
    database: db.handle,
    keys: keyService,
    config,
    audit,
    logger: testLogger,
  });
  const repo = new SimInventoryRepository(db.handle);
  const imports = new SimImportService(db.handle, config, testLogger, repo, keys, audit);
  const bus = new InProcessEventBus(testLogger);
  const subscribersRepo = new SubscribersRepository(db.handle);
  const directory = new MemoryOfficialDirectory();
  const officials = new Officials();
  officials.bind(directory);
  const subscribers = new SubscribersService(
    subscribersRepo,
    repo,
    audit,
    officials,
    bus,
    testLogger,
    new NetworkSpecRepository(db.handle),
  );
  const profiles = new SubscriberProfilesService(
    subscribersRepo,
    audit,
    new NetworkSpecRepository(db.handle),
  );
  await profiles.onApplicationBootstrap();
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
    keyService,
    openDataKeys,
    repo,
    imports,
    bus,
    subscribersRepo,
    subscribers,
    profiles,
    /** The people identity would know: add officials before assigning SIMs to them. */
    directory,
    officials,
    secrets: () => new SimSecretsService(repo, keys),
    /** Imports SIMs and waits for the job to finish. */
    async importSims(sims: ReturnType<typeof fakeSim>[], extraLines: string[] = []) {
      const job = await imports.start(
        upload(simCsv(sims, extraLines)),
        undefined,
        'batch.csv',
        testOperator,
        'req',
      );
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
