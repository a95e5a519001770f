import { randomBytes } from 'node:crypto';
import { platformDomain, type DevicePrincipal } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatWake, HandedEnvelope } from '../../src/chat-ports.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { deviceQueue } from '../../src/delivery/delivery.schema.js';
import { SendBatchRepository } from '../../src/delivery/send-batch.repository.js';
import { SendGroupCommit, type PendingSend } from '../../src/delivery/send-group-commit.js';
import { RemovalsRepository } from '../../src/membership/removals.repository.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { codeOf } from '../support/app-error.js';
import { pendingSend, sendingDevice } from '../support/pending-send.js';

const device = sendingDevice;

/**
 * Group commit of sends (the MLS framing is read before a send reaches the batch, so these sends
 * carry opaque bytes and the epoch the framing gave). The database handle says "embedded" so one batch is in
 * flight at a time: sends made while it is, go out together as the next batch.
 */
describe('secure chat sends: group commit (PostgreSQL; PGlite when it is not reachable)', () => {
  let db: TestDatabase;
  let repo: DeliveryRepository;
  let sends: SendGroupCommit;
  const woken: string[] = [];
  const handed: HandedEnvelope[] = [];
  const [a, b, c, d, e] = [device(), device(), device(), device(), device()];
  const groupId = randomBytes(16).toString('base64url');
  const other = randomBytes(16).toString('base64url');

  const send = (from: DevicePrincipal, over: Partial<PendingSend> = {}) => pendingSend(from, groupId, over);
  const queueOf = async (p: DevicePrincipal) =>
    (await repo.inbox(p.deviceId, 0, 200)).map((r) => ({ seq: r.seq, from: r.senderDevice, body: r.body }));

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    repo = new DeliveryRepository(db.handle);
    const wake: ChatWake = {
      queued: (ids) => void woken.push(...ids),
      handOff: (h) => void handed.push(...h),
      keyPackagesLow: () => undefined,
      removed: () => undefined,
    };
    const oneAtATime = { ...db.handle, mode: 'embedded' as const };
    sends = new SendGroupCommit(repo, new SendBatchRepository(), wake, oneAtATime, {
      sendBatch: 64,
      commitLingerMs: 0,
    });
    await db.handle.db.transaction(async (tx) => {
      await repo.insertGroup({ groupId, epoch: 5n, groupInfo: Buffer.from('gi'), createdBy: a.deviceId }, tx);
      await repo.replaceMembers(
        groupId,
        [a, b, c, d].map((p, leafIndex) => ({ leafIndex, deviceId: p.deviceId, userId: p.userId })),
        tx,
      );
    });
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('answers each send of one batch on its own: a stale epoch or an unknown group fails only itself', async () => {
    const warmUp = sends.send(send(a));
    const ok = send(b, { epoch: 4n }); // the epoch before: accepted
    const stale = send(c, { epoch: 3n });
    const stranger = send(e); // not a member
    const unknown = send(d, { groupId: other });
    const answers = Promise.allSettled([ok, stale, stranger, unknown].map((s) => sends.send(s)));
    await warmUp;
    const [okA, staleA, strangerA, unknownA] = await answers;
    expect(sends.stats().largestBatch).toBe(4);
    expect(okA).toEqual({ status: 'fulfilled', value: { groupId, epoch: '4', recipients: 3 } });
    const refusal = (r: PromiseSettledResult<unknown> | undefined) =>
      codeOf(r?.status === 'fulfilled' ? Promise.resolve(r.value) : Promise.reject(r?.reason as Error));
    expect(await refusal(staleA)).toEqual({ code: 'mls_stale_epoch', status: 409, details: { epoch: '5' } });
    expect((await refusal(strangerA)).code).toBe('group_not_found');
    expect((await refusal(unknownA)).code).toBe('group_not_found');
    // Only the accepted ones were queued (the warm-up to b, c, d; b's to a, c, d).
    expect((await queueOf(c)).map((q) => q.from)).toEqual([a.deviceId, b.deviceId]);
    // A refused send's client id stays free: retried at the right epoch it is accepted.
    expect(await sends.send({ ...stale, epoch: 5n })).toEqual({ groupId, epoch: '5', recipients: 3 });
  });

  it('stores a send and its retry (same clientId, sent together) once, answering both alike', async () => {
    const before = (await queueOf(d)).length;
    const one = send(a, { clientId: 'dup-client-id-1' });
    const [first, second] = await Promise.all([sends.send(one), sends.send({ ...one })]);
    expect(second).toEqual(first);
    const fromA = (await queueOf(d)).slice(before).filter((q) => q.from === a.deviceId);
    expect(fromA).toHaveLength(1);
    expect(Buffer.compare(fromA[0]!.body, Buffer.from(one.message))).toBe(0);
    // The same clientId for another group is refused, not answered with the first result.
    expect((await codeOf(sends.send({ ...one, groupId: other }))).code).toBe('client_id_reused');
  });

  it("keeps each device's order: sends made without waiting are queued in the order they were made", async () => {
    const before = (await queueOf(d)).length;
    const fromA = Array.from({ length: 5 }, () => send(a));
    const fromB = Array.from({ length: 5 }, () => send(b));
    // Interleaved, none awaited before the next: batches carry one send of each device at a time.
    await Promise.all(fromA.flatMap((s, i) => [sends.send(s), sends.send(fromB[i]!)]));
    const queued = (await queueOf(d)).slice(before);
    const bodies = (p: DevicePrincipal) =>
      queued.filter((q) => q.from === p.deviceId).map((q) => Buffer.from(q.body).toString('hex'));
    expect(bodies(a)).toEqual(fromA.map((s) => Buffer.from(s.message).toString('hex')));
    expect(bodies(b)).toEqual(fromB.map((s) => Buffer.from(s.message).toString('hex')));
    const seqs = queued.map((q) => q.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(woken.concat(handed.map((h) => h.deviceId))).toContain(d.deviceId);
  });

  it("hands each recipient's socket exactly what its queue holds: the seqs, in order, and the bodies", async () => {
    handed.length = 0;
    const before = new Map(
      await Promise.all([a, b, c, d].map(async (p) => [p, (await queueOf(p)).length] as const)),
    );
    const batch = [send(a), send(b), send(a), send(c), send(b)];
    await Promise.all(batch.map((s) => sends.send(s)));
    for (const p of [a, b, c, d]) {
      const queued = (await queueOf(p)).slice(before.get(p));
      const mine = handed.filter((h) => h.deviceId === p.deviceId).map((h) => h.envelope);
      expect(mine.map((e) => e.seq)).toEqual(queued.map((q) => q.seq));
      expect(mine.map((e) => e.senderDevice)).toEqual(queued.map((q) => q.from));
      expect(mine.map((e) => e.body)).toEqual(queued.map((q) => Buffer.from(q.body).toString('base64url')));
      expect(mine.every((e) => e.groupId === groupId && e.kind === 'application')).toBe(true);
    }
    // Three recipients a send (the four members but its sender): every one handed, none left to a read.
    expect(handed).toHaveLength(3 * 5);
  });

  it('queues a send only to devices still members after a removal it waited for (READ COMMITTED)', async (ctx) => {
    if (!db.url) ctx.skip(); // PGlite: one connection, no transaction runs beside another
    const raced = randomBytes(16).toString('base64url');
    const members = (ps: DevicePrincipal[]) =>
      ps.map((p, leafIndex) => ({ leafIndex, deviceId: p.deviceId, userId: p.userId }));
    await db.handle.db.transaction(async (tx) => {
      await repo.insertGroup(
        { groupId: raced, epoch: 5n, groupInfo: Buffer.from('gi'), createdBy: a.deviceId },
        tx,
      );
      await repo.replaceMembers(raced, members([a, b, c, d]), tx);
    });
    // A removal of d holds the group's row (FOR UPDATE, the row itself unchanged) while a send arrives.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const removal = db.handle.db.transaction(async (tx) => {
      await repo.lockGroup(raced, tx);
      await repo.replaceMembers(raced, members([a, b, c]), tx);
      holding();
      await released;
    });
    await held;
    const sent = sends.send(send(a, { groupId: raced }));
    await new Promise((r) => setTimeout(r, 300)); // the send now waits on the group's row
    release();
    await removal;
    await sent;
    const fromRaced = async (p: DevicePrincipal) =>
      (await repo.inbox(p.deviceId, 0, 200)).filter((q) => q.groupId === raced).length;
    expect(await fromRaced(d)).toBe(0);
    expect(await fromRaced(c)).toBe(1);
    // d, left out by the statement, is not handed the envelope (it is only woken); c is, with its seq.
    const racedHanded = handed.filter((h) => h.envelope.groupId === raced);
    expect(racedHanded.map((h) => h.deviceId).sort()).toEqual([b.deviceId, c.deviceId].sort());
    const [cRow] = (await repo.inbox(c.deviceId, 0, 200)).filter((q) => q.groupId === raced);
    expect(racedHanded.find((h) => h.deviceId === c.deviceId)?.envelope.seq).toBe(cRow!.seq);
  });

  it('queues nothing to a member taken out of chat (a removal that raced the commit adding it), nor hands it', async () => {
    const odd = randomBytes(16).toString('base64url');
    const [p, r] = [device(), device()];
    await db.handle.db.transaction(async (tx) => {
      await repo.insertGroup(
        { groupId: odd, epoch: 5n, groupInfo: Buffer.from('gi'), createdBy: p.deviceId },
        tx,
      );
      await repo.replaceMembers(
        odd,
        [p, r, c].map((x, leafIndex) => ({ leafIndex, deviceId: x.deviceId, userId: x.userId })),
        tx,
      );
      await new RemovalsRepository(db.handle).record(r.deviceId, r.userId, 'lost', tx);
    });
    handed.length = 0;
    await sends.send(send(p, { groupId: odd }));
    expect(handed.map((h) => h.deviceId)).toEqual([c.deviceId]);
    const queued = await db.handle.db
      .select({ d: deviceQueue.deviceId, at: deviceQueue.createdAt })
      .from(deviceQueue)
      .where(eq(deviceQueue.groupId, odd));
    expect(queued.map((q) => q.d)).toEqual([c.deviceId]);
    // The hand-off carries the queue row's time (the transaction's), as a read would.
    expect(handed[0]!.envelope.at).toBe(queued[0]!.at.toISOString());
  });

  it('refuses the inbox of a device taken out of chat; the others of the same batch read theirs', async () => {
    const gone = device();
    await db.handle.db.transaction(async (tx) =>
      new RemovalsRepository(db.handle).record(gone.deviceId, gone.userId, 'lost', tx),
    );
    // Asked together: one batch of reads.
    const refused = codeOf(repo.inbox(gone.deviceId, 0, 200));
    const read = repo.inbox(c.deviceId, 0, 200);
    expect(await refused).toMatchObject({ code: 'device_removed_from_chat', status: 403 });
    expect((await read).length).toBeGreaterThan(0);
  });
});
