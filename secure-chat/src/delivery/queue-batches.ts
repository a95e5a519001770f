import { GroupCommit, type DatabaseHandle, type Keyed, type Settled } from '@pakawaaz/platform';
import { sql } from 'drizzle-orm';
import { removedDevices } from '../membership/removals.schema.js';
import { secureChatError } from '../secure-chat.errors.js';
import { deviceQueue, type QueueKind } from './delivery.schema.js';
import { runPrepared, statement } from './prepared.js';

export type QueueRow = {
  seq: number;
  groupId: string;
  senderDevice: string | null;
  kind: QueueKind;
  body: Buffer;
  createdAt: Date;
};

/** Most devices' reads (or acks) in one statement. */
const QUEUE_BATCH = 64;

// One statement for many devices' reads: each device's page after its cursor, in seq order (a lateral
// subquery on the primary key per device). A device taken out of chat reads nothing: one row with `gone`
// set instead (a primary-key probe of removed_devices per device).
const READ = statement(
  'secure_chat_inbox_batch',
  (p) => sql`with x as (select * from json_to_recordset(${p(0)}::json) as x(i int, d uuid, a bigint, n int))
    select x.i, q.seq as s, q.seq::text as seq, q.group_id, q.sender_device::text as sender,
      q.kind, q.body, q.created_at, false as gone
    from x cross join lateral (select * from ${deviceQueue} q where q.device_id = x.d and q.seq > x.a
      order by q.seq limit x.n) q
    where not exists (select 1 from ${removedDevices} r where r.device_id = x.d)
    union all select x.i, null, null, null, null, null, null, null, true
    from x join ${removedDevices} r on r.device_id = x.d
    order by 1, 2`,
);
const ACK = statement(
  'secure_chat_ack_batch',
  (
    p,
  ) => sql`with gone as (delete from ${deviceQueue} q using json_to_recordset(${p(0)}::json) as x(i int, d uuid, u bigint)
      where q.device_id = x.d and q.seq <= x.u returning x.i)
    select i, count(*)::int as n from gone group by i`,
);

type RawRow = {
  i: number;
  seq: string;
  group_id: string;
  sender: string | null;
  kind: QueueKind;
  body: Uint8Array;
  created_at: Date | string;
  gone: boolean;
};

/**
 * The queue reads of socket wakes and the acks, batched as sends are (GroupCommit, keyed by device): the
 * reads that many wakes ask for at once are one statement, as are the acks that arrive together.
 */
export class QueueBatches {
  private readonly reads: GroupCommit<{ after: number; limit: number }, QueueRow[]>;
  private readonly acks: GroupCommit<number, number>;

  constructor(private readonly database: DatabaseHandle) {
    const maxInFlight = database.mode === 'embedded' ? 1 : 2;
    this.reads = new GroupCommit({ flush: (b) => this.read(b), maxBatch: QUEUE_BATCH, maxInFlight });
    this.acks = new GroupCommit({ flush: (b) => this.ack(b), maxBatch: QUEUE_BATCH, maxInFlight });
  }

  inbox(deviceId: string, after: number, limit: number): Promise<QueueRow[]> {
    return this.reads.write(deviceId, { after, limit });
  }

  /** Deletes the device's queue up to `upTo`; how many envelopes went. */
  deleteUpTo(deviceId: string, upTo: number): Promise<number> {
    return this.acks.write(deviceId, upTo);
  }

  private async read(batch: readonly Keyed<{ after: number; limit: number }>[]) {
    const rows = await runPrepared<RawRow>(this.database.db, READ, [
      JSON.stringify(batch.map((b, i) => ({ i, d: b.key, a: b.item.after, n: b.item.limit }))),
    ]);
    const out = batch.map((): QueueRow[] => []);
    const gone = new Set<number>();
    for (const r of rows)
      if (r.gone) gone.add(r.i);
      else
        out[r.i]?.push({
          seq: Number(r.seq),
          groupId: r.group_id,
          senderDevice: r.sender,
          kind: r.kind,
          body: Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength),
          createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
        });
    return out.map((value, i): Settled<QueueRow[]> =>
      gone.has(i)
        ? {
            ok: false,
            error: secureChatError('device_removed_from_chat', 'This device was taken out of chat.'),
          }
        : { ok: true, value },
    );
  }

  private async ack(batch: readonly Keyed<number>[]) {
    const rows = await runPrepared<{ i: number; n: number }>(this.database.db, ACK, [
      JSON.stringify(batch.map((b, i) => ({ i, d: b.key, u: b.item }))),
    ]);
    const gone = new Map(rows.map((r) => [r.i, r.n]));
    return batch.map((_, i): Settled<number> => ({ ok: true, value: gone.get(i) ?? 0 }));
  }
}
