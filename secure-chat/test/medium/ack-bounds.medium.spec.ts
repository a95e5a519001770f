import { randomBytes, randomUUID } from 'node:crypto';
import { platformDomain, type Db } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';

/**
 * An ack deletes a device's rows from the highest seq its node deleted for it up to the ack (queue-batches.ts):
 * nothing it must delete may lie at or below that bound — after an ack past the device's last seq, when two
 * nodes take turns, or when an envelope's transaction was still open during an ack (PostgreSQL; PGlite when it
 * is not reachable, one node's connection then).
 */
describe('secure chat acks: where an ack starts never hides a row it must delete', () => {
  let db: TestDatabase;
  let one: DeliveryRepository;
  let two: DeliveryRepository;
  const groupId = randomBytes(16).toString('base64url');

  /** Queues `n` envelopes for the device, one statement each (its seqs in order), in `tx` if given. */
  const queue = async (repo: DeliveryRepository, deviceId: string, n: number, tx: Db = repo.db) => {
    for (let k = 0; k < n; k++)
      await repo.enqueueAll(
        [
          {
            deviceIds: [deviceId],
            envelope: { groupId, senderDevice: null, kind: 'application', body: randomBytes(8) },
          },
        ],
        tx,
      );
  };
  const left = async (deviceId: string) => (await one.inbox(deviceId, 0, 1000)).map((r) => r.seq);

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    one = new DeliveryRepository(db.handle); // two nodes: each its own QueueBatches and memory of what it deleted
    two = new DeliveryRepository(db.handle);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('an ack past the last seq deletes what there is, and what is queued after it is deleted by the next ack', async () => {
    const d = randomUUID();
    await queue(one, d, 3);
    expect(await one.ack(d, Number.MAX_SAFE_INTEGER)).toBe(3);
    await queue(one, d, 2);
    expect(await left(d)).toEqual([4, 5]);
    expect(await one.ack(d, 5)).toBe(2);
    expect(await left(d)).toEqual([]);
  });

  it('two nodes acknowledging one device in turn delete everything, each row once', async () => {
    const d = randomUUID();
    await queue(one, d, 10);
    expect(await one.ack(d, 4)).toBe(4);
    expect(await two.ack(d, 7)).toBe(3); // node two starts from the queue's start: 1–4 are gone already
    await queue(two, d, 2);
    expect(await one.ack(d, 12)).toBe(5); // node one starts after 4: 5–7 went on node two
    expect(await left(d)).toEqual([]);
  });

  it('an envelope whose transaction is open during an ack is deleted by the ack after it', async (ctx) => {
    if (!db.url) ctx.skip(); // one connection on PGlite: no transaction stays open beside another statement
    const d = randomUUID();
    await queue(one, d, 2);
    let commit!: () => void;
    let queued!: () => void;
    const taken = new Promise<void>((r) => (queued = r));
    const open = db.handle.db.transaction(async (tx) => {
      await queue(one, d, 1, tx);
      queued();
      await new Promise<void>((r) => (commit = r));
    });
    await taken; // seq 3 taken, not committed
    expect(await one.ack(d, 2)).toBe(2); // the device has seen 1 and 2 only
    commit();
    await open;
    expect(await left(d)).toEqual([3]);
    expect(await one.ack(d, 3)).toBe(1);
    expect(await left(d)).toEqual([]);
  });
});
