import { randomBytes, randomUUID } from 'node:crypto';
import { externalSenderExtension, MLS_LIMITS, readGroupInfo } from '@pakawaaz/mls';
import { platformDomain, type Logger } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import type { ClientState, RatchetTree } from 'ts-mls';
import { createGroupInfoWithRatchetTree } from 'ts-mls/createCommit.js';
import { addLeafNode } from 'ts-mls/ratchetTree.js';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { treeHashRoot } from 'ts-mls/treeHash.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDirectory, ChatWake } from '../../src/chat-ports.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { precheckCommitAdds } from '../../src/groups/commit-adds-precheck.js';
import { WorkerCommitChecker } from '../../src/groups/commit-checker.js';
import type { CommitCheckTask } from '../../src/groups/commit-check.task.js';
import { CHAT_MLS_LANES, ChatMlsWorkers, MLS_BUSY_RETRY_AFTER_SECONDS } from '../../src/mls/mls-workers.js';
import { GroupsService } from '../../src/groups/groups.service.js';
import { KeyPackagesRepository } from '../../src/key-packages/key-packages.repository.js';
import { DeviceRemovalService } from '../../src/membership/device-removal.service.js';
import { RemovalsRepository } from '../../src/membership/removals.repository.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { codeOf } from '../support/app-error.js';
import {
  chatSuite,
  encode,
  testCa,
  TestDevice,
  TestDeviceAuthenticator,
  testExternalSender,
  TestMember,
} from '../support/mls-devices.js';

/**
 * A member is an insider, not the server's friend: the GroupInfo it sends with a commit decides whom the
 * server delivers to, so the server checks it against the commit (on its worker threads). Real MLS groups on
 * ts-mls; the forged GroupInfos are signed by the committer with a tree hash that matches their own context —
 * everything the server checked before — and still refused, because they are not what the commit makes.
 */
const MINISTRY = randomUUID();

/** A GroupInfo of the commit's next epoch whose tree is `tree`: signed by the committer, self-consistent. */
async function forgedGroupInfo(next: ClientState, tree: RatchetTree): Promise<Uint8Array> {
  const cs = await chatSuite();
  const context = { ...next.groupContext, treeHash: await treeHashRoot(tree, cs.hash) };
  const groupInfo = await createGroupInfoWithRatchetTree(context, next.confirmationTag, next, tree, [], cs);
  return encode({ version: 'mls10', wireformat: 'mls_group_info', groupInfo });
}

