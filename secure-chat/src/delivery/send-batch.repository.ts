import { Injectable } from '@nestjs/common';
import type { Db } from '@pakawaaz/platform';
import { sql } from 'drizzle-orm';
import { removedDevices } from '../membership/removals.schema.js';
import { chatGroups, chatSends, groupMembers } from './delivery.schema.js';
import { enqueueCtes, enqueueParams, seqsWhereWhole, type EnqueueBatch } from './enqueue.js';
import { onHoldSql } from '../policy/chat-policy.repository.js';
import { anyOf, runPrepared, statement } from './prepared.js';

/** A send's (device, clientId): the key of its idempotency row. */
export type ClientKey = { d: string; c: string };
/** A group's epoch and member devices, as a batch of sends reads them. */
export type SharedGroup = { epoch: bigint; deviceIds: string[] };

// Each statement takes its rows as one JSON parameter (json_to_recordset), so its text is the same for a
// batch of one or of a hundred: PostgreSQL plans it once per connection (named), PGlite runs it as is.
const PREVIOUS = statement(
  'secure_chat_send_previous',
  (p) => sql`select s.device_id::text as d, s.client_id as c, s.result
    from ${chatSends} s join json_to_recordset(${p(0)}::json) as x(d uuid, c text)
      on s.device_id = x.d and s.client_id = x.c`,
);
// The groups' rows and the holds in one statement: each group's epoch and members, its row share-locked, in
// group id order (the sort is below the lock). The groups are probed by key (`anyOf`) and each one's members by
// its primary key (a lateral subquery the planner may not flatten into a hash join over the whole table).
// Messages pass each other, a commit (FOR UPDATE on its group) waits for them and they for it. Rows: ('g',
// group, epoch, member device) for a group, ('h', institution) for a sender's institution on legal hold
// (policy/chat-policy.repository.ts: read here, the batch's transaction needs no round trip for it). No
// idempotency row is claimed here: the write below inserts each one once, with its answer.
const SHARE = statement(
  'secure_chat_send_share_hold',
  (p) => sql`with g as (select g.group_id as g, g.epoch::text as e, m.device_id::text as d
      from ${chatGroups} g left join lateral (select m.device_id from ${groupMembers} m
        where m.group_id = g.group_id offset 0) m on true
      where g.group_id = ${anyOf(p(0))}
      order by g.group_id for share of g)
    select 'g' as t, g as a, e as b, d as m from g
    union all select 'h', id, null, null from (${onHoldSql(p(1))}) h`,
);
// The rest of the batch in one statement. Each accepted send's idempotency row is inserted with its answer ($1),
// once: a (device, clientId) already stored — a retry, or a duplicate from another connection or node whose
// transaction this insert waited for — is not inserted, comes back as an 'x' row and queues nothing. The
// envelopes of the rows inserted are queued ($2, $4: see enqueue.ts) — only to devices still members now of the
// envelope's group ($3: each envelope's group and send) and not taken out of chat (a removal racing a commit
// that added the device could leave it a member: the queue read refuses such a device, and the hand-off that
// skips that read must not reach it either). Each device's last seq and count come back ('q' rows), with the
// queue rows' time (the transaction's: created_at). The share lock above waited for a concurrent commit or
// removal, but under READ COMMITTED the member rows it returned may predate them; this statement's snapshot is
// taken after the wait. The rows are inserted in device order (a batch holds one send a device, sorted), so two
// batches carrying the same pairs cannot deadlock on them.
const WRITE = statement(
  'secure_chat_send_write',
  (p) => sql`with ans as (select * from json_to_recordset(${p(0)}::json) as x(d uuid, c text, r jsonb)),
    ins as (insert into ${chatSends} (device_id, client_id, result) select d, c, r from ans order by d
      on conflict do nothing returning device_id, client_id),
    t as (select a.o, a.i, a.d from json_to_recordset(${p(1)}::json) as a(o int, i int, d uuid)
      join json_to_recordset(${p(2)}::json) as e(i int, g text, d uuid, c text) on e.i = a.i
      join ins on ins.device_id = e.d and ins.client_id = e.c
      where exists (select 1 from ${groupMembers} m where m.device_id = a.d and m.group_id = e.g)
        and not exists (select 1 from ${removedDevices} r where r.device_id = a.d)),
    ${enqueueCtes(p(3))}
    select 'q' as t, u.device_id::text as d, u.last_seq::text as l, n.n, now() as at from u join n on n.d = u.device_id
    union all select 'x', ans.d::text, ans.c, null, null from ans
      where not exists (select 1 from ins where ins.device_id = ans.d and ins.client_id = ans.c)`,
);

