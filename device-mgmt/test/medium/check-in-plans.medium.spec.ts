import { randomUUID } from 'node:crypto';
import { platformDomain, type Db } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WRITE_MANY,
  WRITE_ONE,
  writeManyQuery,
  writeOneQuery,
  type PendingWrite,
} from '../../src/check-in/check-in-write.sql.js';
import type { CheckInRead, CheckInWrite } from '../../src/check-in/check-in.repository.js';
import { deviceMgmtDomain } from '../../src/device-mgmt.domain.js';

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
};

/** A plan's nodes, depth first. */
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

const HOT = ['devices', 'device_commands'];
/** An index condition that finds rows by a device's or a command's id (not, say, every open command). */
const BY_KEY = /(^|\W)(device_)?id = /;

/**
 * How the plan reaches the hot tables other than by key, one line a scan: a sequential scan, or an index scan
 * whose condition is not on an id (device_commands_open_idx would read every open command of the fleet).
 */
function notByKey(plan: PlanNode): string[] {
  return nodesOf(plan).flatMap((n) => {
    const table = n['Relation Name'];
    const type = n['Node Type'];
    if (!table || !HOT.includes(table) || !type.endsWith(' Scan') || type === 'Tid Scan') return [];
    const probes = n['Node Type'] === 'Bitmap Heap Scan' ? nodesOf(n).slice(1) : [n];
    const conditions = probes.map((p) => p['Index Cond'] ?? '');
    if (type !== 'Seq Scan' && conditions.every((c) => BY_KEY.test(c))) return [];
    return [`${type} on ${table} ${probes.map((p) => p['Index Name'] ?? '').join(' ')}`.trim()];
  });
}

/** A parameter as a literal: the statements' parameters are strings, numbers or null. */
const literal = (v: unknown) =>
  v === null || v === undefined
    ? 'null'
    : typeof v === 'number'
      ? String(v)
      : `'${(v as string).replaceAll("'", "''")}'`;

/**
 * The plan PostgreSQL makes for the statement with these parameters: the per-call (custom) one, or the generic
 * one a named statement switches to after five calls and keeps on its connection.
 */
async function planOf(tx: Db, q: { sql: string; params: unknown[] }, mode: 'custom' | 'generic') {
  const name = `plan_probe_${++probes}`; // a failed probe's statement stays on the connection: never reused
  await tx.execute(sql.raw(`set local plan_cache_mode = force_${mode}_plan`));
  await tx.execute(sql.raw(`prepare ${name} as ${q.sql}`));
  const r = await tx.execute(
    sql.raw(`explain (format json) execute ${name}(${q.params.map(literal).join(', ')})`),
  );
  await tx.execute(sql.raw(`deallocate ${name}`));
  const row = (r as { rows: Record<string, unknown>[] }).rows[0]!;
  const plan = Object.values(row)[0];
  return ((typeof plan === 'string' ? JSON.parse(plan) : plan) as [{ Plan: PlanNode }])[0].Plan;
}
let probes = 0;

const READ: CheckInRead = {
  row: {} as CheckInRead['row'],
  rowVersion: '1234',
  policyVersion: 3,
  nationalPolicyVersion: 2,
  osUpdate: null,
};
const SET: CheckInWrite = {
  state: 'active',
  compliance: 'compliant',
  complianceReasons: [],
  nonCompliantSince: null,
  lastCheckInAt: new Date(),
  lastReport: { osBuild: 'PKZ.2026.11', batteryPercent: 80 },
  appliedPolicyVersion: 3,
};
const pending = (): PendingWrite => ({ read: READ, set: SET, now: new Date() });

/**
 * A check-in batch names its devices in a JSON parameter, which the planner counts as 100 rows whatever their
 * number: joined as such, a table it thinks small is read whole (a hash join over a sequential scan), and the
 * devices' open commands were read for the whole fleet (device_commands_open_idx) and joined by hash. Every
 * check-in updates its device's row, so until a vacuum the devices' pages hold several dead versions of each
 * row: a scan of the table reads the fleet's recent history for a batch of a few devices. The one-device
 * write runs by name (PostgreSQL keeps a generic plan per connection, possibly made when the tables were
 * empty); the batch is planned at each call, as a plan of it made on an empty devices table reads that table
 * whole (see WRITE_MANY in check-in-write.sql.ts).
 */
describe('check-in: the write statements reach devices and device_commands by key (PostgreSQL; PGlite when it is not reachable)', () => {
  let db: TestDatabase;
  const FLEET = 5_000;
  let ids: string[] = [];
  /** The plans the writes run with: the one-device write's kept ones (custom, then generic), the batch's per call. */
  const plans = () =>
    db.handle.db.transaction(async (tx) => {
      const batch = ids.slice(0, 8).map((key) => ({ key, item: pending() }));
      const one = () => writeOneQuery(ids[0]!, pending());
      return {
        'write one, custom': await planOf(tx, one(), 'custom'),
        'write one, generic': await planOf(tx, one(), 'generic'),
        'write many, custom': await planOf(tx, writeManyQuery(batch), 'custom'),
      };
    });
  const offenders = (found: Record<string, PlanNode>) =>
    Object.entries(found).flatMap(([name, plan]) => notByKey(plan).map((s) => `${name}: ${s}`));
  let whenEmpty: Record<string, PlanNode>;

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, deviceMgmtDomain]);
    ids = Array.from({ length: 8 }, () => randomUUID());
    whenEmpty = await plans();
    // The fleet, each device with a report of a few hundred bytes and three commands (one still open).
    const d = db.handle.db;
    await d.execute(sql`insert into device_mgmt.devices (user_id, attestation, last_attested_at, last_report)
      select 'official-' || g, '{"osPatchLevel":202611}', now(),
        jsonb_build_object('osBuild', 'PKZ.2026.11', 'apps', repeat('x', 400))
      from generate_series(1, ${FLEET}) g`);
    await d.execute(sql`insert into device_mgmt.device_commands
        (device_id, type, idempotency_key, state, created_by, created_by_name, expires_at)
      select id, 'locate', 'k' || k, case when k = 3 then 'queued' else 'succeeded' end, 'admin', 'Admin',
        now() + interval '1 day'
      from device_mgmt.devices, generate_series(1, 3) k`);
    await d.execute(sql`analyze device_mgmt.devices`);
    await d.execute(sql`analyze device_mgmt.device_commands`);
    // Three check-ins a device since the last vacuum: each row's page holds three dead versions of it.
    for (let k = 0; k < 3; k++)
      await d.execute(sql`update device_mgmt.devices set last_check_in_at = now(), updated_at = now()`);
    const rows = await d.execute(sql`select id::text as id from device_mgmt.devices limit 8`);
    ids = (rows as { rows: { id: string }[] }).rows.map((r) => r.id);
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('the one-device write runs by name, the batch is planned at each call', () => {
    expect([WRITE_ONE.planned, WRITE_MANY.planned]).toEqual(['once', 'each call']);
  });

  it('in plans made on empty tables: commands by key; devices too, but in the batch planned for an empty table', () => {
    // That plan is not kept: while devices is empty a sequential scan of it is the cheapest read, and the
    // batch's next call is planned again for the table as it is then.
    const kept = offenders(whenEmpty).filter((o) => o !== 'write many, custom: Seq Scan on devices');
    expect(kept).toEqual([]);
  });

  it('in plans made on a fleet of 5,000 devices whose rows each have dead versions', async () => {
    expect(offenders(await plans())).toEqual([]);
  });
});
