import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createLogger, migrateDomains, openDatabase } from '@pakawaaz/platform';
import { ALL_DOMAINS } from '../../src/domains.js';
import { reachable, requireServices, testDatabaseUrl } from '../../../platform/test/support/services.js';
import { withDatabase } from '../../../platform/test/support/database.js';

/** Template name keyed by the content of every migration: a changed migration gets a fresh template. */
function templateName(): string {
  const hash = createHash('sha256');
  for (const d of ALL_DOMAINS) {
    for (const f of readdirSync(d.migrationsFolder)
      .filter((x) => x.endsWith('.sql'))
      .sort()) {
      hash
        .update(d.name)
        .update(f)
        .update(readFileSync(path.join(d.migrationsFolder, f)));
    }
  }
  return `pakawaaz_tmpl_${hash.digest('hex').slice(0, 16)}`;
}

/**
 * Medium tests get a fresh database per file, cloned from a migrated template (CREATE DATABASE … TEMPLATE),
 * which is much faster than migrating each one. Without PostgreSQL the files fall back to PGlite.
 */
export default async function setup(): Promise<void> {
  const adminUrl = testDatabaseUrl();
  if (!(await reachable(adminUrl))) {
    if (requireServices())
      throw new Error(`PostgreSQL is not reachable at ${adminUrl} and PAKAWAAZ_REQUIRE_SERVICES is set.`);
    return;
  }
  const name = templateName();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock(7243001)');
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) {
      await admin.query(`create database "${name}"`);
      const logger = createLogger({ level: 'warn' });
      const handle = await openDatabase({
        url: withDatabase(adminUrl, name),
        dataDir: 'memory://',
        logger,
        poolSize: 2,
      });
      try {
        await migrateDomains(handle, ALL_DOMAINS, logger);
      } finally {
        await handle.close();
      }
    }
    await admin.query('select pg_advisory_unlock(7243001)');
  } finally {
    await admin.end();
  }
  process.env.TEST_DATABASE_TEMPLATE = name;
}