/** The statements, for the test that reads their plans. */
export const SEND_STATEMENTS = { previous: PREVIOUS, share: SHARE, write: WRITE } as const;

const key = (d: string, c: string) => `${d}\n${c}`;

/** The statements of a batch of sends (DeliveryService's group commit), each one round trip for the batch. */
@Injectable()
export class SendBatchRepository {
  /**
   * Reads the groups' epochs and member devices, their rows share-locked (a missing group is not in the map), and
   * which of `institutionIds` are on legal hold.
   */
  async share(
    groupIds: readonly string[],
    institutionIds: readonly string[],
    tx: Db,
  ): Promise<{ groups: Map<string, SharedGroup>; held: Set<string> }> {
    const rows = await runPrepared<{ t: 'g' | 'h'; a: string; b: string; m: string | null }>(tx, SHARE, [
      JSON.stringify([...groupIds].sort()),
      JSON.stringify(institutionIds),
    ]);
    const groups = new Map<string, SharedGroup>();
    const held = new Set<string>();
    for (const r of rows) {
      if (r.t === 'h') {
        held.add(r.a);
        continue;
      }
      let g = groups.get(r.a);
      if (!g) groups.set(r.a, (g = { epoch: BigInt(r.b), deviceIds: [] }));
      if (r.m) g.deviceIds.push(r.m);
    }
    return { groups, held };
  }

  /** The stored answers of pairs sent before, by key. */
  async previous(pairs: readonly ClientKey[], tx: Db): Promise<Map<string, Record<string, unknown>>> {
    if (pairs.length === 0) return new Map();
    const rows = await runPrepared<{ d: string; c: string; result: unknown }>(tx, PREVIOUS, [
      JSON.stringify(pairs),
    ]);
    return new Map(rows.map((r) => [key(r.d, r.c), parseJson(r.result)]));
  }

  /**
   * Records the answers of the accepted sends and queues the envelopes of those whose (device, clientId) was new:
   * one round trip. `stored`: the keys of sends not written because their pair was already stored (the caller
   * answers them from the stored row: `previous`). The seqs each envelope got, by device (seqsWhereWhole: a
   * device that left its group meanwhile is not in them; an envelope not written has none), and the time the
   * queue rows carry (undefined when nothing was queued).
   */
  async write(
    sends: readonly (ClientKey & { r: Record<string, unknown>; queue: EnqueueBatch })[],
    tx: Db,
  ): Promise<{ seqs: Map<string, number>[]; at: Date | undefined; stored: Set<string> }> {
    if (sends.length === 0) return { seqs: [], at: undefined, stored: new Set() };
    // `on conflict do nothing` would skip a second row of one pair silently and queue both envelopes under the
    // first: a batch holds one send a device (GroupCommit's key), so one a pair.
    if (new Set(sends.map((s) => key(s.d, s.c))).size !== sends.length)
      throw new Error('chat send batch: one (device, clientId) twice in a batch');
    const { params, targets } = enqueueParams(sends.map((s) => s.queue));
    const groupOf = JSON.stringify(sends.map((s, i) => ({ i, g: s.queue.envelope.groupId, d: s.d, c: s.c })));
    const rows = await runPrepared<{ t: 'q' | 'x'; d: string; l: string; n: number; at: Date | string }>(
      tx,
      WRITE,
      [JSON.stringify(sends.map(({ d, c, r }) => ({ d, c, r }))), params[0], groupOf, params[1]],
    );
    const stored = new Set(rows.filter((r) => r.t === 'x').map((r) => key(r.d, r.l)));
    const taken = rows.filter((r) => r.t === 'q');
    const written = targets.map((ids, i) => (stored.has(key(sends[i]!.d, sends[i]!.c)) ? [] : ids));
    const at = taken[0]?.at;
    return {
      seqs: seqsWhereWhole(written, taken),
      at: at === undefined ? undefined : new Date(at),
      stored,
    };
  }
}

export const clientKey = key;

/** jsonb comes back parsed from node-postgres, and may come back as text from other drivers. */
function parseJson(v: unknown): Record<string, unknown> {
  return (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;
}
