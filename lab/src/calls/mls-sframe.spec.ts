import { beforeAll, describe, expect, it } from 'vitest';
import { ChatCore } from '../chat/chat-core.js';
import { MemoryDeliveryService, testDeviceCa, testExternalSender } from '../chat/chat-fixtures.js';
import { sframeEpochOf } from './mls-sframe.js';
import { indexBits, mlsKid, SFrameKeyRing } from './sframe-keyring.js';
import { decodeHeader } from './sframe.js';

describe('MLS-derived KIDs (RFC 9605 §5.2, Figure "An Example Sequence of KIDs", E=4, S=6)', () => {
  it('gives the RFC example KIDs', () => {
    expect(mlsKid(3, 14n, 6)).toBe(0x3en);
    expect(mlsKid(7, 14n, 6)).toBe(0x7en);
    expect(mlsKid(20, 14n, 6)).toBe(0x14en);
    expect(mlsKid(3, 15n, 6)).toBe(0x3fn);
    expect(mlsKid(5, 15n, 6)).toBe(0x5fn);
    expect(mlsKid(2, 16n, 6, 4, 2n)).toBe(0x820n);
    expect(mlsKid(2, 16n, 6, 4, 3n)).toBe(0xc20n);
    expect(mlsKid(33, 17n, 6)).toBe(0x211n);
    expect(mlsKid(51, 17n, 6)).toBe(0x331n);
    expect(indexBits(64)).toBe(6);
    expect(indexBits(65)).toBe(7);
    expect(() => mlsKid(64, 1n, 6)).toThrow(/S bits/);
  });
});

describe('SFrame keys from a real MLS group (ts-mls exporter), rotated at a membership change', () => {
  const ds = new MemoryDeliveryService();
  let alice: ChatCore, bobPhone: ChatCore, bobTablet: ChatCore;
  let group: string;
  let cores: Record<string, ChatCore>;

  const pump = async () => {
    for (let busy = true; busy;) {
      busy = false;
      for (const [id, core] of Object.entries(cores))
        for (const env of ds.drain(id)) {
          busy = true;
          await core.receive(env);
        }
    }
  };
  const epochOf = (c: ChatCore) => sframeEpochOf(c.groups.get(group)!.state, c.cs);

  beforeAll(async () => {
    const pki = await testDeviceCa();
    const server = testExternalSender();
    const open = async (deviceId: string, userId: string) =>
      ChatCore.open({
        ...(await pki.device(deviceId, userId)),
        trust: { deviceCaDers: [pki.caDer], externalSenderKeys: [server.signatureKey] },
      });
    alice = await open('alice-phone', 'alice');
    bobPhone = await open('bob-phone', 'bob');
    bobTablet = await open('bob-tablet', 'bob');
    cores = { 'alice-phone': alice, 'bob-phone': bobPhone, 'bob-tablet': bobTablet };
    const g = await alice.createGroup({ signatureKey: server.signatureKey });
    group = g.groupId;
    ds.register(group, g.groupInfo);
    const c = await alice.add(group, [
      ...(await bobPhone.makeKeyPackages(1)),
      ...(await bobTablet.makeKeyPackages(1)),
    ]);
    expect(ds.commit('alice-phone', c)).toEqual({ status: 200 });
    alice.confirm(group);
    await pump();
  });

  it('every member exports the same base key; each sender has its own KID and key; the frame round-trips', async () => {
    const epochs = await Promise.all([alice, bobPhone, bobTablet].map(epochOf));
    expect(new Set(epochs.map((e) => Buffer.from(e.baseKey).toString('hex'))).size).toBe(1);
    expect(epochs.map((e) => e.ownLeaf)).toEqual([0, 1, 2]);
    expect(epochs[0]!.baseKey).toHaveLength(16); // AEAD.Nk of AES_128_GCM_SHA256_128
    const rings = epochs.map(() => new SFrameKeyRing());
    for (const [i, r] of rings.entries()) await r.setEpoch(epochs[i]!);

    const frame = new TextEncoder().encode('a VP8 frame');
    const fromAlice = await rings[0]!.encrypt(frame);
    const fromBob = await rings[1]!.encrypt(frame);
    // KID = (leaf << E) | epoch % 16, epoch 1: alice 0x01, bob-phone 0x11.
    expect(decodeHeader(fromAlice).kid).toBe(0x01n);
    expect(decodeHeader(fromBob).kid).toBe(0x11n);
    expect(await rings[1]!.decrypt(fromAlice)).toEqual(frame);
    expect(await rings[2]!.decrypt(fromBob)).toEqual(frame);
    // A key encrypts or decrypts, never both: a sender does not accept its own KID.
    expect(await rings[0]!.decrypt(fromAlice)).toBeNull();
    expect(rings[0]!.stats.unknownKid).toBe(1);
    // A key from another group's exporter cannot open it.
    const stranger = new SFrameKeyRing();
    await stranger.setEpoch({ ...epochs[2]!, baseKey: new Uint8Array(16).fill(7) });
    expect(await stranger.decrypt(fromAlice)).toBeNull();
    expect(stranger.stats.authFailed).toBe(1);
  });

  it('a removed device cannot decrypt the next epoch; in-flight frames of the old epoch decrypt for a grace time', async () => {
    let now = 1_000;
    const mk = () => new SFrameKeyRing({ graceMs: 5_000, now: () => now });
    const [a, p, t] = [mk(), mk(), mk()];
    for (const [r, c] of [
      [a, alice],
      [p, bobPhone],
      [t, bobTablet],
    ] as const)
      await r.setEpoch(await epochOf(c));
    const inFlight = await a.encrypt(Uint8Array.of(1, 2, 3));

    const c = await alice.remove(group, ['bob-tablet']);
    expect(ds.commit('alice-phone', c)).toEqual({ status: 200 });
    alice.confirm(group);
    await pump();
    expect(alice.epoch(group)).toBe(2n);
    await a.setEpoch(await epochOf(alice));
    await p.setEpoch(await epochOf(bobPhone));
    expect(a.epoch).toBe(2n);

    const next = await a.encrypt(Uint8Array.of(4, 5, 6));
    expect(decodeHeader(next)).toMatchObject({ kid: 0x02n });
    expect(await p.decrypt(next)).toEqual(Uint8Array.of(4, 5, 6));
    expect(await t.decrypt(next)).toBeNull(); // the tablet only has epoch 1
    expect(await p.decrypt(inFlight)).toEqual(Uint8Array.of(1, 2, 3));
    now += 5_001;
    expect(await p.decrypt(inFlight)).toBeNull(); // epoch 1 retired after the grace time
    expect(await p.decrypt(await a.encrypt(Uint8Array.of(7)))).toEqual(Uint8Array.of(7));
  });
});
