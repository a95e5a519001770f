import { randomBytes, randomUUID } from 'node:crypto';
import { platformDomain } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';

/**
 * Acks gather (PAKAWAAZ_CHAT_ACK_GATHER_MS, secure-chat.config.ts `ackBatching`): the acks that arrive within
 * the window go out as one statement, and each is answered only once its rows are gone.
 */
describe('secure chat acks: gathering', () => {
  let db: TestDatabase;
  const groupId = randomBytes(16).toString('base64url');

  const queued = async (repo: DeliveryRepository, devices: number) => {
    const ids = Array.from({ length: devices }, () => randomUUID());
    for (let k = 0; k < 2; k++)
      await repo.enqueueAll(
        [
          {
            deviceIds: ids,
            envelope: { groupId, senderDevice: null, kind: 'application', body: randomBytes(8) },
          },
        ],
        repo.db,
      );
    return ids;
  };

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('deletes the acks of a window in one statement, answering each after its rows are gone', async () => {
    const repo = new DeliveryRepository(db.handle, { commitLingerMs: 2, ackGatherMs: 50 });
    const devices = await queued(repo, 6);
    const t0 = performance.now();
    const answered = await Promise.all(
      devices.map((d) =>
        repo.ack(d, 2).then(async (removed) => ({ removed, left: (await repo.inbox(d, 0, 10)).length })),
      ),
    );
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40); // the first waited for the others
    expect(answered).toEqual(devices.map(() => ({ removed: 2, left: 0 })));
    expect(repo.queueStats().acks.largestBatch).toBe(6);
  });

  it('without it, acks batch as sends do: the first goes out alone', async () => {
    const repo = new DeliveryRepository(db.handle, { commitLingerMs: 2 });
    const devices = await queued(repo, 6);
    const removed = await Promise.all(devices.map((d) => repo.ack(d, 2)));
    expect(removed).toEqual(devices.map(() => 2));
    expect(repo.queueStats().acks.largestBatch).toBeLessThan(6);
  });
});
