import { randomBytes, randomUUID } from 'node:crypto';
import { externalSenderExtension, readMessage } from '@pakawaaz/mls';
import { platformDomain, type Db, type Logger } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDirectory, ChatWake } from '../../src/chat-ports.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { DeliveryService } from '../../src/delivery/delivery.service.js';
import { SendBatchRepository } from '../../src/delivery/send-batch.repository.js';
import { SendGroupCommit } from '../../src/delivery/send-group-commit.js';
import { GroupsService } from '../../src/groups/groups.service.js';
import { KeyPackagesRepository } from '../../src/key-packages/key-packages.repository.js';
import { KeyPackagesService } from '../../src/key-packages/key-packages.service.js';
import { inlineKeyPackageReader } from '../../src/key-packages/key-package-reader.js';
import { DeviceRemovalService } from '../../src/membership/device-removal.service.js';
import { RemovalsRepository } from '../../src/membership/removals.repository.js';
import type { SecureChatConfig } from '../../src/secure-chat.config.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { codeOf } from '../support/app-error.js';
import { untilLockWaiters } from '../support/lock-waits.js';
import {
  testCa,
  TestDevice,
  TestDeviceAuthenticator,
  testExternalSender,
  TestMember,
} from '../support/mls-devices.js';

const MINISTRY = randomUUID();

/**
 * Taking devices out of chat where the review found gaps: a disabled official's device chat never knew, a lost
 * handset whose official is enabled again, and a removal racing a commit that adds the device (PostgreSQL).
 * Runs on PostgreSQL, or on PGlite when none is reachable (the races then skip: one connection).
 */
