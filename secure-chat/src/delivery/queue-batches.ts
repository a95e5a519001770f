import {
  GroupCommit,
  type DatabaseHandle,
  type GroupCommitOptions,
  type Keyed,
  type Settled,
} from '@pakawaaz/platform';
import { sql } from 'drizzle-orm';
import { removedDevices } from '../membership/removals.schema.js';
import { secureChatError } from '../secure-chat.errors.js';
import { deviceQueue, type QueueKind } from './delivery.schema.js';
import { STORED_ENVELOPE_BYTES_SQL } from './envelope-bytes.js';
import { runPrepared, statement } from './prepared.js';

export type QueueRow = {
  seq: number;
  groupId: string;
  senderDevice: string | null;
  kind: QueueKind;
  body: Buffer;
  createdAt: Date;
};

/** A read's rows, and whether the queue holds more after them (cut by count or by bytes). */
export type QueuePage = { rows: QueueRow[]; more: boolean };
/** A device's read: after its cursor, at most `limit` rows and `bytes` bytes of envelopes (but one row). */
type Read = { after: number; limit: number; bytes: number };

/** Most devices' reads (or acks) in one statement. */
const QUEUE_BATCH = 64;
/** Most devices whose deleted seq a node remembers (see QueueBatches.deletedUpTo): about 100 bytes each. */
const DELETED_UP_TO_MAX = 200_000;

// One statement for many devices' reads: each device's page after its cursor, in seq order (a lateral
// subquery on the primary key per device), cut by bytes in the database: at most `n` rows, those whose
// envelopes' bytes (STORED_ENVELOPE_BYTES_SQL, summed in seq order) are within the device's budget `b`, and the
// first whatever its size (its running sum is its own bytes: a row's are never 0). The sum reads the bodies'
// lengths only (octet_length of a TOASTed value reads its header, not the value): a row past the cut is never
// read whole. `more`: a row follows (lead() sees past the limit: window functions come before it). A device
// taken out of chat reads nothing: one row with `gone` set instead (a primary-key probe of removed_devices).
const BYTES = sql.raw(STORED_ENVELOPE_BYTES_SQL);
const READ = statement(
  'secure_chat_inbox_batch',
  (p) => sql`with x as (select * from json_to_recordset(${p(0)}::json)
      as x(i int, d uuid, a bigint, n int, b bigint))
    select x.i, q.seq as s, q.seq::text as seq, q.group_id, q.sender_device::text as sender,
      q.kind, q.body, q.created_at, q.more, false as gone
    from x cross join lateral (select * from (select q.*, sum(${BYTES}) over w as run,
        lead(q.seq) over w is not null as more
      from ${deviceQueue} q where q.device_id = x.d and q.seq > x.a
      window w as (order by q.seq rows unbounded preceding) order by q.seq limit x.n) q
      where q.run <= x.b or q.run = ${BYTES}) q
    where not exists (select 1 from ${removedDevices} r where r.device_id = x.d)
    union all select x.i, null, null, null, null, null, null, null, null, true
    from x join ${removedDevices} r on r.device_id = x.d
    order by 1, 2`,
);

// Many devices' acks in one statement. Acknowledged rows stay in the queue's pages, and their entries in its
// primary key, until a vacuum: a scan of a device's whole queue, or of everything up to its ack, reads its
// history since then, more the busier it is — the bench found such scans most of PostgreSQL's CPU a message.
// So each device's rows are found by the primary key between the highest seq this node deleted for it (`a`:
// nothing at or below it is left) and its ack (`u`), in a lateral subquery behind `offset 0` (the planner may
// not flatten it into a hash join over the table), and deleted by their ctids. The statement is planned at
// each call ('each call': unnamed): a plan kept from when the queue was empty reads the table whole even for
// ctids, one for the queue as it is uses a TID scan. A row another node deleted meanwhile is skipped (READ
// COMMITTED), so its count is that node's.
const ACK = statement(
  'secure_chat_ack_batch',
  (p) => sql`with gone as (delete from ${deviceQueue} q where q.ctid = any (array(
      select k.ctid from json_to_recordset(${p(0)}::json) as x(d uuid, a bigint, u bigint)
        cross join lateral (select ctid from ${deviceQueue} q1
          where q1.device_id = x.d and q1.seq > x.a and q1.seq <= x.u offset 0) k))
      returning q.device_id, q.seq)
    select device_id::text as d, count(*)::int as n, max(seq)::text as top from gone group by 1`,
  'each call',
);

/** The statements, for the test that reads their plans. */
export const QUEUE_STATEMENTS = { read: READ, ack: ACK } as const;

type RawRow = {
  i: number;
  seq: string;
  group_id: string;
  sender: string | null;
  kind: QueueKind;
  body: Uint8Array;
  created_at: Date | string;
  more: boolean | null;
  gone: boolean;
};

