import { randomBytes, randomUUID } from 'node:crypto';
import { externalSenderExtension, readMessage } from '@pakawaaz/mls';
import { AppError, platformDomain, type DomainEvent, type EventBus, type Logger } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { defaultLifetime } from 'ts-mls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDirectory, ChatWake } from '../../src/chat-ports.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { DeliveryService } from '../../src/delivery/delivery.service.js';
import { SendBatchRepository } from '../../src/delivery/send-batch.repository.js';
import { SendGroupCommit } from '../../src/delivery/send-group-commit.js';
import { DroppedMembers } from '../../src/groups/dropped-members.js';
import { GroupsService } from '../../src/groups/groups.service.js';
import { WorkerKeyPackageReader } from '../../src/key-packages/key-package-reader.js';
import { ChatMlsWorkers } from '../../src/mls/mls-workers.js';
import { KeyPackagesRepository } from '../../src/key-packages/key-packages.repository.js';
import { KeyPackagesService } from '../../src/key-packages/key-packages.service.js';
import { DeviceRemovalService } from '../../src/membership/device-removal.service.js';
import { RemovalsRepository } from '../../src/membership/removals.repository.js';
import { loadBotsConfig } from '../../src/bots/bots.config.js';
import type { SecureChatConfig } from '../../src/secure-chat.config.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import {
  testCa,
  TestDevice,
  TestDeviceAuthenticator,
  testExternalSender,
  TestMember,
} from '../support/mls-devices.js';
import { codeOf } from '../support/app-error.js';

const MINISTRY = randomUUID();
const OTHER_MINISTRY = randomUUID();
const config: SecureChatConfig = {
  externalSenderKeyFile: '/nonexistent',
  lowKeyPackages: 10,
  wsMaxFrameBytes: 1 << 20,
  wsFramesPerSecond: 50,
  wsBytesPerSecond: 4 * 1024 * 1024,
  wsPingSeconds: 30,
  claimsPerSecond: 5,
  retentionDays: 30,
  clientIdDays: 7,
  sendBatch: 64,
  commitLingerMs: 2,
  bots: loadBotsConfig({}),
  files: {
    dir: '/nonexistent',
    maxFileBytes: 1 << 20,
    chunkMaxBytes: 1 << 16,
    defaultQuotaBytes: 1 << 24,
    uploaderSharePercent: 25,
    maxUploadsInProgress: 32,
    createsPerMinute: 30,
    uploadIdleMs: 30_000,
    abandonMs: 3_600_000,
  },
};

/**
 * A repository whose transactions wait for each other (up to 500 ms) once they have read the group: with the
 * row lock the second cannot read it until the first commits; without it, both would go on at the same epoch.
 */
class RendezvousRepository extends DeliveryRepository {
  private arrived = 0;
  private release: (() => void) | undefined;
  private readonly met = new Promise<void>((resolve) => (this.release = resolve));

  override async lockGroup(groupId: string, tx: Parameters<DeliveryRepository['lockGroup']>[1]) {
    const row = await super.lockGroup(groupId, tx);
    if (++this.arrived === 2) this.release?.();
    await Promise.race([this.met, new Promise((r) => setTimeout(r, 500))]);
    return row;
  }
}

