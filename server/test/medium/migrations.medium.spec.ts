import {
  createLogger,
  migrateDomains,
  migrationStatus,
  openDatabase,
  rowsOf,
  sql,
  type DatabaseHandle,
} from '@pakawaaz/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_DOMAINS } from '../../src/domains.js';
import { freshPostgresDatabase, postgresAvailable, type FreshDatabase } from '../support/postgres.js';

const logger = createLogger({ level: 'silent' });
const schemas = ALL_DOMAINS.map((d) => d.pgSchema);

/** Everything that defines the data model, in a driver-independent, sorted form. */
async function describeModel(handle: DatabaseHandle) {
  const list = sql.join(
    schemas.map((s) => sql`${s}`),
    sql`, `,
  );
  const q = async (query: ReturnType<typeof sql>) =>
    rowsOf<Record<string, unknown>>(await handle.db.execute(query))
      .map((r) => JSON.stringify(r))
      .sort();
  return {
    schemas: await q(sql`select nspname from pg_namespace where nspname in (${list})`),
    columns:
      await q(sql`select table_schema, table_name, column_name, data_type, udt_name, is_nullable, column_default
      from information_schema.columns where table_schema in (${list})`),
    constraints: await q(sql`select tc.table_schema, tc.table_name, tc.constraint_name, tc.constraint_type
      from information_schema.table_constraints tc where tc.table_schema in (${list}) and tc.constraint_type <> 'CHECK'`),
    indexes: await q(
      sql`select schemaname, tablename, indexname, indexdef from pg_indexes where schemaname in (${list})`,
    ),
    triggers:
      await q(sql`select event_object_schema, event_object_table, trigger_name, event_manipulation, action_timing
      from information_schema.triggers where event_object_schema in (${list})`),
  };
}

const pg = await postgresAvailable();

describe.skipIf(!pg)('the same migrations on PGlite and PostgreSQL', () => {
  let db: FreshDatabase;
  let lite: DatabaseHandle;
  let postgres: DatabaseHandle;

  beforeAll(async () => {
    db = await freshPostgresDatabase();
    lite = await openDatabase({ dataDir: 'memory://', logger });
    postgres = await openDatabase({ url: db.url, dataDir: 'memory://', logger });
  });
  afterAll(async () => {
    await lite?.close();
    await postgres?.close();
    await db?.drop();
  });

  it('migrates both from empty and yields an identical data model', async () => {
    await migrateDomains(lite, ALL_DOMAINS, logger);
    // Two nodes starting at once against one PostgreSQL: the advisory lock serialises them.
    const second = await openDatabase({ url: db.url, dataDir: 'memory://', logger });
    await Promise.all([
      migrateDomains(postgres, ALL_DOMAINS, logger),
      migrateDomains(second, ALL_DOMAINS, logger),
    ]);
    await second.close();

    const [a, b] = await Promise.all([describeModel(lite), describeModel(postgres)]);
    expect(a.schemas).toHaveLength(ALL_DOMAINS.length);
    expect(a.columns.length).toBeGreaterThan(20);
    expect(a.triggers.some((t) => t.includes('audit_log'))).toBe(true);
    expect(b).toEqual(a);
  });

  it('records every migration as applied, once, on both', async () => {
    for (const handle of [lite, postgres]) {
      await migrateDomains(handle, ALL_DOMAINS, logger);
      for (const s of await migrationStatus(handle, ALL_DOMAINS)) {
        expect(s.available).toBeGreaterThan(0);
        expect(s.applied).toBe(s.available);
      }
    }
  });
});
