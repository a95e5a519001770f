import { sql, type SQL } from 'drizzle-orm';
import { deviceQueue, deviceSeq, type QueueKind } from './delivery.schema.js';
import { statement } from './prepared.js';

export type Envelope = {
  readonly groupId: string;
  readonly senderDevice: string | null;
  readonly kind: QueueKind;
  readonly body: Buffer;
};
export type EnqueueBatch = { deviceIds: readonly string[]; envelope: Envelope };

/**
 * The part of a statement that queues envelopes, after a CTE `t(o, i, d)`: envelope i for device d, o its
 * place in queue order; `envelopes` is the JSON parameter of the envelopes by i (a fan-out's body once). Each
 * device's seq row is taken once, all of them in one upsert in id order, so two transactions that share devices
 * cannot deadlock on them; a device's envelopes are numbered in the order o. Defines `n` (envelopes per
 * device) and `u` (each device's last seq now).
 */
export const enqueueCtes = (envelopes: SQL) => sql`n as (select d, count(*)::int as n from t group by d),
    u as (insert into ${deviceSeq} as s (device_id, last_seq) select d, n from n order by d
      on conflict (device_id) do update set last_seq = s.last_seq + excluded.last_seq
      returning s.device_id, s.last_seq),
    q as (insert into ${deviceQueue} (device_id, seq, group_id, sender_device, kind, body)
      select t.d, u.last_seq - n.n + row_number() over (partition by t.d order by t.o), e.g, e.s, e.k,
        decode(e.b, 'base64')
      from t join n on n.d = t.d join u on u.device_id = t.d
        join json_to_recordset(${envelopes}::json) as e(i int, g text, s uuid, k text, b text) on e.i = t.i)`;

/** The text of `t` from a JSON parameter of enqueueParams' rows. */
export const enqueueTargets = (rows: SQL) =>
  sql`t as (select * from json_to_recordset(${rows}::json) as t(o int, i int, d uuid))`;

// Built once: $1 the (envelope, device) rows, $2 the envelopes; answers each device's last seq and count.
export const ENQUEUE = statement(
  'secure_chat_enqueue',
  (p) => sql`with ${enqueueTargets(p(0))}, ${enqueueCtes(p(1))}
    select u.device_id::text as d, u.last_seq::text as l, n.n from u join n on n.d = u.device_id`,
);

/** The two JSON parameters of enqueueTargets and enqueueCtes; each batch's devices once, in order. */
export function enqueueParams(batches: readonly EnqueueBatch[]) {
  const targets = batches.map((b) => [...new Set(b.deviceIds)]);
  const rows: { o: number; i: number; d: string }[] = [];
  targets.forEach((ids, i) => ids.forEach((d) => rows.push({ o: rows.length, i, d })));
  const envelopes = batches.map(({ envelope: e }, i) => ({
    i,
    g: e.groupId,
    s: e.senderDevice,
    k: e.kind,
    b: e.body.toString('base64'),
  }));
  return { targets, count: rows.length, params: [JSON.stringify(rows), JSON.stringify(envelopes)] };
}

/** The seqs ENQUEUE gave, by device, per batch (each device's run handed out batch by batch). */
export function seqsGiven(
  targets: readonly string[][],
  taken: readonly { d: string; l: string; n: number }[],
): Map<string, number>[] {
  const next = new Map(taken.map((r) => [r.d, Number(r.l) - r.n + 1]));
  return targets.map((ids) => {
    const seqs = new Map<string, number>();
    for (const deviceId of ids) {
      const seq = next.get(deviceId)!;
      next.set(deviceId, seq + 1);
      seqs.set(deviceId, seq);
    }
    return seqs;
  });
}

/**
 * The seqs a statement that may have skipped some targets gave (the send batch queues only to devices still
 * members: `taken` is each device's last seq and how many it got). Only devices that got every envelope
 * meant for them are in the maps — their seqs follow from the count; a device that lost one (left the group
 * meanwhile) is left out, and its socket reads its queue instead.
 */
export function seqsWhereWhole(
  targets: readonly string[][],
  taken: readonly { d: string; l: string; n: number }[],
): Map<string, number>[] {
  const meant = new Map<string, number>();
  for (const ids of targets) for (const d of ids) meant.set(d, (meant.get(d) ?? 0) + 1);
  const whole = taken.filter((r) => meant.get(r.d) === r.n);
  const wholeIds = new Set(whole.map((r) => r.d));
  return seqsGiven(
    targets.map((ids) => ids.filter((d) => wholeIds.has(d))),
    whole,
  );
}
