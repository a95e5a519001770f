import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  AuditService,
  createLogger,
  FileKeyBackend,
  KeyService,
  migrateDomains,
  NATIONAL_SCOPE,
  openDatabase,
  platformDomain,
  sql,
  type DatabaseHandle,
} from '@pakawaaz/platform';
import pg from 'pg';
import { coreNetworkDomain } from '../core-network.domain.js';
import { openSimDataKeys } from '../crypto/sim-keys.js';
import { networkSpecs } from '../network-spec/network-specs.schema.js';
import { SimImportService } from '../sim-inventory/sim-import.service.js';
import { luhnCheckDigit } from '../sim-inventory/sim-csv.js';
import { SimInventoryRepository } from '../sim-inventory/sim-inventory.repository.js';

const iccid = (body: string) => body + luhnCheckDigit(body);

const ROWS = 10_000;
const TARGET_MS = 5_000;
const logger = createLogger({ level: 'silent' });

function vendorBatch(n: number): string {
  const lines = ['imsi,iccid,ki,opc'];
  for (let i = 1; i <= n; i++)
    lines.push(
      `00101${String(i).padStart(10, '0')},${iccid(`8992001${String(i).padStart(11, '0')}`)},${randomBytes(16).toString('hex')},${randomBytes(16).toString('hex')}`,
    );
  return `${lines.join('\n')}\n`;
}

/** Baseline on the same database: the same number of rows inserted plainly (no parsing, validation or crypto). */
async function plainInsert(handle: DatabaseHandle, n: number): Promise<number> {
  await handle.db.execute(
    sql`create table if not exists bench_plain (imsi text primary key, iccid text, k bytea, opc bytea)`,
  );
  const t = performance.now();
  for (let i = 0; i < n; i += 500) {
    const values = Array.from(
      { length: Math.min(500, n - i) },
      (_, j) => sql`(${String(i + j)}, ${String(i + j)}, ${randomBytes(44)}, ${randomBytes(44)})`,
    );
    await handle.db.execute(sql`insert into bench_plain values ${sql.join(values, sql`, `)}`);
  }
  return performance.now() - t;
}

async function importOn(label: string, handle: DatabaseHandle): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pkz-bench-'));
  try {
    await migrateDomains(handle, [platformDomain, coreNetworkDomain], logger);
    await handle.db.insert(networkSpecs).values({
      version: 1,
      spec: { plmn: { mcc: '001', mnc: '01' } },
      sourceYaml: '',
      sha256: '',
      appliedBy: 'bench',
    });
    const config = {
      kekFile: path.join(dir, 'kek.json'),
      open5gsMongoUrl: undefined,
      open5gsSyncIntervalMs: 30_000,
      simImportMaxBytes: 64e6,
      simImportMaxRows: 1_000_000,
      seedDemo: false,
      monitor: 'off' as const,
    };
    const audit = new AuditService(handle);
    const keyService = new KeyService(new FileKeyBackend(), logger);
    const keys = await openSimDataKeys({ database: handle, keys: keyService, config, audit, logger });
    const repo = new SimInventoryRepository(handle);
    const service = new SimImportService(handle, config, logger, repo, keys, audit);
    const csv = vendorBatch(ROWS);
    const baseline = await plainInsert(handle, ROWS);
    const t = performance.now();
    const job = await service.start(
      Readable.from([Buffer.from(csv)]),
      undefined,
      'bench.csv',
      {
        actor: { type: 'system', id: 'bench' },
        name: 'bench',
        roles: [],
        institutionId: null,
        scope: NATIONAL_SCOPE,
        amr: [],
        acr: null,
        tokenId: 'b',
      },
      null,
    );
    await service.settled(job.id);
    await service.onModuleDestroy();
    const ms = performance.now() - t;
    const done = await repo.job(job.id);
    if (done?.imported !== ROWS) throw new Error(`bench import imported ${done?.imported}, expected ${ROWS}`);
    process.stdout.write(
      `${label.padEnd(12)} import ${ROWS} SIMs (parse, validate, AES-GCM, dedup, audit): ${ms.toFixed(0).padStart(5)} ms  ${Math.round((ROWS / ms) * 1000)} SIMs/s  baseline plain INSERT ${baseline.toFixed(0)} ms (x${(ms / baseline).toFixed(1)})  ${ms <= TARGET_MS ? 'PASS' : 'FAIL'} (target ≤ ${TARGET_MS} ms)\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** 10,000 SIMs with encryption in ≤ 5 s, on PGlite and on PostgreSQL. */
export async function run(): Promise<void> {
  const lite = await openDatabase({ dataDir: 'memory://', logger });
  await importOn('PGlite', lite).finally(() => lite.close());
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
  try {
    await admin.connect();
  } catch {
    return void process.stdout.write(
      'PostgreSQL not reachable (TEST_DATABASE_URL): PostgreSQL row skipped\n',
    );
  }
  const name = `pakawaaz_bench_${process.pid}`;
  await admin.query(`create database "${name}"`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const handle = await openDatabase({ url: url.toString(), dataDir: 'memory://', logger });
    await importOn('PostgreSQL', handle).finally(() => handle.close());
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}
