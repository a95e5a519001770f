import { describe, expect, it } from 'vitest';
import { decodeHeader } from './sframe.js';
import { SFRAME_REPLAY_WINDOW, SFrameKeyRing, type SFrameEpoch } from './sframe-keyring.js';

const baseKey = crypto.getRandomValues(new Uint8Array(16));
const epochFor = (ownLeaf: number, epoch = 1n): SFrameEpoch => ({
  epoch,
  baseKey,
  leaves: [0, 1],
  leafCount: 2,
  ownLeaf,
});
const ctrOf = (frame: Uint8Array) => decodeHeader(frame).ctr;

describe('SFrame key ring: a counter never repeats under a key', () => {
  it('two runs of the same device in the same epoch (a rejoin, a second tab) never share a counter', async () => {
    const first = new SFrameKeyRing();
    const second = new SFrameKeyRing();
    await first.setEpoch(epochFor(0));
    await second.setEpoch(epochFor(0));
    const a = await first.encrypt(Uint8Array.of(1, 2, 3));
    const b = await second.encrypt(Uint8Array.of(1, 2, 3));
    // Same key (same epoch, same leaf): the same counter would mean the same nonce and the same ciphertext.
    expect(decodeHeader(a).kid).toBe(decodeHeader(b).kid);
    expect(ctrOf(a)).not.toBe(ctrOf(b));
    expect(a).not.toEqual(b);
  });

  it('a second setEpoch for an epoch still being derived does not restart the counter', async () => {
    const ring = new SFrameKeyRing();
    const once = ring.setEpoch(epochFor(0));
    const again = ring.setEpoch(epochFor(0)); // e.g. at join and after a commit, close together
    await once;
    const c1 = ctrOf(await ring.encrypt(Uint8Array.of(1)));
    await again;
    const c2 = ctrOf(await ring.encrypt(Uint8Array.of(1)));
    expect(c2).toBe(c1 + 1n);
  });

  it('a ring cleared while an epoch is being derived installs nothing', async () => {
    const ring = new SFrameKeyRing();
    const pending = ring.setEpoch(epochFor(0));
    ring.clear();
    await pending;
    expect(ring.epoch).toBeNull();
    await expect(ring.encrypt(Uint8Array.of(1))).rejects.toThrow(/no epoch key/);
  });
});

describe('SFrame key ring: replayed frames (RFC 9605 §9.3)', () => {
  it('opens a frame once; the same frame re-sent by the SFU is dropped and counted', async () => {
    const [alice, bob] = [new SFrameKeyRing(), new SFrameKeyRing()];
    await alice.setEpoch(epochFor(0));
    await bob.setEpoch(epochFor(1));
    const frame = await alice.encrypt(Uint8Array.of(9, 9));
    expect(await bob.decrypt(frame)).toEqual(Uint8Array.of(9, 9));
    expect(await bob.decrypt(frame)).toBeNull();
    expect(bob.stats).toMatchObject({ decrypted: 1, replayed: 1, authFailed: 0 });
  });

  it('takes frames reordered within the window, not those older than it, and forged frames move nothing', async () => {
    const [alice, bob] = [new SFrameKeyRing(), new SFrameKeyRing()];
    await alice.setEpoch(epochFor(0));
    await bob.setEpoch(epochFor(1));
    const frames: Uint8Array[] = [];
    for (let i = 0; i < Number(SFRAME_REPLAY_WINDOW) + 2; i++)
      frames.push(await alice.encrypt(Uint8Array.of(i)));
    const last = frames.length - 1;
    expect(await bob.decrypt(frames[2]!)).not.toBeNull();
    expect(await bob.decrypt(frames[1]!)).not.toBeNull(); // one behind: reordered, fine
    expect(await bob.decrypt(frames[last]!)).not.toBeNull();
    expect(await bob.decrypt(frames[last - 1]!)).not.toBeNull(); // within the window
    expect(await bob.decrypt(frames[0]!)).toBeNull(); // 129 behind the newest: out of the window
    expect(bob.stats.replayed).toBe(1);

    const forged = Uint8Array.from(await alice.encrypt(Uint8Array.of(7)));
    forged[forged.length - 1]! ^= 1;
    expect(await bob.decrypt(forged)).toBeNull();
    expect(bob.stats.authFailed).toBe(1);
    // The forged frame's counter was not recorded: the genuine frame with it still opens.
    forged[forged.length - 1]! ^= 1;
    expect(await bob.decrypt(forged)).toEqual(Uint8Array.of(7));
  });
});
