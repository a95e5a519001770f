import { Injectable } from '@nestjs/common';
import type { Db } from '@pakawaaz/platform';
import { sql } from 'drizzle-orm';
import { removedDevices } from '../membership/removals.schema.js';
import { chatGroups, chatSends, groupMembers } from './delivery.schema.js';
import { enqueueCtes, enqueueParams, seqsWhereWhole, type EnqueueBatch } from './enqueue.js';
import { onHoldSql } from '../policy/chat-policy.repository.js';
import { runPrepared, statement } from './prepared.js';

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
// The claims and the groups' rows in one statement: the (device, clientId) pairs that were new, and each group's
// epoch and members, its row share-locked, in group id order (the sort is below the lock): messages pass each
// other, a commit (FOR UPDATE on its group) waits for them and they for it. Rows: ('c', device, clientId, null)
// for a claim, ('g', group, epoch, member device) for a group, ('h', institution) for a sender's institution on
// legal hold (policy/chat-policy.repository.ts: read here, the batch's transaction needs no round trip for it).
const CLAIM_AND_SHARE = statement(
  'secure_chat_send_claim_share_hold',
  (p) => sql`with c as (insert into ${chatSends} (device_id, client_id, result)
      select x.d, x.c, '{}'::jsonb from json_to_recordset(${p(0)}::json) as x(d uuid, c text)
      on conflict do nothing returning device_id::text as d, client_id as c),
    g as (select g.group_id as g, g.epoch::text as e, m.device_id::text as d
      from ${chatGroups} g left join ${groupMembers} m on m.group_id = g.group_id
      where g.group_id in (select json_array_elements_text(${p(1)}::json))
      order by g.group_id for share of g)
    select 'c' as t, d as a, c as b, null as m from c union all select 'g', g, e, d from g
    union all select 'h', id, null, null from (${onHoldSql(p(2))}) h`,
);
// The rest of the batch in one statement: the claims of refused sends dropped ($1), the answers of the
// accepted ones recorded ($2), their envelopes queued ($3, $5: see enqueue.ts) — only to devices still members
// now of the envelope's group ($4: each envelope's group) and not taken out of chat (a removal racing a commit
// that added the device could leave it a member: the queue read refuses such a device, and the hand-off that
// skips that read must not reach it either). Each device's last seq and count come back, and the queue rows'
// time (the transaction's: created_at). The share lock above waited for a concurrent commit or removal, but under READ
// COMMITTED the member rows it returned may predate them; this statement's snapshot is taken after the wait.
const WRITE = statement(
  'secure_chat_send_write',
  (p) => sql`with r as (delete from ${chatSends} s using json_to_recordset(${p(0)}::json) as x(d uuid, c text)
      where s.device_id = x.d and s.client_id = x.c),
    w as (update ${chatSends} s set result = x.r
      from json_to_recordset(${p(1)}::json) as x(d uuid, c text, r jsonb)
      where s.device_id = x.d and s.client_id = x.c),
    t as (select a.o, a.i, a.d from json_to_recordset(${p(2)}::json) as a(o int, i int, d uuid)
      join json_to_recordset(${p(3)}::json) as e(i int, g text) on e.i = a.i
      where exists (select 1 from ${groupMembers} m where m.device_id = a.d and m.group_id = e.g)
        and not exists (select 1 from ${removedDevices} r where r.device_id = a.d)),
    ${enqueueCtes(p(4))}
    select u.device_id::text as d, u.last_seq::text as l, n.n, now() as at from u join n on n.d = u.device_id`,
);

const key = (d: string, c: string) => `${d}\n${c}`;

/** The statements of a batch of sends (DeliveryService's group commit), each one round trip for the batch. */
@Injectable()
export class SendBatchRepository {
  /**
   * Claims these (device, clientId) pairs — the keys that were new (the others were sent before) — and reads
   * the groups' epochs and member devices, their rows share-locked (a missing group is not in the map), and
   * which of `institutionIds` are on legal hold.
   */
  async claimAndShare(
    pairs: readonly ClientKey[],
    groupIds: readonly string[],
    institutionIds: readonly string[],
    tx: Db,
  ): Promise<{ fresh: Set<string>; groups: Map<string, SharedGroup>; held: Set<string> }> {
    const rows = await runPrepared<{ t: 'c' | 'g' | 'h'; a: string; b: string; m: string | null }>(
      tx,
      CLAIM_AND_SHARE,
      [JSON.stringify(pairs), JSON.stringify([...groupIds].sort()), JSON.stringify(institutionIds)],
    );
    const fresh = new Set<string>();
    const groups = new Map<string, SharedGroup>();
    const held = new Set<string>();
    for (const r of rows) {
      if (r.t === 'c') {
        fresh.add(key(r.a, r.b));
        continue;
      }
      if (r.t === 'h') {
        held.add(r.a);
        continue;
      }
      let g = groups.get(r.a);
      if (!g) groups.set(r.a, (g = { epoch: BigInt(r.b), deviceIds: [] }));
      if (r.m) g.deviceIds.push(r.m);
    }
    return { fresh, groups, held };
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
   * Drops the claims of the sends refused inside the batch (their client ids stay free for a retry), records
   * the answers of the accepted ones and queues their envelopes: one round trip. The seqs each envelope got,
   * by device (seqsWhereWhole: a device that left its group meanwhile is not in them), and the time the queue
   * rows carry (undefined when nothing was queued).
   */
  async write(
    refused: readonly ClientKey[],
    answers: readonly (ClientKey & { r: Record<string, unknown> })[],
    envelopes: readonly EnqueueBatch[],
    tx: Db,
  ): Promise<{ seqs: Map<string, number>[]; at: Date | undefined }> {
    if (refused.length === 0 && answers.length === 0) return { seqs: [], at: undefined };
    const { params, targets } = enqueueParams(envelopes);
    const groupOf = JSON.stringify(envelopes.map((b, i) => ({ i, g: b.envelope.groupId })));
    const taken = await runPrepared<{ d: string; l: string; n: number; at: Date | string }>(tx, WRITE, [
      JSON.stringify(refused),
      JSON.stringify(answers),
      params[0],
      groupOf,
      params[1],
    ]);
    const at = taken[0]?.at;
    return { seqs: seqsWhereWhole(targets, taken), at: at === undefined ? undefined : new Date(at) };
  }
}

export const clientKey = key;

/** jsonb comes back parsed from node-postgres, and may come back as text from other drivers. */
function parseJson(v: unknown): Record<string, unknown> {
  return (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;
}