describe('a commit and the GroupInfo sent with it must agree (PostgreSQL, real MLS, worker threads)', () => {
  let db: TestDatabase;
  let groups: GroupsService;
  let claiming: GroupsService;
  let keyPackages: KeyPackagesRepository;
  let removal: DeviceRemovalService;
  let repo: DeliveryRepository;
  const workers = new ChatMlsWorkers();
  const checker = new WorkerCommitChecker(workers);
  const auth = new TestDeviceAuthenticator();
  const server = testExternalSender();
  const serverKey = server.signatureKey;
  const devices: Record<'alice' | 'bob' | 'bob2' | 'carol', TestDevice> = {} as never;
  let checks = 0; // commit checks the claiming service sent to a worker

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    const ca = await testCa();
    for (const name of ['alice', 'bob', 'bob2', 'carol'] as const)
      devices[name] = await TestDevice.create(ca, {
        deviceId: randomUUID(),
        userId: randomUUID(),
        institutionId: MINISTRY,
      });
    auth.add(...Object.values(devices));
    const directory: ChatDirectory = {
      find: () => Promise.resolve(null),
      maySee: () => Promise.resolve(true),
    };
    const wake: ChatWake = {
      queued: () => undefined,
      keyPackagesLow: () => undefined,
      removed: () => undefined,
    };
    repo = new DeliveryRepository(db.handle);
    const removals = new RemovalsRepository(db.handle);
    const quiet = { info: () => undefined } as unknown as Logger;
    keyPackages = new KeyPackagesRepository(db.handle);
    removal = new DeviceRemovalService(removals, repo, keyPackages, server, wake, quiet);
    // The server's checker on worker threads; no chat policy, no calls module.
    groups = new GroupsService(repo, directory, server, wake, auth, removals, undefined, undefined, checker);
    // As in the server: only KeyPackages handed out to the committer may be added.
    const [u, v] = [undefined, undefined];
    const counting = { check: (t: CommitCheckTask) => (checks++, checker.check(t)) };
    claiming = new GroupsService(repo, directory, server, wake, auth, removals, u, v, counting, keyPackages);
  }, 60_000);

  afterAll(async () => {
    await workers.onModuleDestroy();
    await db?.drop();
  });

  /** Alice's group with Bob added (epoch 1), as the server accepted it. */
  async function aliceAndBob(): Promise<{ a: TestMember; gid: string }> {
    const { alice, bob } = devices;
    const a = await TestMember.createGroup(alice, randomBytes(16), [externalSenderExtension(serverKey)]);
    const { groupId: gid } = await groups.register(alice.principal, await a.groupInfo());
    const add = await a.commitAdding([(await bob.keyPackage()).publicPackage]);
    const honest = { commit: add.commit, groupInfo: add.groupInfo, welcome: add.welcome! };
    expect(await post(gid, honest)).toEqual({
      groupId: gid,
      epoch: '1',
    });
    add.apply();
    return { a, gid };
  }

  /** Alice posts a commit with its GroupInfo (and Welcome) under a new client id. */
  const post = (
    gid: string,
    c: { commit: Uint8Array; groupInfo: Uint8Array; welcome?: Uint8Array | undefined },
  ) => groups.commit(devices.alice.principal, gid, { ...c, clientId: randomUUID() });

  const memberIds = async (gid: string) => (await repo.members(gid)).map((m) => m.deviceId).sort();

  it("answers a retry of a commit in flight (same client id, e.g. after a connection reset) with the first's answer, and another commit 429", async () => {
    const { alice } = devices;
    const { a, gid } = await aliceAndBob();
    const removeBob = await a.commitRemoving([1]);
    const body = { ...removeBob, clientId: randomUUID() };
    const first = groups.commit(alice.principal, gid, body);
    const retried = groups.commit(alice.principal, gid, body);
    const other = groups.commit(alice.principal, gid, { ...removeBob, clientId: randomUUID() });
    expect(await codeOf(other)).toMatchObject({ code: 'chat_rate_limited', status: 429 });
    expect(await first).toEqual({ groupId: gid, epoch: '2' });
    expect(await retried).toEqual({ groupId: gid, epoch: '2' });
    // Once answered, a retry is answered from the registered send.
    expect(await groups.commit(alice.principal, gid, body)).toEqual({ groupId: gid, epoch: '2' });
    expect(await memberIds(gid)).toEqual([alice.deviceId]);
  });

  it('refuses a Remove whose GroupInfo still holds the removed leaf, then accepts the honest one', async () => {
    const { alice, bob } = devices;
    const { a, gid } = await aliceAndBob();
    const removeBob = await a.rawCommit([{ proposalType: 'remove', remove: { removed: 1 } }]);
    // The next tree with Bob's leaf put back: alice's new leaf, a blank parent, Bob's old leaf.
    const kept: RatchetTree = [removeBob.newState.ratchetTree[0], undefined, a.state.ratchetTree[2]];
    const forged = await forgedGroupInfo(removeBob.newState, kept);
    // Everything the server checked before passes: Alice's signature, the tree hash of its own context.
    expect((await readGroupInfo(forged)).members.map((m) => m.leafIndex)).toEqual([0, 1]);
    const commit = encode(removeBob.commit);
    expect(await codeOf(post(gid, { commit, groupInfo: forged }))).toMatchObject({
      code: 'mls_commit_mismatch',
      status: 422,
    });
    expect(await memberIds(gid)).toEqual([alice.deviceId, bob.deviceId].sort());

    const honest = await a.commitRemoving([1]);
    expect(await post(gid, honest)).toEqual({ groupId: gid, epoch: '2' });
    expect(await memberIds(gid)).toEqual([alice.deviceId]);
  });

  it('refuses an update whose GroupInfo lists a stranger never added, or drops a member silently', async () => {
    const { alice, bob, carol } = devices;
    const { a, gid } = await aliceAndBob();
    const update = await a.rawCommit([]);
    const commit = encode(update.commit);
    const carolLeaf = (await carol.keyPackage()).publicPackage.leafNode;
    const [withCarol] = addLeafNode(update.newState.ratchetTree, carolLeaf);
    const dropped: RatchetTree = [update.newState.ratchetTree[0]];
    for (const tree of [withCarol, dropped]) {
      const forged = await forgedGroupInfo(update.newState, tree);
      expect(await codeOf(post(gid, { commit, groupInfo: forged }))).toMatchObject({
        code: 'mls_commit_mismatch',
        status: 422,
      });
    }
    expect(await memberIds(gid)).toEqual([alice.deviceId, bob.deviceId].sort());
    // The same commit with its true GroupInfo: an update (new path), accepted.
    const cs = await chatSuite();
    const { createGroupInfoWithExternalPubAndRatchetTree } = await import('ts-mls');
    const groupInfo = encode({
      version: 'mls10',
      wireformat: 'mls_group_info',
      groupInfo: await createGroupInfoWithExternalPubAndRatchetTree(update.newState, [], cs),
    });
    expect(await post(gid, { commit, groupInfo })).toEqual({
      groupId: gid,
      epoch: '2',
    });
  });

  it('refuses an Add whose Welcome is addressed to another KeyPackage than the one added', async () => {
    const { carol } = devices;
    const { a, gid } = await aliceAndBob();
    const [kp1, kp2] = [await carol.keyPackage(), await carol.keyPackage()];
    const add1 = await a.commitAdding([kp1.publicPackage]);
    const add2 = await a.commitAdding([kp2.publicPackage]);
    expect(await codeOf(post(gid, { ...add1, welcome: add2.welcome }))).toMatchObject({
      code: 'mls_commit_mismatch',
      status: 422,
    });
    expect(await post(gid, add1)).toEqual({ groupId: gid, epoch: '2' });
    expect(await memberIds(gid)).toContain(carol.deviceId);
  });

  it("accepts a commit of the server's Remove by reference, and refuses a PrivateMessage commit", async () => {
    const { alice, bob2 } = devices;
    const a = await TestMember.createGroup(alice, randomBytes(16), [externalSenderExtension(serverKey)]);
    const { groupId: gid } = await groups.register(alice.principal, await a.groupInfo());
    const add = await a.commitAdding([(await bob2.keyPackage()).publicPackage]);
    await post(gid, add);
    add.apply();
    // A PrivateMessage commit hides its proposals from the server: refused.
    const hidden = await a.commitAdding([], { publicMessage: false });
    expect(await codeOf(post(gid, hidden))).toMatchObject({ code: 'mls_unsupported', status: 422 });

    await removal.removeDevice(bob2.deviceId, null, 'lost');
    const inbox = await repo.inbox(alice.deviceId, 0, 50);
    const proposal = inbox.find((e) => e.groupId === gid && e.kind === 'proposal');
    await a.receiveProposal(new Uint8Array(proposal!.body));
    const pending = await a.commitPending();
    expect(await post(gid, pending)).toEqual({ groupId: gid, epoch: '2' });
    expect(await memberIds(gid)).toEqual([alice.deviceId]);
  });

  it('keeps a worker for KeyPackage uploads under a flood of commit checks, and bounds the flood (503 mls_busy)', async () => {
    const { carol } = devices;
    const { a, gid } = await aliceAndBob();
    const update = await a.commitAdding([]);
    const task = {
      previous: new Uint8Array((await repo.group(gid))!.groupInfo),
      commit: update.commit,
      groupInfo: update.groupInfo,
      proposals: [],
    };
    const kp = (await carol.keyPackage()).bytes;
    // Both threads started (the first task of each lane starts one).
    await Promise.all([workers.checkCommit(task), workers.readKeyPackages({ packages: [kp] })]);
    // More commit checks than the lane queues (from many devices: the service's per-device cap is not hit).
    let settled = 0;
    const flood = Array.from({ length: CHAT_MLS_LANES.commit.maxQueued + 2 }, () =>
      workers.checkCommit(task).then(
        (r) => [settled++, r.ok][1],
        (err: unknown) => [settled++, err][1],
      ),
    );
    const reading = await workers.readKeyPackages({ packages: [kp] });
    expect(reading).toMatchObject([{ ok: true }]);
    // The upload was answered while commit checks still waited for their one worker.
    expect(settled).toBeLessThan(flood.length - 2);
    const results = await Promise.all(flood);
    expect(results.filter((r) => r === true).length).toBeGreaterThanOrEqual(CHAT_MLS_LANES.commit.maxQueued);
    expect(results.filter((r) => r !== true)).toMatchObject([
      { code: 'mls_busy', status: 503, details: { retryAfterSeconds: MLS_BUSY_RETRY_AFTER_SECONDS } },
    ]);
  });

  it('adds only a KeyPackage handed out to the committer, unexpired, and a one-time one only once', async () => {
    const { alice, carol } = devices;
    const a = await TestMember.createGroup(alice, randomBytes(16), [externalSenderExtension(serverKey)]);
    const { groupId: gid } = await claiming.register(alice.principal, await a.groupInfo());
    const kp = await carol.keyPackage();
    const add = await a.commitAdding([kp.publicPackage]);
    const commit = () => claiming.commit(alice.principal, gid, { ...add, clientId: randomUUID() });
    // Carol published it, but nobody claimed it: Alice cannot have it from the server — refused before any
    // worker time (a commit of many self-made Adds cannot hold the commit lane).
    checks = 0;
    expect(await codeOf(commit())).toMatchObject({ code: 'mls_commit_mismatch', status: 422 });
    expect(checks).toBe(0);
    // Nor may a commit add past the group's bound (here: as if it were full already).
    const full = precheckCommitAdds(
      add.commit,
      MLS_LIMITS.maxGroupLeaves,
      alice.deviceId,
      undefined,
      new Date(),
    );
    expect(await codeOf(full)).toMatchObject({ code: 'mls_commit_mismatch', status: 422 });
    const ref = Buffer.from(await makeKeyPackageRef(kp.publicPackage, (await chatSuite()).hash)).toString(
      'base64url',
    );
    const now = new Date();
    await db.handle.db.transaction(async (tx) => {
      await keyPackages.insert(
        carol.principal,
        [
          {
            ref,
            deviceId: carol.deviceId,
            userId: carol.principal.userId,
            institutionId: MINISTRY,
            lastResort: false,
            keyPackage: Buffer.from(kp.bytes),
            certificate: Buffer.from(carol.certificate),
            notAfter: new Date(now.getTime() + 86_400_000),
          },
        ],
        tx,
      );
      expect([...(await keyPackages.claim([carol.principal], now, tx, alice.deviceId)).keys()]).toEqual([
        carol.deviceId,
      ]);
    });
    expect(await commit()).toEqual({ groupId: gid, epoch: '1' });
    expect(checks).toBe(1);
    // Used up: no later commit may add it again.
    const left = await db.handle.db.transaction((tx) =>
      keyPackages.takeClaimed([ref], alice.deviceId, new Date(), tx),
    );
    expect(left.size).toBe(0);
  });
});