describe('taking devices out of chat (PostgreSQL or PGlite, real MLS bytes)', () => {
  let db: TestDatabase;
  let repo: DeliveryRepository;
  let removals: RemovalsRepository;
  let groups: GroupsService;
  let delivery: DeliveryService;
  let keyPackages: KeyPackagesService;
  let removal: DeviceRemovalService;
  /** A removal or a commit over these ports (to stage a race). */
  let removalWith: (r: RemovalsRepository) => DeviceRemovalService;
  let groupsWith: (r: DeliveryRepository) => GroupsService;
  const auth = new TestDeviceAuthenticator();
  const server = testExternalSender();
  const users = { alice: randomUUID(), bob: randomUUID(), carol: randomUUID(), dave: randomUUID() };
  let alice: TestDevice;
  let bob: TestDevice;
  let carol: TestDevice;
  let dave: TestDevice;

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    const ca = await testCa();
    const device = (userId: string) =>
      TestDevice.create(ca, { deviceId: randomUUID(), userId, institutionId: MINISTRY });
    [alice, bob, carol, dave] = await Promise.all([
      device(users.alice),
      device(users.bob),
      device(users.carol),
      device(users.dave),
    ]);
    auth.add(alice, bob, carol, dave);
    const directory: ChatDirectory = {
      find: (ref) => Promise.resolve({ userId: ref, institutionId: MINISTRY, active: true }),
      maySee: () => Promise.resolve(true),
    };
    const wake: ChatWake = {
      queued: () => undefined,
      keyPackagesLow: () => undefined,
      removed: () => undefined,
    };
    repo = new DeliveryRepository(db.handle);
    removals = new RemovalsRepository(db.handle);
    const kpRepo = new KeyPackagesRepository(db.handle);
    const key = { signatureKey: server.signatureKey };
    groupsWith = (r) => new GroupsService(r, directory, key, wake, auth, removals);
    groups = groupsWith(repo);
    delivery = new DeliveryService(
      repo,
      new SendGroupCommit(repo, new SendBatchRepository(), wake, db.handle),
    );
    const config = { lowKeyPackages: 0 } as SecureChatConfig;
    keyPackages = new KeyPackagesService(
      kpRepo,
      auth,
      directory,
      wake,
      config,
      inlineKeyPackageReader,
      removals,
    );
    const quiet = { info: () => undefined } as unknown as Logger;
    removalWith = (r) => new DeviceRemovalService(r, repo, kpRepo, server, wake, quiet);
    removal = removalWith(removals);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  const newGroup = async (owner: TestDevice) => {
    const a = await TestMember.createGroup(owner, randomBytes(16), [
      externalSenderExtension(server.signatureKey),
    ]);
    const { groupId } = await groups.register(owner.principal, await a.groupInfo());
    return { groupId, a };
  };
  const adding = async (a: TestMember, d: TestDevice) =>
    a.commitAdding([(await d.keyPackage()).publicPackage]);
  const post = (
    a: TestMember,
    groupId: string,
    c: { commit: Uint8Array; groupInfo: Uint8Array; welcome?: Uint8Array | undefined },
    clientId: string,
    over: GroupsService = groups,
  ) =>
    over.commit(a.device.principal, groupId, {
      commit: c.commit,
      groupInfo: c.groupInfo,
      ...(c.welcome ? { welcome: c.welcome } : {}),
      clientId,
    });

  it('refuses every device of a disabled official, one chat never knew too, until they are enabled again', async () => {
    const { groupId, a } = await newGroup(alice);
    // Alice holds a KeyPackage of Bob's handset (claimed: gone from the server); the handset is in no group.
    const add = await adding(a, bob);
    expect(await removal.removeOfficial(users.bob)).toEqual([]);
    // Her Add is refused: the leaf is a device of a disabled official.
    expect(await codeOf(post(a, groupId, add, 'add-disabled-bob'))).toMatchObject({
      code: 'mls_member_removed',
      details: { leafIndex: 1 },
    });
    // The handset publishes nothing, registers no group, claims no one's KeyPackages.
    expect((await codeOf(keyPackages.upload(bob.principal, [(await bob.keyPackage()).bytes]))).code).toBe(
      'device_removed_from_chat',
    );
    const own = await TestMember.createGroup(bob, randomBytes(16), [
      externalSenderExtension(server.signatureKey),
    ]);
    expect((await codeOf(groups.register(bob.principal, await own.groupInfo()))).code).toBe(
      'device_removed_from_chat',
    );
    expect((await codeOf(keyPackages.claim(bob.principal, users.carol))).code).toBe(
      'device_removed_from_chat',
    );

    // Enabled again: the same Add goes through, and the handset publishes again.
    await removal.liftOfficial(users.bob);
    expect(await post(a, groupId, add, 'add-enabled-bob')).toEqual({ groupId, epoch: '1' });
    expect((await keyPackages.upload(bob.principal, [(await bob.keyPackage()).bytes])).stored).toBe(1);
  });

  it('keeps a handset reported lost out of chat when its disabled official is enabled again', async () => {
    const { groupId, a } = await newGroup(alice);
    const add = await adding(a, carol);
    await post(a, groupId, add, 'add-carol');
    add.apply();
    expect(await removal.removeOfficial(users.carol)).toEqual([{ deviceId: carol.deviceId, groups: 1 }]);
    await removal.removeDevice(carol.deviceId, users.carol, 'lost');
    await removal.liftOfficial(users.carol);
    // Lost wins over the official's disabling: the handset stays out.
    expect(await removals.removedAmong([carol.deviceId])).toEqual(new Set([carol.deviceId]));
    expect((await codeOf(keyPackages.upload(carol.principal, [(await carol.keyPackage()).bytes]))).code).toBe(
      'device_removed_from_chat',
    );
  });

  /** A gate: `paused` once the staged transaction reached it, `release` lets it go on. */
  const gate = () => {
    let release!: () => void;
    let reached!: () => void;
    const open = new Promise<void>((r) => (release = r));
    const paused = new Promise<void>((r) => (reached = r));
    return { release, paused, wait: () => (reached(), open) };
  };

  it('a commit adding a device waits for a removal of it in flight, and is then refused', async (ctx) => {
    if (!db.url) ctx.skip(); // PGlite has one connection: no two transactions at once
    // Dave's handset in a group of Alice's; the removal pauses once it has read that group (before its lock).
    const { groupId: first, a: a1 } = await newGroup(alice);
    const inFirst = await adding(a1, dave);
    await post(a1, first, inFirst, 'dave-first');
    const g = gate();
    const pausing = Object.assign(Object.create(removals) as RemovalsRepository, {
      groupsOf: async (deviceId: string, tx: Db) => {
        const found = await removals.groupsOf(deviceId, tx);
        await g.wait();
        return found;
      },
    });
    const removing = removalWith(pausing).removeDevice(dave.deviceId, users.dave, 'wiped');
    await g.paused;
    // Meanwhile Alice adds the handset to another group: her commit waits for the removal to end.
    const { groupId: second, a: a2 } = await newGroup(alice);
    const committing = codeOf(post(a2, second, await adding(a2, dave), 'dave-second'));
    try {
      await untilLockWaiters(db.handle, 1, 'the commit never waited on the removal');
    } finally {
      g.release();
    }
    expect(await removing).toEqual({ deviceId: dave.deviceId, groups: 1 });
    expect(await committing).toMatchObject({ code: 'mls_member_removed', details: { leafIndex: 1 } });
    expect((await repo.members(second)).map((m) => m.deviceId)).toEqual([alice.deviceId]);
  });

  it('a removal waits for a commit adding the device in flight, and then proposes its Remove there too', async (ctx) => {
    if (!db.url) ctx.skip();
    const dave2 = await TestDevice.create(await testCa(), {
      deviceId: randomUUID(),
      userId: users.dave,
      institutionId: MINISTRY,
    });
    auth.add(dave2);
    const { groupId, a } = await newGroup(alice);
    // Alice's commit adding Dave's second handset pauses after its checks, before it writes the new epoch.
    const g = gate();
    const pausing = Object.assign(Object.create(repo) as DeliveryRepository, {
      advanceGroup: async (...args: Parameters<DeliveryRepository['advanceGroup']>) => {
        await g.wait();
        return repo.advanceGroup(...args);
      },
    });
    const add = await adding(a, dave2);
    const before = (await delivery.inbox(alice.principal, 0)).at(-1)?.seq ?? 0;
    const committing = post(a, groupId, add, 'dave2-added', groupsWith(pausing));
    await g.paused;
    const removing = removal.removeDevice(dave2.deviceId, users.dave, 'lost');
    try {
      await untilLockWaiters(db.handle, 1, 'the removal never waited on the commit');
    } finally {
      g.release();
    }
    expect(await committing).toEqual({ groupId, epoch: '1' });
    // The removal found the handset a member of the new group: the server's Remove of its leaf, for epoch 1.
    expect(await removing).toEqual({ deviceId: dave2.deviceId, groups: 1 });
    const proposal = (await delivery.inbox(alice.principal, before)).find(
      (e) => e.groupId === groupId && e.kind === 'proposal',
    );
    expect(readMessage(Buffer.from(proposal!.body, 'base64url'))).toMatchObject({
      epoch: 1n,
      sender: { type: 'external' },
    });
    expect((await repo.members(groupId)).map((m) => m.deviceId)).toEqual([alice.deviceId]);
  });
});
