import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createLogger } from '../../src/logging/logger.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { migrateDomains } from '../../src/db/migrate.js';
import type { DomainDescriptor } from '../../src/db/domain.js';
import { requireServices, reachable, testDatabaseUrl } from './services.js';

export const testLogger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export type TestDatabase = { handle: DatabaseHandle; url: string | undefined; drop(): Promise<void> };

/**
 * A fresh database for one test file. On PostgreSQL: `CREATE DATABASE … TEMPLATE <template>` when the
 * medium global setup prepared a migrated template (TEST_DATABASE_TEMPLATE), else a new database migrated
 * here. Without a reachable PostgreSQL: an in-memory PGlite (or a failure under PAKAWAAZ_REQUIRE_SERVICES).
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
  const template = process.env.TEST_DATABASE_TEMPLATE;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"${template ? ` template "${template}"` : ''}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const handle = await openDatabase({ url, dataDir: 'memory://', logger: testLogger, poolSize: 4 });
  await migrateDomains(handle, domains, testLogger);
  return {
    handle,
    url,
    async drop() {
      await handle.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
