import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DELTA,
  freshUsimState,
  generateVector,
  IND_COUNT,
  MAX_SEQ,
  nextSqn,
  PAKAWAAZ_IND,
  seqAfterResync,
  seqIndFromSqn,
  sqnFromSeqInd,
  verifyAuts,
  verifyAutn,
  type UsimSqnState,
} from './aka.js';
import { f2345 } from './milenage.js';

const h = (hex: string): Buffer => Buffer.from(hex, 'hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const flip = (b: Uint8Array, byte: number): Buffer => {
  const copy = Buffer.from(b);
  copy[byte] = copy[byte]! ^ 0x01;
  return copy;
};

// TS 35.208 Test Set 1 (sources in milenage.spec.ts).
const K = h('465b5ce8b199b49faa5f0a2ee238a6bc');
const OPC = h('cd63cb71954a9f4e48a5994e37a02baf');
const RAND = h('23553cbe9637a89d218ae64dae47bf35');
const AMF = h('b9b9');
const SUB = { k: K, opc: OPC };
const RAND_2 = h('c00d603103dcee52c4478119494202e8');

/** A USIM whose IND slots have accepted the given SEQs. */
function usimWith(accepted: Record<number, number>): UsimSqnState {
  const slots = freshUsimState().accepted.map((_, ind) =>
    accepted[ind] === undefined ? 0 : accepted[ind] * IND_COUNT + ind,
  );
  return { accepted: slots };
}

describe('generateVector', () => {
  it('builds Test Set 1 into RAND, XRES, CK, IK and AUTN = (SQN ⊕ AK) ‖ AMF ‖ MAC-A', () => {
    const v = generateVector({ ...SUB, amf: AMF, sqn: h('ff9bb4d0b607'), rand: RAND });
    expect(hex(v.rand)).toBe(hex(RAND));
    expect(hex(v.xres)).toBe('a54211d5e3ba50bf');
    expect(hex(v.ck)).toBe('b40ba9a3c58b2a05bbf0d987b21bf8cb');
    expect(hex(v.ik)).toBe('f769bcd751044604127672711c6d3441');
    // ff9bb4d0b607 ⊕ aa689c648370 (f5) = 55f328b43577; then AMF b9b9 and f1 4a9ffac354dfafb3.
    expect(hex(v.autn)).toBe('55f328b43577' + 'b9b9' + '4a9ffac354dfafb3');
  });

  it('conceals SQN with AK: AUTN[0..6] ⊕ f5(RAND) is the SQN', () => {
    const sqn = sqnFromSeqInd(12_345, PAKAWAAZ_IND);
    const v = generateVector({ ...SUB, amf: h('8000'), sqn, rand: RAND_2 });
    const { ak } = f2345(K, OPC, RAND_2);
    expect(hex(v.autn.subarray(0, 6))).not.toBe(hex(sqn));
    expect(hex(Buffer.from(v.autn.subarray(0, 6).map((b, i) => b ^ ak[i]!)))).toBe(hex(sqn));
  });

  it('copies RAND, so a caller reusing its buffer does not change the vector', () => {
    const rand = Buffer.from(RAND);
    const v = generateVector({ ...SUB, amf: AMF, sqn: sqnFromSeqInd(1, PAKAWAAZ_IND), rand });
    rand.fill(0);
    expect(hex(v.rand)).toBe(hex(RAND));
  });
});

describe('SEQ ‖ IND (TS 33.102 Annex C.3.2, IND_BITS = 5)', () => {
  it('reserves IND 31 for Pakawaaz', () => {
    expect([IND_COUNT, PAKAWAAZ_IND]).toEqual([32, 31]);
  });

  it('packs and unpacks SEQ and IND', () => {
    expect(hex(sqnFromSeqInd(1, 31))).toBe('00000000003f');
    expect(hex(sqnFromSeqInd(37, 0))).toBe('0000000004a0'); // open5gs-dbctl's provisioned sqn 1184
    // 0xff9bb4d0b607 = 281044218590727 = 32 · 8782631830960 + 7 (osmo-auc-gen also prints IND 7 for it).
    expect(seqIndFromSqn(h('ff9bb4d0b607'))).toEqual({ seq: 8_782_631_830_960, ind: 7 });
    expect(hex(sqnFromSeqInd(MAX_SEQ, 31))).toBe('ffffffffffff');
    expect(seqIndFromSqn(h('ffffffffffff'))).toEqual({ seq: MAX_SEQ, ind: 31 });
  });

  it('advances SEQ by one in the given slot', () => {
    expect(nextSqn(0, PAKAWAAZ_IND)).toEqual({ seq: 1, sqn: h('00000000003f') });
    expect(nextSqn(41, 3)).toEqual({ seq: 42, sqn: sqnFromSeqInd(42, 3) });
  });

  it.each([
    ['SEQ above 43 bits', () => sqnFromSeqInd(MAX_SEQ + 1, 0), /SEQ must be an integer in 0…/],
    ['negative SEQ', () => sqnFromSeqInd(-1, 0), /SEQ must be/],
    ['fractional SEQ', () => sqnFromSeqInd(1.5, 0), /SEQ must be/],
    ['IND of 32', () => sqnFromSeqInd(1, 32), /IND must be an integer in 0…31, got 32/],
    ['exhausted SEQ', () => nextSqn(MAX_SEQ, PAKAWAAZ_IND), /current SEQ must be/],
    ['short SQN', () => seqIndFromSqn(h('0000000001')), /SQN must be 6 bytes/],
  ])('rejects %s with a RangeError', (_name, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });

  it('keeps Open5GS in its own slot, and its resync on our SQN_MS lands back on its default IND 0', () => {
    // Open5GS: $inc security.sqn 32 per authentication; on resync (SQN_MS + 32 + 1) & 0xffffffffffff.
    const afterAuth = 1184 + 32;
    expect(afterAuth % IND_COUNT).toBe(0);
    const ourSqnMs = seqIndFromSqn(sqnFromSeqInd(500, PAKAWAAZ_IND));
    const open5gsAfterResync = (ourSqnMs.seq * IND_COUNT + ourSqnMs.ind + 33) % 2 ** 48;
    expect(open5gsAfterResync % IND_COUNT).toBe(0);
  });
});

