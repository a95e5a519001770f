import { randomBytes, randomUUID } from 'node:crypto';
import { migrateDomains, openDatabase, platformDomain, type DatabaseHandle } from '@pakawaaz/platform';
import { createTestDatabase, testLogger, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';

/**
 * Acks gather (PAKAWAAZ_CHAT_ACK_GATHER_MS, secure-chat.config.ts `ackBatching`), on PostgreSQL and on the
 * embedded PGlite: the acks that arrive within the window go out as one statement, a device's acks in it as
 * one (to the highest), and each is answered only once its rows are gone.
 */
const DOMAINS = [platformDomain, secureChatDomain];
const groupId = randomBytes(16).toString('base64url');

/** `devices` new devices, each with two envelopes queued (seqs 1 and 2). */
async function queued(repo: DeliveryRepository, devices: number): Promise<string[]> {
  const ids = Array.from({ length: devices }, () => randomUUID());
  const envelope = () => ({
    groupId,
    senderDevice: null,
    kind: 'application' as const,
    body: randomBytes(8),
  });
  for (let k = 0; k < 2; k++) await repo.enqueueAll([{ deviceIds: ids, envelope: envelope() }], repo.db);
  return ids;
}

describe('secure chat acks: gathering', () => {
  let postgres: TestDatabase;
  let lite: DatabaseHandle;
  const databases: Record<string, () => DatabaseHandle> = {
    PostgreSQL: () => postgres.handle,
    'embedded PGlite': () => lite,
  };

  beforeAll(async () => {
    postgres = await createTestDatabase(DOMAINS);
    lite = await openDatabase({ dataDir: 'memory://', logger: testLogger });
    await migrateDomains(lite, DOMAINS, testLogger);
  }, 120_000);

  afterAll(async () => {
    await postgres?.drop();
    await lite?.close();
  });

  describe.each(Object.keys(databases))('%s', (name) => {
    const gathering = () =>
      new DeliveryRepository(databases[name]!(), { commitLingerMs: 2, ackGatherMs: 50 });

    it('deletes the acks of a window in one statement, answering each after its rows are gone', async () => {
      const repo = gathering();
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

    it("merges one device's acks of a window into one, to the highest, both answered with its count", async () => {
      const repo = gathering();
      const [d] = await queued(repo, 1);
      expect(await Promise.all([repo.ack(d!, 1), repo.ack(d!, 2)])).toEqual([2, 2]);
      expect(await repo.inbox(d!, 0, 10)).toEqual([]);
    });

    it('drains at shutdown: a gathering ack goes out at once', async () => {
      const repo = new DeliveryRepository(databases[name]!(), { commitLingerMs: 2, ackGatherMs: 1000 });
      const [d] = await queued(repo, 1);
      const t0 = performance.now();
      const ack = repo.ack(d!, 2);
      await repo.onApplicationShutdown();
      expect(await ack).toBe(2);
      expect(performance.now() - t0).toBeLessThan(500); // not the second it would gather for
    });
  });

  it('without it, acks batch as sends do: the first goes out alone, and each ack of a device alone', async () => {
    const repo = new DeliveryRepository(postgres.handle, { commitLingerMs: 2 });
    const devices = await queued(repo, 6);
    const removed = await Promise.all(devices.map((d) => repo.ack(d, 2)));
    expect(removed).toEqual(devices.map(() => 2));
    expect(repo.queueStats().acks.largestBatch).toBeLessThan(6);
    const [d] = await queued(repo, 1);
    expect(await Promise.all([repo.ack(d!, 1), repo.ack(d!, 2)])).toEqual([1, 1]);
  });
});
