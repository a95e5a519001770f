import { Injectable } from '@nestjs/common';
import type { Db } from '@pakawaaz/platform';
import { sql } from 'drizzle-orm';
import { chatGroups, chatSends, groupMembers } from './delivery.schema.js';
import { runPrepared, statement } from './prepared.js';

/** A send's (device, clientId): the key of its idempotency row. */
export type ClientKey = { d: string; c: string };
/** A group's epoch and member devices, as a batch of sends reads them. */
export type SharedGroup = { epoch: bigint; deviceIds: string[] };

// Each statement takes its rows as one JSON parameter (json_to_recordset), so its text is the same for a
// batch of one or of a hundred: PostgreSQL plans it once per connection (named), PGlite runs it as is.
const CLAIM = statement(
  'secure_chat_send_claim',
  (p) => sql`insert into ${chatSends} (device_id, client_id, result)
    select x.d, x.c, '{}'::jsonb from json_to_recordset(${p(0)}::json) as x(d uuid, c text)
    on conflict do nothing returning device_id::text as d, client_id as c`,
);
const PREVIOUS = statement(
  'secure_chat_send_previous',
  (p) => sql`select s.device_id::text as d, s.client_id as c, s.result
    from ${chatSends} s join json_to_recordset(${p(0)}::json) as x(d uuid, c text)
      on s.device_id = x.d and s.client_id = x.c`,
);
const RELEASE = statement(
  'secure_chat_send_release',
  (p) => sql`delete from ${chatSends} s using json_to_recordset(${p(0)}::json) as x(d uuid, c text)
    where s.device_id = x.d and s.client_id = x.c`,
);
const RECORD = statement(
  'secure_chat_send_record',
  (p) => sql`update ${chatSends} s set result = x.r
    from json_to_recordset(${p(0)}::json) as x(d uuid, c text, r jsonb)
    where s.device_id = x.d and s.client_id = x.c`,
);
// The groups' rows share-locked in group id order (the sort is below the lock): messages pass each other,
// a commit (FOR UPDATE on its group) waits for them and they for it.
const SHARE = statement(
  'secure_chat_send_groups',
  (p) => sql`select g.group_id as g, g.epoch::text as e, m.device_id::text as d
    from ${chatGroups} g left join ${groupMembers} m on m.group_id = g.group_id
    where g.group_id in (select json_array_elements_text(${p(0)}::json))
    order by g.group_id for share of g`,
);

const key = (d: string, c: string) => `${d}\n${c}`;

/** The statements of a batch of sends (DeliveryService's group commit), each one round trip for the batch. */
@Injectable()
export class SendBatchRepository {
  /** Claims these (device, clientId) pairs: the keys that were new (the others were sent before). */
  async claim(pairs: readonly ClientKey[], tx: Db): Promise<Set<string>> {
    const rows = await runPrepared<{ d: string; c: string }>(tx, CLAIM, [JSON.stringify(pairs)]);
    return new Set(rows.map((r) => key(r.d, r.c)));
  }

  /** The stored answers of pairs sent before, by key. */
  async previous(pairs: readonly ClientKey[], tx: Db): Promise<Map<string, Record<string, unknown>>> {
    if (pairs.length === 0) return new Map();
    const rows = await runPrepared<{ d: string; c: string; result: unknown }>(tx, PREVIOUS, [
      JSON.stringify(pairs),
    ]);
    return new Map(rows.map((r) => [key(r.d, r.c), parseJson(r.result)]));
  }

  /** Drops the claims of sends refused inside the batch (their client ids stay free for a retry). */
  async release(pairs: readonly ClientKey[], tx: Db): Promise<void> {
    if (pairs.length) await runPrepared(tx, RELEASE, [JSON.stringify(pairs)]);
  }

  async record(rows: readonly (ClientKey & { r: Record<string, unknown> })[], tx: Db): Promise<void> {
    if (rows.length) await runPrepared(tx, RECORD, [JSON.stringify(rows)]);
  }

  /** The groups' epochs and member devices, their rows share-locked; a missing group is not in the map. */
  async shareGroups(groupIds: readonly string[], tx: Db): Promise<Map<string, SharedGroup>> {
    const rows = await runPrepared<{ g: string; e: string; d: string | null }>(tx, SHARE, [
      JSON.stringify([...groupIds].sort()),
    ]);
    const out = new Map<string, SharedGroup>();
    for (const r of rows) {
      let g = out.get(r.g);
      if (!g) out.set(r.g, (g = { epoch: BigInt(r.e), deviceIds: [] }));
      if (r.d) g.deviceIds.push(r.d);
    }
    return out;
  }
}

export const clientKey = key;

/** jsonb comes back parsed from node-postgres, and may come back as text from other drivers. */
function parseJson(v: unknown): Record<string, unknown> {
  return (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;
}