describe('verifyAutn (the USIM side)', () => {
  const vector = (seq: number, ind = PAKAWAAZ_IND, rand = RAND) =>
    generateVector({ ...SUB, amf: h('8000'), sqn: sqnFromSeqInd(seq, ind), rand });

  it('accepts a fresh vector and returns RES = XRES, CK, IK, SQN and the updated state', () => {
    const v = vector(1);
    const r = verifyAutn({ ...SUB, rand: v.rand, autn: v.autn });
    if (!r.ok) throw new Error(`expected success, got ${r.reason}`);
    expect([hex(r.res), hex(r.ck), hex(r.ik)]).toEqual([hex(v.xres), hex(v.ck), hex(v.ik)]);
    expect(hex(r.sqn)).toBe('00000000003f');
    expect(r.usim.accepted[PAKAWAAZ_IND]).toBe(63);
    expect(r.usim.accepted.filter((a) => a !== 0)).toHaveLength(1);
  });

  it('accepts the large Test Set 1 SQN on a new USIM when Δ allows the jump', () => {
    const sqn = h('ff9bb4d0b607');
    const v = generateVector({ ...SUB, amf: AMF, sqn, rand: RAND });
    const r = verifyAutn({ ...SUB, rand: RAND, autn: v.autn, delta: Number.POSITIVE_INFINITY });
    expect(r.ok && hex(r.sqn)).toBe('ff9bb4d0b607');
  });

  it('reports a MAC failure for a tampered SQN, AMF or MAC, or the wrong subscriber key', () => {
    const v = vector(1);
    for (const byte of [0, 5, 6, 7, 8, 15]) {
      expect(verifyAutn({ ...SUB, rand: v.rand, autn: flip(v.autn, byte) })).toEqual({
        ok: false,
        reason: 'mac_failure',
      });
    }
    expect(verifyAutn({ k: flip(K, 0), opc: OPC, rand: v.rand, autn: v.autn })).toMatchObject({
      reason: 'mac_failure',
    });
  });

  it('keeps one SEQ per IND slot, so Open5GS (IND 0) and Pakawaaz (IND 31) never make each other stale', () => {
    let usim = usimWith({ 0: 40 });
    const ours = verifyAutn({ ...SUB, rand: RAND, autn: vector(3).autn, usim });
    if (!ours.ok) throw new Error(ours.reason);
    usim = ours.usim;
    const theirs = verifyAutn({ ...SUB, rand: RAND_2, autn: vector(41, 0, RAND_2).autn, usim });
    expect(theirs.ok).toBe(true);
  });

  it('reports a sync failure for a replayed or stale SQN, with an AUTS carrying the highest accepted SQN', () => {
    const usim = usimWith({ 0: 40, [PAKAWAAZ_IND]: 7 });
    const r = verifyAutn({ ...SUB, rand: RAND, autn: vector(7).autn, usim });
    if (r.ok || r.reason !== 'sync_failure') throw new Error('expected a sync failure');
    const resync = verifyAuts({ ...SUB, rand: RAND, auts: r.auts });
    expect(resync && seqIndFromSqn(resync.sqnMs)).toEqual({ seq: 40, ind: 0 });
  });

  it('reports a sync failure when SEQ jumps more than Δ ahead of the highest accepted SEQ', () => {
    const usim = usimWith({ [PAKAWAAZ_IND]: 10 });
    const jump = vector(10 + DEFAULT_DELTA + 1);
    expect(verifyAutn({ ...SUB, rand: RAND, autn: jump.autn, usim })).toMatchObject({
      reason: 'sync_failure',
    });
    expect(verifyAutn({ ...SUB, rand: RAND, autn: vector(10 + DEFAULT_DELTA).autn, usim }).ok).toBe(true);
  });

  it('rejects an AUTN of the wrong length and a malformed USIM state', () => {
    expect(() => verifyAutn({ ...SUB, rand: RAND, autn: Buffer.alloc(15) })).toThrow(/AUTN must be 16 bytes/);
    expect(() => verifyAutn({ ...SUB, rand: RAND, autn: Buffer.alloc(16), usim: { accepted: [0] } })).toThrow(
      RangeError,
    );
  });
});

