import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { serviceGate, testDatabaseUrl, withDatabase } from '@pakawaaz/test-support';

export type FreshDatabase = {
  url: string;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
};

/** Whether PostgreSQL-backed e2e tests can run (skip with a notice, or fail under PAKAWAAZ_REQUIRE_SERVICES). */
export const postgresAvailable = () => serviceGate('PostgreSQL', testDatabaseUrl());

/** An empty database on the test PostgreSQL; the server under test migrates it itself, as in production. */
export async function freshPostgresDatabase(): Promise<FreshDatabase> {
  const adminUrl = testDatabaseUrl();
  const name = `pakawaaz_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`).finally(() => admin.end());
  const url = withDatabase(adminUrl, name);
  return {
    url,
    async query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return await c.query<R>(sql, params);
      } finally {
        await c.end();
      }
    },
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`).finally(() => c.end());
    },
  };
}
