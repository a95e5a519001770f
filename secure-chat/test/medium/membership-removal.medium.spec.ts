import { randomBytes, randomUUID } from 'node:crypto';
import { externalSenderExtension } from '@pakawaaz/mls';
import { platformDomain, type Logger } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDirectory, ChatWake } from '../../src/chat-ports.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { GroupsService } from '../../src/groups/groups.service.js';
import { KeyPackagesRepository } from '../../src/key-packages/key-packages.repository.js';
import { KeyPackagesService } from '../../src/key-packages/key-packages.service.js';
import { inlineKeyPackageReader } from '../../src/key-packages/key-package-reader.js';
import { DeviceRemovalService } from '../../src/membership/device-removal.service.js';
import { RemovalsRepository } from '../../src/membership/removals.repository.js';
import type { SecureChatConfig } from '../../src/secure-chat.config.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { codeOf } from '../support/app-error.js';
import {
  testCa,
  TestDevice,
  TestDeviceAuthenticator,
  testExternalSender,
  TestMember,
} from '../support/mls-devices.js';

const MINISTRY = randomUUID();

/**
 * Taking devices out of chat where the review found gaps: a lost handset whose official is enabled again.
 * Runs on PostgreSQL, or on PGlite when none is reachable.
 */
describe('taking devices out of chat (PostgreSQL or PGlite, real MLS bytes)', () => {
  let db: TestDatabase;
  let repo: DeliveryRepository;
  let removals: RemovalsRepository;
  let groups: GroupsService;
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
});
