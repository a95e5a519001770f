import { randomBytes, randomUUID } from 'node:crypto';
import { platformDomain, type Db } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import type { Prepared } from '../../src/delivery/prepared.js';
import { QUEUE_STATEMENTS } from '../../src/delivery/queue-batches.js';
import { SEND_STATEMENTS } from '../../src/delivery/send-batch.repository.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Cond'?: string; Plans?: PlanNode[] };

/** A plan's nodes, depth first. */
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** The tables a plan reads whole (sequential scans), from EXPLAIN's JSON. */
function seqScans(node: PlanNode, out: string[] = []): string[] {
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) out.push(node['Relation Name']);
  for (const child of node.Plans ?? []) seqScans(child, out);
  return out;
}

const literal = (v: string) => `'${v.replaceAll("'", "''")}'`;

/**
 * The plan PostgreSQL makes for a hot statement with these parameters: the per-call (custom) one, or the
 * generic one a named statement switches to after five calls.
 */
async function planOf(tx: Db, s: Prepared, params: readonly string[], mode: 'custom' | 'generic') {
  const name = `plan_probe_${++probes}`; // a failed probe's statement stays on the connection: never reused
  await tx.execute(sql.raw(`set local plan_cache_mode = force_${mode}_plan`));
  await tx.execute(sql.raw(`prepare ${name} as ${s.text}`));
  const r = await tx.execute(
    sql.raw(`explain (format json) execute ${name}(${params.map(literal).join(', ')})`),
  );
  await tx.execute(sql.raw(`deallocate ${name}`));
  const row = (r as { rows: Record<string, unknown>[] }).rows[0]!;
  const plan = Object.values(row)[0];
  return (typeof plan === 'string' ? JSON.parse(plan) : plan) as [{ Plan: PlanNode }];
}
let probes = 0;

/**
 * A batch names its devices and groups in a JSON parameter, planned as 100 rows whatever their number: joined as
 * such, a table the planner thinks small is read whole. The device queue is the worst case: acknowledged rows
 * leave dead ones behind until a vacuum, so a sequential scan of it reads mostly dead rows — it was most of
 * PostgreSQL's CPU for a chat message in the bench. The statements that run by name keep a generic plan made
 * when the tables may have been empty; they must probe indexes in it as in the plan for full tables. The ack is
 * planned at each call, and on a queue full of dead rows its plan finds the rows by the primary key.
 */
describe('secure chat: the batch statements read the queue and the groups by index (PostgreSQL; PGlite when it is not reachable)', () => {
  let db: TestDatabase;
  const devices = Array.from({ length: 60 }, () => randomUUID());
  const groupIds = Array.from({ length: 30 }, () => randomBytes(16).toString('base64url'));
  const reads = [JSON.stringify(devices.slice(0, 8).map((d, i) => ({ i, d, a: 0, n: 100, b: 1024 * 1024 })))];
  const share = [JSON.stringify(groupIds.slice(0, 4)), JSON.stringify([randomUUID()])];
  /** The plans of the statements run by name, for these parameters: custom and generic. */
  const namedPlans = () =>
    db.handle.db.transaction(async (tx) => {
      const plans: PlanNode[] = [];
      for (const mode of ['custom', 'generic'] as const)
        for (const [s, params] of [
          [QUEUE_STATEMENTS.read, reads],
          [SEND_STATEMENTS.share, share],
        ] as const)
          plans.push((await planOf(tx, s, params, mode))[0].Plan);
      return plans;
    });
  const scansOfHotTables = (plans: PlanNode[]) =>
    plans.flatMap((p) => seqScans(p)).filter((t) => ['device_queue', 'groups', 'group_members'].includes(t));
  let whenEmpty: PlanNode[];

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    whenEmpty = await namedPlans();
    const repo = new DeliveryRepository(db.handle);
    await db.handle.db.transaction(async (tx) => {
      for (const [g, groupId] of groupIds.entries()) {
        await repo.insertGroup(
          { groupId, epoch: 1n, groupInfo: Buffer.from('gi'), createdBy: devices[0]! },
          tx,
        );
        const pair = [devices[2 * g]!, devices[2 * g + 1]!];
        await repo.replaceMembers(
          groupId,
          pair.map((deviceId, leafIndex) => ({ leafIndex, deviceId, userId: randomUUID() })),
          tx,
        );
      }
    });
    // Twenty envelopes a device, analysed while they are live; then all but the last acknowledged: the queue's
    // pages hold twenty times the rows the statistics expect to find alive.
    for (let k = 0; k < 20; k++)
      await repo.enqueueAll(
        groupIds.map((g, i) => ({
          deviceIds: [devices[2 * i]!, devices[2 * i + 1]!],
          envelope: { groupId: g, senderDevice: null, kind: 'application', body: randomBytes(200) },
        })),
        db.handle.db,
      );
    await db.handle.db.execute(sql`analyze secure_chat.device_queue`);
    for (const d of devices) await repo.ack(d, 19);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('acknowledgements are planned at each call and delete through the primary key on a queue of dead rows', async () => {
    expect(QUEUE_STATEMENTS.ack.planned).toBe('each call');
    const params = [JSON.stringify(devices.slice(0, 8).map((d) => ({ d, a: 18, u: 20 })))];
    const [{ Plan }] = await db.handle.db.transaction((tx) =>
      planOf(tx, QUEUE_STATEMENTS.ack, params, 'custom'),
    );
    expect(seqScans(Plan)).toEqual([]);
    const nodes = nodesOf(Plan);
    // The rows are deleted by ctid, found on the primary key between the last deleted seq and the ack.
    expect(nodes.some((n) => n['Node Type'] === 'Tid Scan')).toBe(true);
    const conditions = nodes.map((n) => n['Index Cond'] ?? '').join(' ');
    expect(conditions).toMatch(/seq > /);
    expect(conditions).toMatch(/seq <= /);
  });

  it("queue reads and a send batch's groups and members are read by index, in plans made on empty tables and on full ones", async () => {
    expect([QUEUE_STATEMENTS.read.planned, SEND_STATEMENTS.share.planned]).toEqual(['once', 'once']);
    expect(scansOfHotTables(whenEmpty)).toEqual([]);
    expect(scansOfHotTables(await namedPlans())).toEqual([]);
  });
});
