import { randomBytes, randomUUID } from 'node:crypto';
import { externalSenderExtension, readMessage } from '@pakawaaz/mls';
import { platformDomain, type DomainEvent, type EventBus } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDirectory, ChatWake } from '../../src/chat-ports.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { DeliveryService } from '../../src/delivery/delivery.service.js';
import { SendBatchRepository } from '../../src/delivery/send-batch.repository.js';
import { SendGroupCommit } from '../../src/delivery/send-group-commit.js';
import { DroppedMembers } from '../../src/groups/dropped-members.js';
import { GroupsService } from '../../src/groups/groups.service.js';
import { DeparturesRepository } from '../../src/membership/departures.repository.js';
import { GroupLeaveService } from '../../src/membership/group-leave.service.js';
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

const MINISTRY = randomUUID();
const body = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64url'));

describe('leaving a group (PostgreSQL, real MLS bytes)', () => {
  let db: TestDatabase;
  let groups: GroupsService;
  let delivery: DeliveryService;
  let leaving: GroupLeaveService;
  /** A GroupsService as `groups`, with another removals port (to stage a race). */
  let groupsWith: (removals: RemovalsRepository) => GroupsService;
  const auth = new TestDeviceAuthenticator();
  const woken: string[] = [];
  const published: DomainEvent[] = [];
  const server = testExternalSender();
  const users = { alice: randomUUID(), bob: randomUUID(), carol: randomUUID() };
  let alice: TestDevice;
  let bob: TestDevice;
  let bob2: TestDevice;
  let carol: TestDevice;

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    const ca = await testCa();
    const device = (userId: string) =>
      TestDevice.create(ca, { deviceId: randomUUID(), userId, institutionId: MINISTRY });
    [alice, bob, bob2, carol] = await Promise.all([
      device(users.alice),
      device(users.bob),
      device(users.bob),
      device(users.carol),
    ]);
    auth.add(alice, bob, bob2, carol);
    const directory: ChatDirectory = {
      find: (ref) => Promise.resolve({ userId: ref, institutionId: MINISTRY, active: true }),
      maySee: () => Promise.resolve(true),
    };
    const wake: ChatWake = {
      queued: (ids) => void woken.push(...ids),
      keyPackagesLow: () => undefined,
      removed: () => undefined,
    };
    const repo = new DeliveryRepository(db.handle);
    const removals = new RemovalsRepository(db.handle);
    const departures = new DeparturesRepository(db.handle);
    const bus = {
      publish: (e: DomainEvent) => Promise.resolve(void published.push(e)),
    } as unknown as EventBus;
    const dropped = new DroppedMembers(bus);
    const key = { signatureKey: server.signatureKey };
    // The departures, as SecureChatModule binds them (the checker and the claims are the test's defaults).
    groupsWith = (r) =>
      new GroupsService(
        repo,
        directory,
        key,
        wake,
        auth,
        r,
        undefined,
        dropped,
        undefined,
        undefined,
        departures,
      );
    groups = groupsWith(removals);
    delivery = new DeliveryService(
      repo,
      new SendGroupCommit(repo, new SendBatchRepository(), wake, db.handle),
    );
    leaving = new GroupLeaveService(repo, removals, departures, server, wake, dropped);
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  /** Alice's group of Alice (leaf 0), Bob's two devices and Carol, all joined: epoch 1. */
  async function groupOfFour() {
    const { groupId, a } = await groupOf(alice);
    const kps = await Promise.all([bob, bob2, carol].map((d) => d.keyPackage()));
    const add = await a.commitAdding(kps.map((k) => k.publicPackage));
    await post(a, groupId, add, `add-${groupId.slice(0, 8)}`);
    add.apply();
    const joined = await Promise.all(
      [bob, bob2, carol].map(async (d, i) => {
        const inbox = await delivery.inbox(d.principal, 0);
        const welcome = inbox.find((e) => e.groupId === groupId && e.kind === 'welcome')!;
        return TestMember.join(d, body(welcome.body), kps[i]!);
      }),
    );
    return { groupId, a, b2: joined[1]!, c: joined[2]! };
  }

  /** A group of `owner`'s device (leaf 0); with `joiner` added and joined (epoch 1). */
  async function groupOf(owner: TestDevice, joiner?: TestDevice) {
    const a = await TestMember.createGroup(owner, randomBytes(16), [
      externalSenderExtension(server.signatureKey),
    ]);
    const { groupId } = await groups.register(owner.principal, await a.groupInfo());
    if (!joiner) return { groupId, a };
    const kp = await joiner.keyPackage();
    const add = await a.commitAdding([kp.publicPackage]);
    await post(a, groupId, add, `add-${groupId.slice(0, 8)}`);
    add.apply();
    const welcome = (await delivery.inbox(joiner.principal, 0)).find(
      (e) => e.groupId === groupId && e.kind === 'welcome',
    )!;
    return { groupId, a, joined: await TestMember.join(joiner, body(welcome.body), kp) };
  }

  /** Posts a member's commit (with its Welcome, if it has one) as the member's device. */
  const post = (
    m: TestMember,
    groupId: string,
    c: { commit: Uint8Array; groupInfo: Uint8Array; welcome?: Uint8Array | undefined },
    clientId: string,
  ) =>
    groups.commit(m.device.principal, groupId, {
      commit: c.commit,
      groupInfo: c.groupInfo,
      ...(c.welcome ? { welcome: c.welcome } : {}),
      clientId,
    });

  const lastSeq = async (d: TestDevice) => (await delivery.inbox(d.principal, 0)).at(-1)?.seq ?? 0;

  it('proposes the Remove of every device of the official, stops delivering to them, and refuses a tree that keeps them until it is committed', async () => {
    const { groupId, a, b2, c } = await groupOfFour();
    const aliceBefore = await lastSeq(alice);
    const bobBefore = await lastSeq(bob);
    const bob2Before = await lastSeq(bob2);
    woken.length = 0;
    published.length = 0;

    const left = await leaving.leave(bob.principal, groupId);
    expect(left).toEqual({ groupId, devices: [bob.deviceId, bob2.deviceId], closed: false });
    // The other members, and Bob's other device (told that it left too); not the calling device.
    expect(woken.sort()).toEqual([alice.deviceId, bob2.deviceId, carol.deviceId].sort());
    expect(published.map((e) => e.data)).toEqual([{ groupId, deviceIds: [bob.deviceId, bob2.deviceId] }]);

    // Two Removes (leaves 1 and 2) by the server as external sender, for epoch 1, to Alice and to Carol.
    const proposals = (await delivery.inbox(alice.principal, aliceBefore)).filter(
      (e) => e.kind === 'proposal',
    );
    expect(proposals).toHaveLength(2);
    for (const p of proposals) {
      expect(p).toMatchObject({ groupId, senderDevice: null });
      expect(readMessage(body(p.body))).toMatchObject({
        epoch: 1n,
        contentType: 'proposal',
        sender: { type: 'external', senderIndex: 0 },
      });
    }

    // Bob's other device gets the same two Removes, one of them of its own leaf (2): its client forgets the
    // group on reading it. The calling device learns it from the reply, and gets nothing.
    const told = await delivery.inbox(bob2.principal, bob2Before);
    expect(told.map((e) => e.body)).toEqual(proposals.map((p) => p.body));
    for (const p of told) await b2.receiveProposal(body(p.body));
    expect(Object.values(b2.state.unappliedProposals).map((p) => [p.senderLeafIndex, p.proposal])).toEqual([
      [undefined, { proposalType: 'remove', remove: { removed: 1 } }],
      [undefined, { proposalType: 'remove', remove: { removed: 2 } }],
    ]);
    expect(await delivery.inbox(bob.principal, bobBefore)).toEqual([]);

    // Leaving again (from either device of Bob's) answers the same and proposes nothing more.
    expect(await leaving.leave(bob2.principal, groupId)).toEqual(left);
    expect(await leaving.leave(bob.principal, groupId)).toEqual(left);
    expect(await delivery.inbox(alice.principal, aliceBefore)).toHaveLength(2);

    // Bob's devices are no members any more: nothing of the group reaches them, and they may not send to it.
    const sent = await delivery.send(carol.principal, groupId, {
      message: await c.message('after'),
      clientId: 'c-after-1',
    });
    expect(sent).toMatchObject({ recipients: 1 });
    expect(await delivery.inbox(bob.principal, bobBefore)).toEqual([]);
    expect((await codeOf(groups.groupInfo(bob.principal, groupId))).code).toBe('group_not_found');
    expect(
      (
        await codeOf(
          delivery.send(bob.principal, groupId, { message: await c.message('x'), clientId: 'b-send-1' }),
        )
      ).code,
    ).toBe('group_not_found');

    // A commit whose tree still holds Bob's devices is refused; one carrying the server's Removes goes through.
    const keeps = await a.commitAdding([]);
    expect(await codeOf(post(a, groupId, keeps, 'keeps-bob'))).toMatchObject({
      code: 'mls_member_removed',
      status: 409,
      details: { leafIndex: 1 },
    });
    for (const p of proposals) await a.receiveProposal(body(p.body));
    const removes = await a.commitPending();
    expect(await post(a, groupId, removes, 'commit-removes')).toEqual({ groupId, epoch: '2' });
    removes.apply();
    // Later commits go on, and nothing of them reaches Bob's devices.
    const next = await a.commitAdding([]);
    expect(await post(a, groupId, next, 'after-removes')).toEqual({ groupId, epoch: '3' });
    expect(await delivery.inbox(bob2.principal, bob2Before)).toHaveLength(2);
  });

  it('a commit of the Removes that loses the race to another member’s is stale (409), never a mismatch', async () => {
    const { groupId, a, c } = await groupOfFour();
    await leaving.leave(bob.principal, groupId);
    const proposals = (await delivery.inbox(alice.principal, 0)).filter(
      (e) => e.groupId === groupId && e.kind === 'proposal',
    );
    for (const p of proposals) {
      await a.receiveProposal(body(p.body));
      await c.receiveProposal(body(p.body));
    }
    const fromAlice = await a.commitPending();
    const fromCarol = await c.commitPending();
    // Carol's commit reads the group at epoch 1; Alice's lands before Carol's reads the Removes of epoch 1.
    const removals = new RemovalsRepository(db.handle);
    let landed: Promise<unknown> | undefined;
    const racing = Object.assign(Object.create(removals) as RemovalsRepository, {
      proposalsOf: async (...args: Parameters<RemovalsRepository['proposalsOf']>) => {
        landed ??= post(a, groupId, fromAlice, 'alice-wins');
        await landed;
        return removals.proposalsOf(...args);
      },
    });
    const lost = groupsWith(racing).commit(carol.principal, groupId, {
      commit: fromCarol.commit,
      groupInfo: fromCarol.groupInfo,
      clientId: 'carol-loses',
    });
    expect(await codeOf(lost)).toMatchObject({ code: 'mls_stale_epoch', status: 409 });
    expect(await landed).toEqual({ groupId, epoch: '2' });
  });

  it('adds an official who left anew once the Remove is committed (and they may leave again)', async () => {
    const { groupId, a } = await groupOfFour();
    await leaving.leave(carol.principal, groupId);
    const proposal = (await delivery.inbox(alice.principal, 0)).filter(
      (e) => e.groupId === groupId && e.kind === 'proposal',
    );
    await a.receiveProposal(body(proposal[0]!.body));
    const removes = await a.commitPending();
    await post(a, groupId, removes, 'rm-carol');
    removes.apply();
    const back = await a.commitAdding([(await carol.keyPackage()).publicPackage]);
    expect(await post(a, groupId, back, 'carol-back')).toEqual({ groupId, epoch: '3' });
    const again = await leaving.leave(carol.principal, groupId);
    expect(again).toEqual({ groupId, devices: [carol.deviceId], closed: false });
  });

  it("closing a group still tells the official's other device, and keeps no proposal for a commit", async () => {
    const { groupId, joined } = await groupOf(bob, bob2);
    const b2 = joined!;
    const before = await lastSeq(bob2);

    expect(await leaving.leave(bob.principal, groupId)).toEqual({
      groupId,
      devices: [bob.deviceId, bob2.deviceId],
      closed: true,
    });
    const told = await delivery.inbox(bob2.principal, before);
    expect(told).toHaveLength(2);
    for (const p of told) await b2.receiveProposal(body(p.body));
    expect(Object.values(b2.state.unappliedProposals).map((p) => p.proposal)).toContainEqual({
      proposalType: 'remove',
      remove: { removed: 1 },
    });
    // Nobody is left to commit: nothing kept for the epoch.
    expect(await new RemovalsRepository(db.handle).proposalsOf(groupId, 1n)).toEqual([]);
  });

  it('closing a group settles the departures still waiting for a commit (nobody is left to make it)', async () => {
    const { groupId } = await groupOf(alice, carol);
    const settled = async () => {
      const r = await db.handle.db.execute(sql`select device_id::text as d, settled
        from secure_chat.group_departures where group_id = ${groupId} order by leaf_index`);
      return (r as { rows: unknown[] }).rows;
    };
    await leaving.leave(carol.principal, groupId);
    expect(await settled()).toEqual([{ d: carol.deviceId, settled: false }]);
    // Alice leaves before committing Carol's Remove: the group closes, and Carol's departure is settled too
    // (the retention sweep may delete both once the window has passed).
    expect(await leaving.leave(alice.principal, groupId)).toMatchObject({ closed: true });
    expect(await settled()).toEqual([
      { d: alice.deviceId, settled: true },
      { d: carol.deviceId, settled: true },
    ]);
  });

  it('closes a group its official is the only one left in, and refuses a device that never was a member', async () => {
    const { groupId } = await groupOf(alice);
    expect(await codeOf(leaving.leave(bob.principal, groupId))).toMatchObject({
      code: 'group_not_found',
      status: 404,
    });
    expect((await codeOf(leaving.leave(bob.principal, 'bm8tc3VjaC1ncm91cA'))).code).toBe('group_not_found');
    const before = await lastSeq(alice);
    const closed = await leaving.leave(alice.principal, groupId);
    expect(closed).toEqual({ groupId, devices: [alice.deviceId], closed: true });
    expect(await leaving.leave(alice.principal, groupId)).toEqual(closed);
    expect(await delivery.inbox(alice.principal, before)).toEqual([]);
    expect((await codeOf(groups.groupInfo(alice.principal, groupId))).code).toBe('group_not_found');
  });
});
