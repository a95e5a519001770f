import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { proposeExternal } from 'ts-mls';
import { ChatCore } from './chat-core.js';
import { MemoryDeliveryService, testDeviceCa, testExternalSender } from './chat-fixtures.js';
import type { ChatCommit, ChatEvent } from './chat-types.js';
import { b64u, chatCiphersuite, leavesOf, MLS_LIMITS, mlsFromWire, mlsToWire } from './mls-glue.js';
import { externalRemove } from '@pakawaaz/mls';
import { identityOf } from './chat-auth.js';
import type { ChatSnapshot } from './chat-snapshot.js';
import { ratchetTreeFromExtension } from 'ts-mls/groupInfo.js';

type Pki = Awaited<ReturnType<typeof testDeviceCa>>;
let pki: Pki;
let server: ReturnType<typeof testExternalSender>;

async function device(deviceId: string, userId: string) {
  const d = await pki.device(deviceId, userId);
  return { ...d, deviceId, trust: { deviceCaDers: [pki.caDer], externalSenderKeys: [server.signatureKey] } };
}

/** Delivers every queued envelope to each core until the queues are empty; returns events by device. */
async function pump(ds: MemoryDeliveryService, cores: Record<string, ChatCore>) {
  const events: Record<string, ChatEvent[]> = {};
  for (let busy = true; busy;) {
    busy = false;
    for (const [id, core] of Object.entries(cores))
      for (const env of ds.drain(id)) {
        busy = true;
        (events[id] ??= []).push(...(await core.receive(env)));
      }
  }
  return events;
}

const ok = (ds: MemoryDeliveryService, core: ChatCore, c: ChatCommit) => {
  expect(ds.commit(core.identity.deviceId, c)).toEqual({ status: 200 });
  core.confirm(c.groupId);
};
const post = async (
  ds: MemoryDeliveryService,
  core: ChatCore,
  groupId: string,
  body: Parameters<ChatCore['send']>[1],
) => {
  const s = await core.send(groupId, body);
  ds.send(core.identity.deviceId, groupId, 'application', s.message);
  return s.id;
};
const messages = (ev: ChatEvent[] | undefined) => (ev ?? []).filter((e) => e.type === 'message');