describe('secure chat delivery service (PostgreSQL, real MLS bytes)', () => {
  let db: TestDatabase;
  let keyPackages: KeyPackagesService;
  /** KeyPackages are verified on worker threads, as the server does. */
  const workers = new ChatMlsWorkers();
  let reader: WorkerKeyPackageReader;
  let groups: GroupsService;
  /** Commits whose transactions meet after reading the group: without the row lock both would read the same epoch. */
  let racing: GroupsService;
  let delivery: DeliveryService;
  let removal: DeviceRemovalService;
  const auth = new TestDeviceAuthenticator();
  const woken: string[] = [];
  const low: { deviceId: string; left: number }[] = [];
  const removed: string[] = [];
  /** What the commits told the calls module (GroupMembersDropped). */
  const published: DomainEvent[] = [];
  const server = testExternalSender();
  const serverKey = server.signatureKey;
  let alice: TestDevice;
  let bob: TestDevice;
  let bob2: TestDevice;
  let carol: TestDevice; // another ministry, which Alice's may not see
  const users = { alice: randomUUID(), bob: randomUUID(), carol: randomUUID() };
  /** Whether the concurrent-commits test's winner was the commit adding bob2 to the shared group. */
  let bob2Joined = false;

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    const ca = await testCa();
    alice = await TestDevice.create(ca, {
      deviceId: randomUUID(),
      userId: users.alice,
      institutionId: MINISTRY,
    });
    bob = await TestDevice.create(ca, { deviceId: randomUUID(), userId: users.bob, institutionId: MINISTRY });
    bob2 = await TestDevice.create(ca, {
      deviceId: randomUUID(),
      userId: users.bob,
      institutionId: MINISTRY,
    });
    carol = await TestDevice.create(ca, {
      deviceId: randomUUID(),
      userId: users.carol,
      institutionId: OTHER_MINISTRY,
    });
    auth.add(alice, bob, bob2, carol);
    const directory: ChatDirectory = {
      find: (ref) => {
        const inst: Record<string, string> = {
          [users.alice]: MINISTRY,
          [users.bob]: MINISTRY,
          [users.carol]: OTHER_MINISTRY,
        };
        const id = { alice: users.alice, bob: users.bob, carol: users.carol }[ref] ?? ref;
        return Promise.resolve(inst[id] ? { userId: id, institutionId: inst[id], active: true } : null);
      },
      maySee: (viewer, target) => Promise.resolve(viewer === null || viewer === target),
    };
    const wake: ChatWake = {
      queued: (ids) => void woken.push(...ids),
      keyPackagesLow: (deviceId, left) => void low.push({ deviceId, left }),
      removed: (id) => void removed.push(id),
    };
    const kpRepo = new KeyPackagesRepository(db.handle);
    const repo = new DeliveryRepository(db.handle);
    reader = new WorkerKeyPackageReader(workers);
    const removals = new RemovalsRepository(db.handle);
    keyPackages = new KeyPackagesService(kpRepo, auth, directory, wake, config, reader, removals);
    const bus = {
      publish: (e: DomainEvent) => Promise.resolve(void published.push(e)),
    } as unknown as EventBus;
    groups = new GroupsService(
      repo,
      directory,
      { signatureKey: serverKey },
      wake,
      auth,
      removals,
      undefined,
      new DroppedMembers(bus),
    );
    racing = new GroupsService(
      new RendezvousRepository(db.handle),
      directory,
      { signatureKey: serverKey },
      wake,
      auth,
    );
    delivery = new DeliveryService(
      repo,
      new SendGroupCommit(repo, new SendBatchRepository(), wake, db.handle),
    );
    const quiet = { info: () => undefined } as unknown as Logger;
    removal = new DeviceRemovalService(removals, repo, kpRepo, server, wake, quiet);
  }, 60_000);

  afterAll(async () => {
    await workers.onModuleDestroy();
    await db?.drop();
  });

  describe('KeyPackages', () => {
    it("stores a device's own packages and refuses another device's, malformed, oversized and expired ones", async () => {
      const own = await bob.keyPackage();
      expect(await keyPackages.upload(bob.principal, [own.bytes])).toEqual({ stored: 1, oneTimeLeft: 1 });
      // Re-sent: stored once.
      expect(await keyPackages.upload(bob.principal, [own.bytes])).toEqual({ stored: 0, oneTimeLeft: 1 });
      // Alice's genuine package, uploaded by Bob's device: not the caller's certificate.
      const foreign = await alice.keyPackage();
      expect(await codeOf(keyPackages.upload(bob.principal, [foreign.bytes]))).toMatchObject({
        code: 'mls_credential_refused',
        status: 403,
      });
      // Bob's key with Alice's certificate: the signature key is not the certificate's.
      const mismatched = await bob.keyPackage({ certificate: alice.certificate });
      expect((await codeOf(keyPackages.upload(bob.principal, [mismatched.bytes]))).code).toBe(
        'mls_bad_signature',
      );
      // A flipped byte in the signature (the last bytes of the encoding).
      const tampered = Uint8Array.from(own.bytes);
      tampered[tampered.length - 5]! ^= 0x01;
      expect((await codeOf(keyPackages.upload(bob.principal, [tampered]))).code).toMatch(
        /mls_(bad_signature|malformed)/,
      );
      expect(await codeOf(keyPackages.upload(bob.principal, [randomBytes(300)]))).toMatchObject({
        code: 'mls_malformed',
        status: 400,
      });
      expect(await codeOf(keyPackages.upload(bob.principal, [new Uint8Array(16385)]))).toMatchObject({
        code: 'mls_too_large',
        status: 413,
      });
      const past = BigInt(Math.floor(Date.now() / 1000));
      const expired = await bob.keyPackage({ lifetime: { notBefore: past - 7200n, notAfter: past - 3600n } });
      expect((await codeOf(keyPackages.upload(bob.principal, [expired.bytes]))).code).toBe(
        'key_package_expired',
      );
      expect(await codeOf(keyPackages.upload(bob.principal, []))).toMatchObject({
        code: 'invalid_chat_input',
      });
      // Nothing of the refused uploads was stored.
      expect(await keyPackages.upload(bob.principal, [own.bytes])).toEqual({ stored: 0, oneTimeLeft: 1 });
      expect(defaultLifetime.notAfter).toBeGreaterThan(past);
    });

    it('claims one package per live device, consumes one-time ones, keeps the last-resort one, and says when stock is low', async () => {
      const lastResort = await bob2.keyPackage({ lastResort: true });
      const oneTime = await bob2.keyPackage();
      expect(await keyPackages.upload(bob2.principal, [oneTime.bytes, lastResort.bytes])).toEqual({
        stored: 2,
        oneTimeLeft: 1,
      });
      const first = await keyPackages.claim(alice.principal, 'bob');
      expect(first.userId).toBe(users.bob);
      const byDevice = new Map(first.keyPackages.map((k) => [k.deviceId, k]));
      expect([...byDevice.keys()].sort()).toEqual([bob.deviceId, bob2.deviceId].sort());
      expect(byDevice.get(bob2.deviceId)).toMatchObject({
        lastResort: false,
        keyPackage: Buffer.from(oneTime.bytes).toString('base64url'),
      });
      expect(low).toContainEqual({ deviceId: bob2.deviceId, left: 0 });
      // bob has no one-time package left; bob2 only its last-resort one, which stays.
      const second = await keyPackages.claim(alice.principal, users.bob);
      expect(second.keyPackages).toEqual([
        {
          deviceId: bob2.deviceId,
          keyPackage: Buffer.from(lastResort.bytes).toString('base64url'),
          lastResort: true,
        },
      ]);
      const third = await keyPackages.claim(alice.principal, users.bob);
      expect(third.keyPackages.map((k) => k.lastResort)).toEqual([true]);
      // A revoked device's packages are not handed out.
      auth.revoked.add(bob2.deviceId);
      expect((await keyPackages.claim(alice.principal, users.bob)).keyPackages).toEqual([]);
      auth.revoked.delete(bob2.deviceId);
    });

    it('hands out nothing of an official the caller may not see (the same 404 as an unknown one)', async () => {
      const kp = await carol.keyPackage();
      await keyPackages.upload(carol.principal, [kp.bytes]);
      expect(await codeOf(keyPackages.claim(alice.principal, 'carol'))).toMatchObject({
        code: 'official_not_found',
        status: 404,
      });
      expect((await codeOf(keyPackages.claim(alice.principal, 'nobody'))).code).toBe('official_not_found');
    });
  });

  describe('groups, ordering and queues', () => {
    let a: TestMember;
    let groupId: string;

    it('refuses a group without the external sender, or with another member than the caller', async () => {
      const noSender = await TestMember.createGroup(alice, randomBytes(16), []);
      expect(await codeOf(groups.register(alice.principal, await noSender.groupInfo()))).toMatchObject({
        code: 'mls_external_sender_missing',
        status: 422,
      });
      const aliceGroup = await TestMember.createGroup(alice, randomBytes(16), [
        externalSenderExtension(serverKey),
      ]);
      expect((await codeOf(groups.register(bob.principal, await aliceGroup.groupInfo()))).code).toBe(
        'mls_credential_refused',
      );
      // A tree of two leaves (here an epoch-1 GroupInfo) is refused as it is decoded, before anything else of it.
      const add = await aliceGroup.commitAdding([(await bob.keyPackage()).publicPackage]);
      expect((await codeOf(groups.register(alice.principal, add.groupInfo))).code).toBe(
        'mls_credential_refused',
      );
    });

    it('registers a group, adds a device with a commit and Welcome, and fans out messages (MLS end to end)', async () => {
      const id = randomBytes(16);
      a = await TestMember.createGroup(alice, id, [externalSenderExtension(serverKey)]);
      const registered = await groups.register(alice.principal, await a.groupInfo());
      groupId = registered.groupId;
      expect(registered).toEqual({ groupId: Buffer.from(id).toString('base64url'), epoch: '0' });
      expect((await codeOf(groups.register(alice.principal, await a.groupInfo()))).code).toBe('group_exists');

      const bobKp = await bob.keyPackage();
      const add = await a.commitAdding([bobKp.publicPackage]);
      woken.length = 0;
      const committed = await groups.commit(alice.principal, groupId, {
        commit: add.commit,
        groupInfo: add.groupInfo,
        welcome: add.welcome!,
        clientId: 'commit-add-bob',
      });
      add.apply();
      expect(committed).toEqual({ groupId, epoch: '1' });
      expect(woken).toEqual([bob.deviceId]);

      const bobInbox = await delivery.inbox(bob.principal, 0);
      expect(bobInbox.map((e) => e.kind)).toEqual(['welcome']);
      const b = await TestMember.join(bob, Buffer.from(bobInbox[0]!.body, 'base64url'), bobKp);

      // Alice's commit (a PublicMessage names her leaf) posted by Bob's device: refused.
      const alicesCommit = await a.commitAdding([], { publicMessage: true });
      const posted = groups.commit(bob.principal, groupId, {
        commit: alicesCommit.commit,
        groupInfo: alicesCommit.groupInfo,
        clientId: 'bob-posts-alices',
      });
      expect(await codeOf(posted)).toMatchObject({ code: 'not_a_member', status: 403 });

      const sent = await delivery.send(alice.principal, groupId, {
        message: await a.message('namaste'),
        clientId: 'msg-0001',
      });
      expect(sent).toEqual({ groupId, epoch: '1', recipients: 1 });
      const after = await delivery.inbox(bob.principal, bobInbox[0]!.seq);
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ kind: 'application', groupId, senderDevice: alice.deviceId });
      expect(after[0]!.seq).toBeGreaterThan(bobInbox[0]!.seq);
      expect(await b.read(Buffer.from(after[0]!.body, 'base64url'))).toBe('namaste');
      // The sender gets nothing of its own message.
      expect(await delivery.inbox(alice.principal, 0)).toEqual([]);
    });

    it('stores a retried send once and answers it as the first time', async () => {
      const message = await a.message('retry me');
      const first = await delivery.send(alice.principal, groupId, { message, clientId: 'msg-retry-1' });
      const again = await delivery.send(alice.principal, groupId, { message, clientId: 'msg-retry-1' });
      expect(again).toEqual(first);
      const queued = (await delivery.inbox(bob.principal, 0)).filter((e) => e.kind === 'application');
      expect(queued.filter((e) => e.body === Buffer.from(message).toString('base64url'))).toHaveLength(1);
      // The same id for another operation is refused, not silently answered.
      const add = await a.commitAdding([]);
      const reused = groups.commit(alice.principal, groupId, {
        commit: add.commit,
        groupInfo: add.groupInfo,
        clientId: 'msg-retry-1',
      });
      expect((await codeOf(reused)).code).toBe('client_id_reused');
    });

    it('delivers at least once until acknowledged, in seq order', async () => {
      const before = await delivery.inbox(bob.principal, 0);
      expect(before.length).toBeGreaterThanOrEqual(3);
      const seqs = before.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      // Read again without an ack: the same envelopes.
      expect(await delivery.inbox(bob.principal, 0)).toEqual(before);
      expect(await delivery.ack(bob.principal, seqs[1]!)).toEqual({ removed: 2 });
      expect((await delivery.inbox(bob.principal, 0)).map((e) => e.seq)).toEqual(seqs.slice(2));
      // Another device's ack removes nothing of Bob's queue.
      await delivery.ack(alice.principal, Number.MAX_SAFE_INTEGER);
      expect((await delivery.inbox(bob.principal, 0)).map((e) => e.seq)).toEqual(seqs.slice(2));
    });

    it('queues fan-outs that share devices in one pass each: consecutive seqs, no deadlock under concurrency', async () => {
      const repo = new DeliveryRepository(db.handle);
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      const env = (n: number) => ({
        groupId: 'g-seq',
        senderDevice: null,
        kind: 'application' as const,
        body: Buffer.from([n]),
      });
      // One transaction: a device in two batches gets two consecutive seqs, in batch order.
      const [first, second] = await db.handle.db.transaction((tx) =>
        repo.enqueueAll(
          [
            { deviceIds: [a, b, a], envelope: env(1) },
            { deviceIds: [c, a], envelope: env(2) },
          ],
          tx,
        ),
      );
      expect([...first!]).toEqual([
        [a, 1],
        [b, 1],
      ]);
      expect([...second!]).toEqual([
        [c, 1],
        [a, 2],
      ]);
      // Twenty transactions at once, each a commit-and-Welcome shape over the same devices in opposite orders
      // (two enqueue passes each would deadlock: one holds a's row waiting for c's, the other the reverse).
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          db.handle.db.transaction((tx) =>
            repo.enqueueAll(
              i % 2
                ? [
                    { deviceIds: [a, b], envelope: env(3) },
                    { deviceIds: [c], envelope: env(4) },
                  ]
                : [
                    { deviceIds: [c], envelope: env(3) },
                    { deviceIds: [b, a], envelope: env(4) },
                  ],
              tx,
            ),
          ),
        ),
      );
      for (const [device, count] of [
        [a, 22],
        [b, 21],
        [c, 21],
      ] as const) {
        const seqs = (await repo.inbox(device, 0, 100)).map((e) => e.seq);
        expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      }
    });

    it('refuses a commit for a stale epoch with the current one, and lets exactly one of two concurrent commits win', async () => {
      // Two members commit concurrently at epoch 1 (Alice adds bob2, a plain self-update by another commit).
      const bob2Kp = await bob2.keyPackage();
      const c1 = await a.commitAdding([bob2Kp.publicPackage]);
      const c2 = await a.commitAdding([]);
      const results = await Promise.allSettled([
        racing.commit(alice.principal, groupId, {
          commit: c1.commit,
          groupInfo: c1.groupInfo,
          welcome: c1.welcome!,
          clientId: 'race-1',
        }),
        // Through another service (another node: a device's one commit in flight is counted per node).
        groups.commit(alice.principal, groupId, {
          commit: c2.commit,
          groupInfo: c2.groupInfo,
          clientId: 'race-2',
        }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      bob2Joined = results[0].status === 'fulfilled'; // which commit wins is up to the race
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(AppError);
      expect(lost[0]!.reason).toMatchObject({
        code: 'mls_stale_epoch',
        status: 409,
        details: { epoch: '2' },
      });
      expect((await groups.groupInfo(alice.principal, groupId)).epoch).toBe('2');
      // Replaying the losing commit later is still stale.
      expect(
        await codeOf(
          groups.commit(alice.principal, groupId, {
            commit: c2.commit,
            groupInfo: c2.groupInfo,
            clientId: 'race-3',
          }),
        ),
      ).toMatchObject({ code: 'mls_stale_epoch', details: { epoch: '2' } });
    });

    it('refuses a commit adding an official the committer may not see, or a leaf whose certificate is revoked (not one a renewal replaced)', async () => {
      const [state] = [a.state];
      const carolKp = await carol.keyPackage();
      // Alice's state is at epoch 1 here unless the winning commit was applied: build from a fresh group.
      const g = await TestMember.createGroup(alice, randomBytes(16), [externalSenderExtension(serverKey)]);
      const reg = await groups.register(alice.principal, await g.groupInfo());
      const addCarol = await g.commitAdding([carolKp.publicPackage]);
      expect(
        await codeOf(
          groups.commit(alice.principal, reg.groupId, {
            commit: addCarol.commit,
            groupInfo: addCarol.groupInfo,
            welcome: addCarol.welcome!,
            clientId: 'add-carol',
          }),
        ),
      ).toMatchObject({ code: 'official_not_found' });
      auth.revoked.add(bob2.deviceId);
      const addBob2 = await g.commitAdding([(await bob2.keyPackage()).publicPackage]);
      expect(
        await codeOf(
          groups.commit(alice.principal, reg.groupId, {
            commit: addBob2.commit,
            groupInfo: addBob2.groupInfo,
            welcome: addBob2.welcome!,
            clientId: 'add-bob2',
          }),
        ),
      ).toMatchObject({ code: 'mls_credential_refused', status: 403 });
      auth.revoked.delete(bob2.deviceId);
      // Renewed: the certificate in Bob's leaf is superseded, his device in service. The group goes on.
      auth.superseded.add(bob2.deviceId);
      expect(
        await groups.commit(alice.principal, reg.groupId, {
          commit: addBob2.commit,
          groupInfo: addBob2.groupInfo,
          welcome: addBob2.welcome!,
          clientId: 'add-bob2-renewed',
        }),
      ).toEqual({ groupId: reg.groupId, epoch: '1' });
      auth.superseded.delete(bob2.deviceId);
      expect(a.state).toBe(state);
    });

    it('refuses messages of non-members, of other groups and of old epochs; malformed bytes are a 400', async () => {
      const message = await a.message('hello');
      expect(
        (await codeOf(delivery.send(carol.principal, groupId, { message, clientId: 'carol-0001' }))).code,
      ).toBe('group_not_found');
      expect(
        (
          await codeOf(
            delivery.send(alice.principal, 'AAAAAAAAAAAAAAAAAAAAAA', { message, clientId: 'wrong-group' }),
          )
        ).code,
      ).toBe('mls_wrong_group');
      expect(
        await codeOf(
          delivery.send(alice.principal, groupId, { message: randomBytes(64), clientId: 'garbage-01' }),
        ),
      ).toMatchObject({
        code: 'mls_malformed',
        status: 400,
      });
      expect(
        (
          await codeOf(
            delivery.send(alice.principal, groupId, {
              message: new Uint8Array(262145),
              clientId: 'too-big-01',
            }),
          )
        ).code,
      ).toBe('mls_too_large');
    });

    it('removing a device stops delivery at once, proposes its Remove, and refuses a tree that keeps it', async () => {
      // A group of Alice and Bob at epoch 1 (Bob is also in the group of the tests above).
      const g = await TestMember.createGroup(alice, randomBytes(16), [externalSenderExtension(serverKey)]);
      const { groupId: gid } = await groups.register(alice.principal, await g.groupInfo());
      const add = await g.commitAdding([(await bob.keyPackage()).publicPackage]);
      await groups.commit(alice.principal, gid, {
        commit: add.commit,
        groupInfo: add.groupInfo,
        welcome: add.welcome!,
        clientId: 'removal-add-bob',
      });
      add.apply();
      const before = (await delivery.inbox(alice.principal, 0)).at(-1)?.seq ?? 0;
      woken.length = 0;
      expect(await removal.removeDevice(bob.deviceId, users.bob, 'lost')).toEqual({
        deviceId: bob.deviceId,
        groups: 2,
      });
      expect(removed).toContain(bob.deviceId);
      // The Remove proposals wake the other members of both of Bob's groups: Alice, and bob2 when the race above
      // let the commit adding it win.
      expect(woken.sort()).toEqual((bob2Joined ? [alice.deviceId, bob2.deviceId] : [alice.deviceId]).sort());
      expect(await codeOf(delivery.inbox(bob.principal, 0))).toMatchObject({
        code: 'device_removed_from_chat',
        status: 403,
      });
      expect((await codeOf(groups.groupInfo(bob.principal, gid))).code).toBe('group_not_found');
      // The server's Remove of Bob's leaf (1), as the group's external sender, for epoch 1, in Alice's queue.
      const proposals = (await delivery.inbox(alice.principal, before)).filter((e) => e.kind === 'proposal');
      const mine = proposals.find((e) => e.groupId === gid);
      expect(mine).toMatchObject({ senderDevice: null });
      expect(readMessage(Buffer.from(mine!.body, 'base64url'))).toMatchObject({
        epoch: 1n,
        contentType: 'proposal',
        sender: { type: 'external', senderIndex: 0 },
      });
      // A commit whose tree still holds Bob's device is refused until it carries the Remove.
      const keeps = await g.commitAdding([]);
      expect(
        await codeOf(
          groups.commit(alice.principal, gid, {
            commit: keeps.commit,
            groupInfo: keeps.groupInfo,
            clientId: 'commit-keeps-bob',
          }),
        ),
      ).toMatchObject({ code: 'mls_member_removed', status: 409, details: { leafIndex: 1 } });
      // The removed device publishes nothing more; removing it again changes nothing.
      const kp = await bob.keyPackage();
      expect((await codeOf(keyPackages.upload(bob.principal, [kp.bytes]))).code).toBe(
        'device_removed_from_chat',
      );
      expect(await removal.removeDevice(bob.deviceId, users.bob, 'lost')).toEqual({
        deviceId: bob.deviceId,
        groups: 0,
      });
    });

    it('tells the calls module which devices an ordinary Remove commit dropped (and nothing for an add)', async () => {
      const g = await TestMember.createGroup(alice, randomBytes(16), [externalSenderExtension(serverKey)]);
      const { groupId: gid } = await groups.register(alice.principal, await g.groupInfo());
      const add = await g.commitAdding([(await bob2.keyPackage()).publicPackage]);
      published.length = 0;
      await groups.commit(alice.principal, gid, {
        commit: add.commit,
        groupInfo: add.groupInfo,
        welcome: add.welcome!,
        clientId: 'dropped-add-bob2',
      });
      add.apply();
      expect(published).toEqual([]);
      const remove = await g.commitRemoving([1]);
      await groups.commit(alice.principal, gid, {
        commit: remove.commit,
        groupInfo: remove.groupInfo,
        clientId: 'dropped-remove-bob2',
      });
      expect(published.map((e) => [e.type, e.data])).toEqual([
        ['secure-chat.group.members-dropped', { groupId: gid, deviceIds: [bob2.deviceId] }],
      ]);
    });
  });
});