/**
 * The queue reads of socket wakes and the acks, batched as sends are (GroupCommit, keyed by device): the
 * reads that many wakes ask for at once are one statement, as are the acks that arrive together.
 */
export class QueueBatches {
  private readonly reads: GroupCommit<Read, QueuePage>;
  private readonly acks: GroupCommit<number, number>;
  /**
   * The highest seq this node deleted for each device that acknowledged through it: nothing at or below it is
   * left (a device's seqs are committed in order, so whatever it acknowledged was all there), and the next ack
   * starts after it. Not the ack itself: an ack past the device's last seq must not hide rows queued later. The
   * first ack after a start scans from the queue's start. It assumes seqs only grow: a database restored to an
   * earlier point under a running node would hand out seqs at or below it again (restart the node then).
   */
  private readonly deletedUpTo = new Map<string, number>();

  /** A device taken out of chat: its queue is gone, and so is what this node knew of it. */
  forget(deviceId: string): void {
    this.deletedUpTo.delete(deviceId);
  }

  /** `linger`: the reads' (and, unless `acks` says otherwise, the acks') batching (secure-chat.config.ts). */
  constructor(
    private readonly database: DatabaseHandle,
    linger: Pick<GroupCommitOptions<unknown, unknown>, 'linger'> = {},
    acks: Partial<Pick<GroupCommitOptions<unknown, unknown>, 'linger' | 'maxBatch'>> = linger,
  ) {
    const options = { maxBatch: QUEUE_BATCH, maxInFlight: database.mode === 'embedded' ? 1 : 2 };
    this.reads = new GroupCommit({ flush: (b) => this.read(b), ...options, ...linger });
    // A device's acks are cumulative: those that wait together are one, up to the highest.
    this.acks = new GroupCommit({ flush: (b) => this.ack(b), ...options, ...acks, merge: Math.max });
  }

  /** Sends what waits now and resolves when nothing is left (shutdown: before the database closes). */
  async drain(): Promise<void> {
    await Promise.all([this.reads.drain(), this.acks.drain()]);
  }

  /** For tests and the bench: each kind's writes waiting, statements in flight and largest batch so far. */
  stats() {
    return { reads: this.reads.stats(), acks: this.acks.stats() };
  }

  inbox(deviceId: string, read: Read): Promise<QueuePage> {
    return this.reads.write(deviceId, read);
  }

  /**
   * Deletes the device's queue up to `upTo`; how many envelopes went. A device's acks that wait together go
   * as one, to the highest, and share its count.
   */
  deleteUpTo(deviceId: string, upTo: number): Promise<number> {
    return this.acks.write(deviceId, upTo);
  }

  private async read(batch: readonly Keyed<Read>[]) {
    const rows = await runPrepared<RawRow>(this.database.db, READ, [
      JSON.stringify(
        batch.map((b, i) => ({ i, d: b.key, a: b.item.after, n: b.item.limit, b: b.item.bytes })),
      ),
    ]);
    const out = batch.map((): QueuePage => ({ rows: [], more: false }));
    const gone = new Set<number>();
    for (const r of rows) {
      const page = out[r.i];
      if (r.gone) gone.add(r.i);
      else if (page) {
        page.more = r.more === true; // the last row's: a row follows it
        page.rows.push({
          seq: Number(r.seq),
          groupId: r.group_id,
          senderDevice: r.sender,
          kind: r.kind,
          body: Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength),
          createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
        });
      }
    }
    return out.map((value, i): Settled<QueuePage> =>
      gone.has(i)
        ? {
            ok: false,
            error: secureChatError('device_removed_from_chat', 'This device was taken out of chat.'),
          }
        : { ok: true, value },
    );
  }

  private async ack(batch: readonly Keyed<number>[]) {
    const from = batch.map((b) => this.deletedUpTo.get(b.key) ?? 0);
    const rows = await runPrepared<{ d: string; n: number; top: string }>(this.database.db, ACK, [
      JSON.stringify(batch.map((b, i) => ({ d: b.key, a: from[i], u: b.item }))),
    ]);
    // Bounded: past DELETED_UP_TO_MAX devices it starts over (a device not in it scans from its queue's start).
    if (this.deletedUpTo.size > DELETED_UP_TO_MAX) this.deletedUpTo.clear();
    for (const r of rows) this.deletedUpTo.set(r.d, Math.max(this.deletedUpTo.get(r.d) ?? 0, Number(r.top)));
    // A batch holds one ack a device (GroupCommit's key): the counts come back by device.
    const gone = new Map(rows.map((r) => [r.d, r.n]));
    return batch.map((b): Settled<number> => ({ ok: true, value: gone.get(b.key) ?? 0 }));
  }
}
