import { randomBytes, randomUUID } from 'node:crypto';
import { platformDomain } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { envelopeOf } from '../../src/delivery/delivery.service.js';
import { INBOX_BYTES, envelopeBytes, storedEnvelopeBytes } from '../../src/delivery/envelope-bytes.js';
import type { QueueRow } from '../../src/delivery/queue-batches.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { DELIVER_ENVELOPE_BYTES, DELIVER_FRAME_BYTES, frameEnd } from '../../src/ws/deliver-frames.js';

const KiB = 1024;

/**
 * A queue read is cut by bytes in the database (queue-batches.ts READ): the rows whose envelopes fit the
 * budget, the first whatever its size, `more` when a row follows — a queue of large envelopes is never read
 * whole (PostgreSQL; PGlite when it is not reachable).
 */
describe('secure chat queue reads: cut by bytes in the database, at least one envelope', () => {
  let db: TestDatabase;
  let repo: DeliveryRepository;
  const groupId = randomBytes(16).toString('base64url');
  const sender = randomUUID();

  /** Queues envelopes of these body sizes for the device, in order. */
  const queue = async (deviceId: string, sizes: readonly number[]) => {
    for (const size of sizes)
      await repo.enqueueAll(
        [
          {
            deviceIds: [deviceId],
            envelope: { groupId, senderDevice: sender, kind: 'application', body: randomBytes(size) },
          },
        ],
        repo.db,
      );
  };
  const stored = (size: number) => storedEnvelopeBytes(size, groupId.length);
  /** The rows as the service delivers them. */
  const delivered = (rows: readonly QueueRow[]) => rows.map(envelopeOf);

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    repo = new DeliveryRepository(db.handle);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('reads 200 envelopes of 100 KiB a frame at a time (7 of them), not all 200', async () => {
    const d = randomUUID();
    await queue(
      d,
      Array.from({ length: 200 }, () => 100 * KiB),
    );
    const fit = Math.floor(INBOX_BYTES / stored(100 * KiB));
    expect(fit).toBe(7);
    const page = await repo.inboxPage(d, 0, 200);
    expect(page.rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(page.more).toBe(true);
    // The socket's read: one frame's worth, exactly what one frame holds.
    const frame = await repo.inboxPage(d, 7, 200, DELIVER_ENVELOPE_BYTES);
    const envelopes = delivered(frame.rows);
    expect(envelopes.length).toBe(7);
    expect(frameEnd(envelopes)).toBe(envelopes.length);
    const json = JSON.stringify({ type: 'deliver', envelopes });
    expect(json.length).toBeLessThanOrEqual(DELIVER_FRAME_BYTES);
    // The last page says nothing follows.
    const last = await repo.inboxPage(d, 196, 200);
    expect([last.rows.map((r) => r.seq), last.more]).toEqual([[197, 198, 199, 200], false]);
  });

  it('counts bytes as the frames do: a budget of exactly three envelopes reads three, one byte less two', async () => {
    const d = randomUUID();
    const sizes = [3000, 1, 65 * KiB, 10, 2];
    await queue(d, sizes);
    const three = stored(3000) + stored(1) + stored(65 * KiB);
    expect((await repo.inboxPage(d, 0, 200, three)).rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect((await repo.inboxPage(d, 0, 200, three - 1)).rows.map((r) => r.seq)).toEqual([1, 2]);
    // The database's count is the envelopes' bytes as JSON at most (equal for an application message).
    const rows = await repo.inbox(d, 0, 200);
    for (const [k, e] of delivered(rows).entries()) expect(stored(sizes[k]!)).toBe(envelopeBytes(e));
  });

  it('returns the first envelope whatever its size, and the count limit still holds', async () => {
    const d = randomUUID();
    await queue(d, [1024 * KiB, 10, 10, 10]);
    const big = await repo.inboxPage(d, 0, 200);
    expect([big.rows.map((r) => r.seq), big.more]).toEqual([[1], true]);
    expect(big.rows[0]!.body.length).toBe(1024 * KiB);
    const small = await repo.inboxPage(d, 1, 2);
    expect([small.rows.map((r) => r.seq), small.more]).toEqual([[2, 3], true]);
    const rest = await repo.inboxPage(d, 1, 3);
    expect([rest.rows.map((r) => r.seq), rest.more]).toEqual([[2, 3, 4], false]);
    expect(await repo.inboxPage(d, 4, 200)).toEqual({ rows: [], more: false });
  });

  it("cuts each device's page by its own budget when reads share a statement", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await queue(a, [300 * KiB, 300 * KiB, 300 * KiB]);
    await queue(b, [100, 100, 100]);
    const [pa, pb, pc] = await Promise.all([
      repo.inboxPage(a, 0, 200),
      repo.inboxPage(b, 0, 200, stored(100)),
      repo.inboxPage(b, 0, 200),
    ]);
    expect([pa.rows.map((r) => r.seq), pa.more]).toEqual([[1, 2], true]);
    expect([pb.rows.map((r) => r.seq), pb.more]).toEqual([[1], true]);
    expect([pc.rows.map((r) => r.seq), pc.more]).toEqual([[1, 2, 3], false]);
  });
});
