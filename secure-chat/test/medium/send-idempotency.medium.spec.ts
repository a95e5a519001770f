import { randomBytes } from 'node:crypto';
import { platformDomain, type DatabaseHandle, type Db, type DevicePrincipal } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatWake, HandedEnvelope } from '../../src/chat-ports.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { SendBatchRepository } from '../../src/delivery/send-batch.repository.js';
import { SendGroupCommit, type PendingSend } from '../../src/delivery/send-group-commit.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { untilLockWaiters } from '../support/lock-waits.js';
import { pendingSend, sendingDevice } from '../support/pending-send.js';

const device = sendingDevice;

/** A node's send batches: what it handed to sockets and woke. */
function node(handle: DatabaseHandle) {
  const handed: HandedEnvelope[] = [];
  const woken: string[] = [];
  const wake: ChatWake = {
    queued: (ids) => void woken.push(...ids),
    handOff: (h) => void handed.push(...h),
    keyPackagesLow: () => undefined,
    removed: () => undefined,
  };
  const sends = new SendGroupCommit(new DeliveryRepository(handle), new SendBatchRepository(), wake, handle);
  return { sends, handed, woken };
}

/** The handle, its transactions running `before` as their last statements (still open, not committed). */
function beforeCommit(handle: DatabaseHandle, before: (tx: Db) => Promise<void>): DatabaseHandle {
  const db = new Proxy(handle.db, {
    get: (target, p) =>
      p === 'transaction'
        ? (fn: (tx: Db) => Promise<unknown>) =>
            target.transaction(async (tx) => {
              const out = await fn(tx);
              await before(tx);
              return out;
            })
        : (Reflect.get(target, p) as unknown),
  });
  return { ...handle, db };
}

/**
 * The idempotency row of a send is written once, with its answer, by the statement that queues the envelope.
 * Two nodes (two send batches, two transactions) carrying the same (device, clientId) at the same time store
 * and queue it once (PostgreSQL only: PGlite has one connection, no transaction runs beside another).
 */
describe('secure chat sends: one idempotency row a send (PostgreSQL; PGlite when it is not reachable)', () => {
  let db: TestDatabase;
  let repo: DeliveryRepository;
  const [a, b, c] = [device(), device(), device()];
  const groupId = randomBytes(16).toString('base64url');
  const send = (over: Partial<PendingSend> = {}) => pendingSend(a, groupId, over);
  const bodiesOf = async (p: DevicePrincipal) =>
    (await repo.inbox(p.deviceId, 0, 500)).map((r) => Buffer.from(r.body).toString('hex'));
  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    repo = new DeliveryRepository(db.handle);
    await db.handle.db.transaction(async (tx) => {
      await repo.insertGroup({ groupId, epoch: 5n, groupInfo: Buffer.from('gi'), createdBy: a.deviceId }, tx);
      await repo.replaceMembers(
        groupId,
        [a, b, c].map((p, leafIndex) => ({ leafIndex, deviceId: p.deviceId, userId: p.userId })),
        tx,
      );
    });
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('queues a send once when two batches carry it together: the second waits, and gets the same answer', async (ctx) => {
    if (!db.url) ctx.skip();
    // Node one's transaction is held open after its statements ran (its row inserted, not committed).
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const one = node(
      beforeCommit(db.handle, async () => {
        holding();
        await gate;
      }),
    );
    const two = node(db.handle);
    const s = send({ clientId: 'same-client-id-two-nodes' });
    const first = one.sends.send(s);
    await held;
    const second = two.sends.send({ ...s, message: Uint8Array.from(s.message) });
    // Node two's batch now waits on node one's uncommitted row.
    await untilLockWaiters(db.handle, 1, 'the second batch never waited on the first one’s row');
    release();
    const [answerOne, answerTwo] = await Promise.all([first, second]);
    expect(answerOne).toEqual({ groupId, epoch: '5', recipients: 2 });
    expect(answerTwo).toEqual(answerOne);
    const body = Buffer.from(s.message).toString('hex');
    for (const p of [b, c]) expect((await bodiesOf(p)).filter((x) => x === body)).toHaveLength(1);
    // Node two queued nothing, so it hands off nothing (no seqs), but it wakes the recipients all the same.
    expect(two.handed).toEqual([]);
    expect(two.woken.sort()).toEqual([b.deviceId, c.deviceId].sort());
    expect(one.handed.map((h) => h.deviceId).sort()).toEqual([b.deviceId, c.deviceId].sort());
  });

  it('wakes the recipients when a batch committed but its answer was lost, and its sends are found stored', async () => {
    // The handle's second transaction commits, then fails as a connection dropped before the reply would.
    let calls = 0;
    let mark = 0;
    const lossy: DatabaseHandle = {
      ...db.handle,
      db: new Proxy(db.handle.db, {
        get: (target, p) =>
          p === 'transaction'
            ? async (fn: (tx: Db) => Promise<unknown>) => {
                if (++calls !== 2) return target.transaction(fn);
                mark = n.woken.length;
                await target.transaction(fn);
                throw new Error('Connection terminated unexpectedly');
              }
            : (Reflect.get(target, p) as unknown),
      }),
      mode: 'embedded', // one batch in flight: the two sends below gather while the first is written
    };
    const n = node(lossy);
    const [fromA, fromB] = [send(), send({ device: b })];
    const warmUp = n.sends.send(send());
    const answers = await Promise.all([warmUp, n.sends.send(fromA), n.sends.send(fromB)]);
    expect(calls).toBe(4); // the warm-up, the batch of two (lost), each of its sends again
    expect(answers.slice(1)).toEqual([
      { groupId, epoch: '5', recipients: 2 },
      { groupId, epoch: '5', recipients: 2 },
    ]);
    // Queued once, by the batch whose answer was lost; woken by the sends that found themselves stored.
    const bodyOf = (x: PendingSend) => Buffer.from(x.message).toString('hex');
    expect((await bodiesOf(c)).filter((x) => x === bodyOf(fromA) || x === bodyOf(fromB))).toHaveLength(2);
    expect(new Set(n.woken.slice(mark))).toEqual(new Set([a.deviceId, b.deviceId, c.deviceId]));
  });

  it("writes each send's idempotency row once, with its answer: no claim row updated afterwards", async () => {
    // The row versions written to chat_sends, read in each batch's transaction before it commits.
    const counts: { ins: number; upd: number }[] = [];
    // One batch in flight at a time (as on the embedded database): sends made meanwhile go out together.
    const { sends } = node({
      ...beforeCommit(db.handle, async (tx) => {
        const r = await tx.execute(sql`select n_tup_ins::int as ins, n_tup_upd::int as upd
          from pg_stat_xact_user_tables where schemaname = 'secure_chat' and relname = 'sends'`);
        counts.push((r as { rows: { ins: number; upd: number }[] }).rows[0]!);
      }),
      mode: 'embedded',
    });
    const batch = [a, b, c].map((p) => send({ device: p }));
    const warmUp = sends.send(send()); // while it is written, the three gather into one batch
    await Promise.all([warmUp, ...batch.map((x) => sends.send(x))]);
    // (The counts are the connection's since its last report, so they may include an earlier batch's.)
    expect(counts).toHaveLength(2);
    expect(counts[1]!.ins).toBeGreaterThanOrEqual(3);
    expect(counts.map((x) => x.upd)).toEqual([0, 0]);
  });
});