describe('ChatCore: MLS chat between devices through a delivery service (real ts-mls, P-256, X.509)', () => {
  let alice: ChatCore, bobPhone: ChatCore, bobTablet: ChatCore;
  let cores: Record<string, ChatCore>;
  const ds = new MemoryDeliveryService();
  const es = () => ({ signatureKey: server.signatureKey });

  beforeAll(async () => {
    pki = await testDeviceCa();
    server = testExternalSender();
    alice = await ChatCore.open(await device('alice-phone', 'alice'));
    bobPhone = await ChatCore.open(await device('bob-phone', 'bob'));
    bobTablet = await ChatCore.open(await device('bob-tablet', 'bob'));
    cores = { 'alice-phone': alice, 'bob-phone': bobPhone, 'bob-tablet': bobTablet };
  });

  let oneToOne: string;
  it('1:1: the MLS signing key is the device certificate key; Welcome, text both ways, receipts, typing, a file', async () => {
    const [kp] = await bobPhone.makeKeyPackages(1);
    const leafKey = (
      mlsFromWire(kp!, MLS_LIMITS.keyPackage) as {
        keyPackage: { leafNode: { signaturePublicKey: Uint8Array } };
      }
    ).keyPackage.leafNode.signaturePublicKey;
    expect(Buffer.from(leafKey).equals(Buffer.from(bobPhone['key'].publicKey))).toBe(true);

    const g = await alice.createGroup(es());
    oneToOne = g.groupId;
    ds.register(g.groupId, g.groupInfo);
    ok(ds, alice, await alice.add(g.groupId, [kp!]));
    const joined = await pump(ds, cores);
    expect(joined['bob-phone']).toEqual([
      expect.objectContaining({ type: 'joined', groupId: g.groupId, epoch: 1n }),
    ]);
    expect(
      bobPhone
        .members(g.groupId)
        .map((m) => m.deviceId)
        .sort(),
    ).toEqual(['alice-phone', 'bob-phone']);

    const hello = await post(ds, alice, g.groupId, { type: 'text', text: 'Budget review at 3pm' });
    let ev = await pump(ds, cores);
    expect(messages(ev['bob-phone'])).toEqual([
      expect.objectContaining({
        id: hello,
        text: 'Budget review at 3pm',
        from: { deviceId: 'alice-phone', userId: 'alice', serial: expect.any(String) as string },
      }),
    ]);
    expect(ev['bob-tablet']).toBeUndefined();

    await post(ds, bobPhone, g.groupId, { type: 'typing', active: true });
    await post(ds, bobPhone, g.groupId, { type: 'receipt', status: 'read', ids: [hello] });
    const file = {
      url: 'https://chat.example/files/abc',
      key: randomBytes(32).toString('base64url'),
      hash: randomBytes(32).toString('base64url'),
      name: 'circular-14.pdf',
      size: 48_213,
    };
    const fileId = await post(ds, bobPhone, g.groupId, { type: 'file', file, caption: 'the circular' });
    ev = await pump(ds, cores);
    expect(ev['alice-phone']!.map((e) => e.type)).toEqual(['typing', 'receipt', 'message']);
    expect(ev['alice-phone']![2]).toMatchObject({ id: fileId, file, text: 'the circular' });
    expect(alice.history.get(g.groupId, hello)).toMatchObject({
      own: true,
      delivered: ['bob-phone'],
      read: ['bob-phone'],
    });
    expect(alice.history.search('circ').map((e) => e.id)).toEqual([fileId]);
  });

  let group: string;
  it('group: two officials, three devices; one message reaches every other device', async () => {
    const tablets = await bobTablet.makeKeyPackages(1, true); // one-time + last resort
    expect(tablets).toHaveLength(2);
    const kps = [...(await bobPhone.makeKeyPackages(1)), tablets[0]!];
    const g = await alice.createGroup(es());
    group = g.groupId;
    ds.register(g.groupId, g.groupInfo);
    const c = await alice.add(g.groupId, kps);
    expect(c.welcome).toBeDefined();
    ok(ds, alice, c);
    await pump(ds, cores);
    const id = await post(ds, bobTablet, group, { type: 'text', text: 'From my tablet' });
    const ev = await pump(ds, cores);
    for (const d of ['alice-phone', 'bob-phone'])
      expect(messages(ev[d])).toEqual([
        expect.objectContaining({
          id,
          from: { deviceId: 'bob-tablet', userId: 'bob', serial: expect.any(String) as string },
        }),
      ]);
    expect(ev['bob-tablet']).toBeUndefined();
  });

  it('a redelivered message or commit changes nothing (at-least-once delivery)', async () => {
    const s = await alice.send(group, { type: 'text', text: 'once' });
    const env = { kind: 'application' as const, groupId: group, message: s.message };
    expect(messages(await bobPhone.receive(env))).toHaveLength(1);
    expect(await bobPhone.receive(env)).toEqual([
      expect.objectContaining({ type: 'ignored', reason: 'undecryptable' }),
    ]);
    expect(bobPhone.history.conversation(group).filter((e) => e.text === 'once')).toHaveLength(1);
  });

  it('stale epoch: the loser of a race gets 409, applies the winner, rebuilds its change, and all converge', async () => {
    const [kp] = await bobTablet.makeKeyPackages(1);
    // bob-phone rotates its keys while alice adds bob-tablet to the 1:1 chat, both at the same epoch.
    const bobs = await bobPhone.update(oneToOne);
    const alices = await alice.add(oneToOne, [kp!]);
    ok(ds, bobPhone, bobs);
    const refused = ds.commit('alice-phone', alices);
    expect(refused).toEqual({ status: 409, code: 'mls_stale_epoch', epoch: alices.epoch + 1n });
    const { commit } = await alice.rebase(oneToOne, ds.drain('alice-phone'));
    expect(commit!.epoch).toBe(alices.epoch + 1n);
    ok(ds, alice, commit!);
    await pump(ds, cores);
    for (const core of Object.values(cores)) expect(core.epoch(oneToOne)).toBe(alices.epoch + 2n);
    const id = await post(ds, bobTablet, oneToOne, { type: 'text', text: 'joined after the race' });
    const ev = await pump(ds, cores);
    expect(messages(ev['alice-phone'])[0]).toMatchObject({ id });
    expect(messages(ev['bob-phone'])[0]).toMatchObject({ id });
  });

  it('revocation: the server’s external Remove, committed by a member, leaves the device unable to read', async () => {
    const cs = await chatCiphersuite();
    const gi = mlsFromWire(ds.groups.get(group)!.groupInfo, MLS_LIMITS.groupInfoOrWelcome);
    if (gi.wireformat !== 'mls_group_info') throw new Error('GroupInfo expected');
    const leaf = leavesOf({ ratchetTree: ratchetTreeFromExtension(gi.groupInfo)! }).find(
      (l) => identityOf(l.credential)?.deviceId === 'bob-tablet',
    )!;
    // The server's own code path (@pakawaaz/mls externalRemove) makes the proposal.
    const proposal = b64u(await externalRemove(gi.groupInfo, leaf.leafIndex, server.key));
    // The server may propose Remove only: an Add from it (a listener it controls) is refused by every member.
    const [spare] = await bobTablet.makeKeyPackages(1);
    const kp = mlsFromWire(spare!, MLS_LIMITS.keyPackage);
    if (kp.wireformat !== 'mls_key_package') throw new Error('KeyPackage expected');
    const add = await proposeExternal(
      gi.groupInfo,
      { proposalType: 'add', add: { keyPackage: kp.keyPackage } },
      server.signatureKey,
      server.signKey,
      cs,
    );
    ds.send('server', group, 'proposal', mlsToWire(add));
    const refused = await pump(ds, cores);
    expect(refused['alice-phone']).toEqual([expect.objectContaining({ type: 'ignored', reason: 'refused' })]);
    expect(await alice.commitPending(group)).toBeNull();

    const tabletBefore = bobTablet.save();
    ds.send('server', group, 'proposal', proposal);
    const pending = await pump(ds, cores);
    for (const d of ['alice-phone', 'bob-phone'])
      expect(pending[d]).toEqual([
        {
          type: 'proposals-pending',
          groupId: group,
          removes: [expect.objectContaining({ deviceId: 'bob-tablet' })],
        },
      ]);
    // The server proposing this device's own Remove took it out (it is off the member list, no commit will
    // reach it: an official who left from another device): it forgets the group at once, commits nothing.
    expect(pending['bob-tablet']).toEqual([{ type: 'removed', groupId: group }]);
    expect(bobTablet.groups.has(group)).toBe(false);
    const c = (await alice.commitPending(group))!;
    ok(ds, alice, c);
    const ev = await pump(ds, cores);
    expect(ev['bob-phone']).toEqual([
      expect.objectContaining({
        type: 'members-changed',
        removed: [expect.objectContaining({ deviceId: 'bob-tablet' })],
      }),
    ]);
    expect(ev['bob-tablet']).toEqual([expect.objectContaining({ type: 'ignored', reason: 'unknown-group' })]);

    // Even if the server kept delivering, the removed device's keys cannot open what is sent afterwards.
    const secret = await alice.send(group, { type: 'text', text: 'after the revocation' });
    const env = { kind: 'application' as const, groupId: group, message: secret.message };
    expect(await bobTablet.receive(env)).toEqual([
      expect.objectContaining({ type: 'ignored', reason: 'unknown-group' }),
    ]);
    const oldTablet = await ChatCore.open(bobTablet.device, tabletBefore);
    const seen = await oldTablet.receive(env);
    expect(seen.map((e) => e.type)).toEqual(['ignored']);
    expect(JSON.stringify(oldTablet.save())).not.toContain('after the revocation');
    expect(messages(await bobPhone.receive(env))[0]).toMatchObject({ text: 'after the revocation' });
  });

  it('restart: a device restored from its JSON snapshot keeps its groups, KeyPackages and searchable history', async () => {
    const snapshot = JSON.parse(JSON.stringify(bobPhone.save())) as ChatSnapshot;
    bobPhone = await ChatCore.open(bobPhone.device, snapshot);
    cores['bob-phone'] = bobPhone;
    const id = await post(ds, alice, oneToOne, { type: 'text', text: 'still there after the restart?' });
    let ev = await pump(ds, cores);
    expect(messages(ev['bob-phone'])[0]).toMatchObject({ id });
    const reply = await post(ds, bobPhone, oneToOne, { type: 'text', text: 'yes' });
    ev = await pump(ds, cores);
    expect(messages(ev['alice-phone'])[0]).toMatchObject({ id: reply });
    expect(bobPhone.history.search('budget review').map((e) => e.text)).toEqual(['Budget review at 3pm']);
  });

  it('credentials: a KeyPackage under a foreign CA is refused, and so is a core whose key is not its certificate’s', async () => {
    const foreign = await testDeviceCa('CN=Other CA');
    const d = await foreign.device('mallory-phone', 'mallory');
    const mallory = await ChatCore.open({ ...d, trust: { deviceCaDers: [foreign.caDer] } });
    const [kp] = await mallory.makeKeyPackages(1);
    await expect(alice.add(group, [kp!])).rejects.toMatchObject({ code: 'chat_credential_refused' });
    const other = await pki.device('x', 'y');
    await expect(
      ChatCore.open({
        keyPem: other.keyPem,
        certificateDer: (await pki.device('z', 'y')).certificateDer,
        trust: { deviceCaDers: [pki.caDer] },
      }),
    ).rejects.toMatchObject({ code: 'chat_credential_refused' });
  });
});
