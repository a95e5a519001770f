import { randomBytes, randomUUID } from 'node:crypto';
import { externalSenderExtension } from '@pakawaaz/mls';
import { platformDomain, type Db } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDirectory, ChatWake } from '../../src/chat-ports.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { SendBatchRepository } from '../../src/delivery/send-batch.repository.js';
import { SendGroupCommit } from '../../src/delivery/send-group-commit.js';
import { GroupsService } from '../../src/groups/groups.service.js';
import { RemovalsRepository } from '../../src/membership/removals.repository.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { codeOf } from '../support/app-error.js';
import {
  testCa,
  TestDevice,
  TestDeviceAuthenticator,
  testExternalSender,
  TestMember,
} from '../support/mls-devices.js';
import { untilLockWaiters } from '../support/lock-waits.js';
import { pendingSend } from '../support/pending-send.js';

const MINISTRY = randomUUID();

/**
 * A commit and a message that reuse one clientId, at the same time: the commit holds its idempotency row while
 * the send batch holds its share lock on the group. Both must take the group's row first and the (device,
 * clientId) row second, or each waits for the other (a deadlock PostgreSQL breaks after deadlock_timeout by
 * failing one of them: the batch's other sends rewritten one by one, or the commit failed).
 */
describe('a commit and a send reusing one clientId (PostgreSQL, real MLS bytes)', () => {
  let db: TestDatabase;
  let repo: DeliveryRepository;
  let sends: SendGroupCommit;
  const auth = new TestDeviceAuthenticator();
  const server = testExternalSender();
  const directory: ChatDirectory = {
    find: (ref) => Promise.resolve({ userId: ref, institutionId: MINISTRY, active: true }),
    maySee: () => Promise.resolve(true),
  };
  const wake: ChatWake = {
    queued: () => undefined,
    keyPackagesLow: () => undefined,
    removed: () => undefined,
  };
  let alice: TestDevice;
  let bob: TestDevice;
  let carol: TestDevice;
  /** A GroupsService over this repository (the test's defaults for the rest). */
  const groupsOver = (r: DeliveryRepository) =>
    new GroupsService(
      r,
      directory,
      { signatureKey: server.signatureKey },
      wake,
      auth,
      new RemovalsRepository(db.handle),
    );

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    const ca = await testCa();
    const device = () =>
      TestDevice.create(ca, { deviceId: randomUUID(), userId: randomUUID(), institutionId: MINISTRY });
    [alice, bob, carol] = await Promise.all([device(), device(), device()]);
    auth.add(alice, bob, carol);
    repo = new DeliveryRepository(db.handle);
    sends = new SendGroupCommit(repo, new SendBatchRepository(), wake, db.handle);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('answers the later one client_id_reused and lets the other through: no deadlock', async (ctx) => {
    if (!db.url) ctx.skip(); // PGlite has one connection: no two transactions at once
    const a = await TestMember.createGroup(alice, randomBytes(16), [
      externalSenderExtension(server.signatureKey),
    ]);
    const { groupId } = await groupsOver(repo).register(alice.principal, await a.groupInfo());
    const kp = await bob.keyPackage();
    const add = await a.commitAdding([kp.publicPackage]);
    await groupsOver(repo).commit(alice.principal, groupId, {
      commit: add.commit,
      groupInfo: add.groupInfo,
      welcome: add.welcome!,
      clientId: 'add-bob',
    });
    add.apply();

    // Alice's next commit pauses inside its transaction right after its idempotency claim.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let claimed!: () => void;
    const paused = new Promise<void>((r) => (claimed = r));
    const pausing = Object.assign(Object.create(repo) as DeliveryRepository, {
      previousSend: async (deviceId: string, clientId: string, tx: Db) => {
        const previous = await repo.previousSend(deviceId, clientId, tx);
        claimed();
        await gate;
        return previous;
      },
    });
    const clientId = 'one-id-for-two-things';
    const next = await a.commitAdding([(await carol.keyPackage()).publicPackage]);
    const commit = groupsOver(pausing).commit(alice.principal, groupId, {
      commit: next.commit,
      groupInfo: next.groupInfo,
      welcome: next.welcome!,
      clientId,
    });
    await paused;
    // Meanwhile a message of Alice's under the same clientId (its framing read: epoch 1).
    const send = sends.send(pendingSend(alice.principal, groupId, { clientId, epoch: 1n }));
    await untilLockWaiters(db.handle, 1, 'the send never waited on the commit');
    release();
    // The commit held the group first: it lands, and the send finds its clientId taken by a commit.
    const [, refused] = await Promise.all([commit, codeOf(send)]);
    expect(refused.code).toBe('client_id_reused');
    const epoch = await db.handle.db.execute(
      sql`select epoch::int as e from secure_chat.groups where group_id = ${groupId}`,
    );
    expect((epoch as { rows: { e: number }[] }).rows[0]!.e).toBe(2);
  });
});
