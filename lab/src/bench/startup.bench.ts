import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { EMBEDDED_DATABASE_NODE_FLAGS, freeTcpPort } from '@pakawaaz/platform';
import { waitForHealthy } from '../http-probe.js';

const MAIN = fileURLToPath(new URL('../../../server/dist/main.js', import.meta.url));
/** As `npm start` runs it. */
const SERVER = [...EMBEDDED_DATABASE_NODE_FLAGS, MAIN];
const BASELINE = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')`;

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function measure(args: string[], env: Record<string, string>, url: (port: number) => string) {
  const port = await freeTcpPort();
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    const ms = await waitForHealthy(url(port), { timeoutMs: 120_000, intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 500));
    return { ms, rss: await rssMiB(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/** Warm start against PostgreSQL (the production mode): a throw-away database, migrated by a first start. */
async function measurePostgres(env: Record<string, string>) {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `pakawaaz_bench_${process.pid}`;
  await admin.query(`create database "${name}"`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const pgEnv = { ...env, DATABASE_URL: url.toString() };
    await measure(SERVER, pgEnv, (p) => `http://127.0.0.1:${p}/healthz`);
    return await measure(SERVER, pgEnv, (p) => `http://127.0.0.1:${p}/healthz`);
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

/** Start-up time to a healthy /healthz and resident memory of the embedded control plane, against bare Node. */
export async function run(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-bench-'));
  try {
    const baseline = await measure(['-e', BASELINE], {}, (p) => `http://127.0.0.1:${p}/`);
    const env = { PAKAWAAZ_DATA_DIR: dataDir, HOST: '127.0.0.1' };
    const first = await measure(SERVER, env, (p) => `http://127.0.0.1:${p}/healthz`);
    const warm = await measure(SERVER, env, (p) => `http://127.0.0.1:${p}/healthz`);
    const rows: [string, { ms: number; rss: number }][] = [
      ['bare node http server (baseline)', baseline],
      ['pakawaaz embedded, first start (migrate + seed)', first],
      ['pakawaaz embedded, warm start', warm],
    ];
    const postgres = await measurePostgres(env);
    if (postgres) rows.push(['pakawaaz on PostgreSQL, warm start', postgres]);
    else process.stdout.write('(PostgreSQL not reachable at TEST_DATABASE_URL: PostgreSQL row skipped)\n');
    for (const [name, m] of rows) {
      process.stdout.write(
        `${name.padEnd(50)} ${m.ms.toFixed(0).padStart(6)} ms  ${m.rss.toFixed(0).padStart(5)} MiB RSS  (x${(m.ms / baseline.ms).toFixed(1)} time, x${(m.rss / baseline.rss).toFixed(1)} memory vs baseline)\n`,
      );
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
