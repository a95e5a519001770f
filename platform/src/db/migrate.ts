import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Logger } from 'pino';
import type { DatabaseHandle } from './database.js';
import type { DomainDescriptor } from './domain.js';

/** Schema that records which migrations each domain has applied (one table per domain). */
export const MIGRATIONS_SCHEMA = 'pakawaaz_migrations';
/** Advisory lock key for migrations ("pkzmigr" folded to 32 bits). */
const MIGRATION_LOCK_KEY = 0x706b7a6d;

export type MigrationStatus = { domain: string; applied: number; available: number };

async function availableMigrations(domain: DomainDescriptor): Promise<number> {
  const journal = JSON.parse(
    await readFile(path.join(domain.migrationsFolder, 'meta', '_journal.json'), 'utf8'),
  ) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** Applies every pending migration of each domain, in order, under a cluster-wide lock. Idempotent. */
export async function migrateDomains(
  handle: DatabaseHandle,
  domains: readonly DomainDescriptor[],
  logger: Logger,
): Promise<void> {
  await handle.withExclusiveLock(MIGRATION_LOCK_KEY, async () => {
    for (const domain of domains) {
      const config = {
        migrationsFolder: domain.migrationsFolder,
        migrationsSchema: MIGRATIONS_SCHEMA,
        migrationsTable: domain.name,
      };
      const before = await appliedCount(handle, domain.name);
      // Both modes speak node-postgres (the embedded database through its worker thread).
      await migratePg(handle.db as unknown as NodePgDatabase, config);
      const after = await appliedCount(handle, domain.name);
      if (after > before) logger.info({ domain: domain.name, applied: after - before }, 'applied migrations');
    }
  });
}

async function appliedCount(handle: DatabaseHandle, table: string): Promise<number> {
  const exists = await handle.db.execute(
    sql`select to_regclass(${`${MIGRATIONS_SCHEMA}."${table}"`}) is not null as present`,
  );
  if (!rowsOf<{ present: boolean }>(exists)[0]?.present) return 0;
  const res = await handle.db.execute(
    sql.raw(`select count(*)::int as n from "${MIGRATIONS_SCHEMA}"."${table}"`),
  );
  return rowsOf<{ n: number }>(res)[0]?.n ?? 0;
}

/** Both drivers return `{ rows }` from execute(). */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

export async function migrationStatus(
  handle: DatabaseHandle,
  domains: readonly DomainDescriptor[],
): Promise<MigrationStatus[]> {
  return Promise.all(
    domains.map(async (d) => ({
      domain: d.name,
      applied: await appliedCount(handle, d.name),
      available: await availableMigrations(d),
    })),
  );
}
