import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import {
  createLogger,
  migrateDomains,
  openDatabase,
  rowsOf,
  sql,
  type DatabaseHandle,
  type DomainDescriptor,
} from '@pakawaaz/platform';
import { requireServices, reachable, testDatabaseUrl } from './services.js';

export const testLogger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export type TestDatabase = { handle: DatabaseHandle; url: string | undefined; drop(): Promise<void> };

/**
 * A fresh database for one test file, with the migrations of `domains` only (a domain's tests name their
 * floors and themselves, not the server's list). On PostgreSQL: `CREATE DATABASE … TEMPLATE`, cloned from
 * a migrated template per set of domains, made by the first file that needs it, which is much faster than
 * migrating each database. Without a reachable PostgreSQL: an in-memory PGlite (or a failure under
 * PAKAWAAZ_REQUIRE_SERVICES).
 */
export async function createTestDatabase(domains: readonly DomainDescriptor[]): Promise<TestDatabase> {
  const adminUrl = testDatabaseUrl();
  if (!(await reachable(adminUrl))) {
    if (requireServices())
      throw new Error(`PostgreSQL is not reachable at ${adminUrl} and PAKAWAAZ_REQUIRE_SERVICES is set.`);
    console.warn(
      `\n[notice] PostgreSQL is not reachable at ${adminUrl}: this file runs on an in-memory PGlite instead.\n`,
    );
    const handle = await openDatabase({ dataDir: 'memory://', logger: testLogger });
    await migrateDomains(handle, domains, testLogger);
    return { handle, url: undefined, drop: () => handle.close() };
  }
  const name = `pakawaaz_t_${randomBytes(6).toString('hex')}`;
  const template = await ensureTemplate(adminUrl, domains);
  await withClient(adminUrl, (c) => c.query(`create database "${name}" template "${template}"`));
  const url = withDatabase(adminUrl, name);
  const handle = await openDatabase({ url, dataDir: 'memory://', logger: testLogger, poolSize: 4 });
  return {
    handle,
    url,
    async drop() {
      await handle.close();
      await withClient(adminUrl, (c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Template name keyed by the domains and the content of their migrations: a change gets a fresh one. */
function templateName(domains: readonly DomainDescriptor[]): string {
  const hash = createHash('sha256');
  for (const d of domains) {
    hash.update(`domain:${d.name}\n`);
    for (const f of readdirSync(d.migrationsFolder)
      .filter((x) => x.endsWith('.sql'))
      .sort())
      hash.update(f).update(readFileSync(path.join(d.migrationsFolder, f)));
  }
  return `pakawaaz_tmpl_${hash.digest('hex').slice(0, 16)}`;
}

const TEMPLATE_LOCK = 7243001;

/**
 * The migrated template for `domains`, made once under an advisory lock (parallel test files wait for the
 * first). It is migrated under a temporary name and renamed when complete, so a run killed half-way never
 * leaves a half-migrated template behind to be cloned.
 */
async function ensureTemplate(adminUrl: string, domains: readonly DomainDescriptor[]): Promise<string> {
  const name = templateName(domains);
  await withClient(adminUrl, async (admin) => {
    await admin.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
      if (exists.rowCount) return;
      const building = `${name}_building`;
      await admin.query(`drop database if exists "${building}" with (force)`);
      await admin.query(`create database "${building}"`);
      const logger = createLogger({ level: 'warn' });
      const handle = await openDatabase({
        url: withDatabase(adminUrl, building),
        dataDir: 'memory://',
        logger,
        poolSize: 2,
      });
      try {
        await migrateDomains(handle, domains, logger);
      } finally {
        await handle.close();
      }
      await admin.query(`alter database "${building}" rename to "${name}"`);
    } finally {
      await admin.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
  return name;
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * Resolves once a transaction of this PostgreSQL database waits for an advisory lock, or once `settled()` says
 * the racing work ended without waiting: a lock test's way to reach a race's point without sleeping.
 */
export async function lockWaitOr(handle: DatabaseHandle, settled: () => boolean): Promise<void> {
  const waiters = async () =>
    rowsOf<{ n: number }>(
      await handle.db.execute(sql`
        select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database
        where l.locktype = 'advisory' and not l.granted and d.datname = current_database()`),
    )[0]!.n;
  while (!settled() && (await waiters()) === 0) await new Promise((r) => setTimeout(r, 10));
}