describe('re-synchronisation (verifyAuts, seqAfterResync)', () => {
  it("accepts the AUTS verifyAutn builds and continues above the USIM's SEQ", () => {
    const usim = usimWith({ [PAKAWAAZ_IND]: 900 });
    const stale = generateVector({ ...SUB, amf: AMF, sqn: sqnFromSeqInd(5, PAKAWAAZ_IND), rand: RAND });
    const failure = verifyAutn({ ...SUB, rand: RAND, autn: stale.autn, usim });
    if (failure.ok || failure.reason !== 'sync_failure') throw new Error('expected a sync failure');

    const resync = verifyAuts({ ...SUB, rand: RAND, auts: failure.auts });
    expect(resync && hex(resync.sqnMs)).toBe(hex(sqnFromSeqInd(900, PAKAWAAZ_IND)));
    const seq = seqAfterResync(resync!.sqnMs, 5);
    const next = nextSqn(seq, PAKAWAAZ_IND);
    expect(next.seq).toBe(901);

    const fresh = generateVector({ ...SUB, amf: AMF, sqn: next.sqn, rand: RAND_2 });
    expect(verifyAutn({ ...SUB, rand: RAND_2, autn: fresh.autn, usim }).ok).toBe(true);
  });

  it('rejects a tampered AUTS, or one checked against another RAND', () => {
    const failure = verifyAutn({
      ...SUB,
      rand: RAND,
      autn: generateVector({ ...SUB, amf: AMF, sqn: sqnFromSeqInd(1, 0), rand: RAND }).autn,
      usim: usimWith({ 0: 3 }),
    });
    if (failure.ok || failure.reason !== 'sync_failure') throw new Error('expected a sync failure');
    for (let byte = 0; byte < 14; byte++) {
      expect(verifyAuts({ ...SUB, rand: RAND, auts: flip(failure.auts, byte) })).toBeNull();
    }
    expect(verifyAuts({ ...SUB, rand: RAND_2, auts: failure.auts })).toBeNull();
  });

  it('accepts the AUTS values of a real test USIM (hostap tests/test-milenage.c, TS 35.208 Test Set 20 keys)', () => {
    const set20 = { k: h('90dca4eda45b53cf0f12d7c9c3bc6a89'), opc: h('cb9cccc4b9258e6dca4760379fb82581') };
    // AUTS[0..6] ⊕ f5*(Test Set 20) = 4f2039392ddd ⊕ 4f2039392ddc = 1; osmo-auc-gen -A reports SQN.MS 1 and 42.
    const first = verifyAuts({
      ...set20,
      rand: h('9fddc72092c6ad036b6e464789315b78'),
      auts: h('4f2039392ddd4bb4316ed4a14688'),
    });
    const second = verifyAuts({
      ...set20,
      rand: Buffer.alloc(16, 0xaa),
      auts: h('43681ad3daf006bcde405a207267'),
    });
    expect([first && hex(first.sqnMs), second && hex(second.sqnMs)]).toEqual([
      '000000000001',
      '00000000002a',
    ]);
  });

  it('keeps SEQ_HE when its next vector is already fresh, and resets to SEQ_MS otherwise (TS 33.102 §6.3.5)', () => {
    const sqnMs = sqnFromSeqInd(100, 0);
    expect(seqAfterResync(sqnMs)).toBe(100);
    expect(seqAfterResync(sqnMs, 20)).toBe(100);
    expect(seqAfterResync(sqnMs, 150)).toBe(150);
    expect(seqAfterResync(sqnMs, 100 + DEFAULT_DELTA)).toBe(100);
  });

  it('rejects an AUTS of the wrong length', () => {
    expect(() => verifyAuts({ ...SUB, rand: RAND, auts: Buffer.alloc(13) })).toThrow(/AUTS must be 14 bytes/);
    expect(() => generateVector({ ...SUB, amf: AMF, sqn: Buffer.alloc(6), rand: Buffer.alloc(15) })).toThrow(
      /RAND must be 16 bytes/,
    );
  });
});
