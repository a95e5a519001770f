import {
  generateVector,
  MAX_SEQ,
  nextSqn,
  PAKAWAAZ_IND,
  seqAfterResync,
  seqIndFromSqn,
  sqnFromSeqInd,
  verifyAuts,
} from '@pakawaaz/milenage';
import { describe, expect, it } from 'vitest';
import { authenticate, createUsim, highestSqn, withAcceptedSqn, type UsimResult } from './usim.js';

const h = (hex: string): Buffer => Buffer.from(hex, 'hex');
const hex = (b: Buffer): string => b.toString('hex');

// 3GPP TS 35.208 §4.3.1 Test Set 1.
const K = h('465b5ce8b199b49faa5f0a2ee238a6bc');
const OPC = h('cd63cb71954a9f4e48a5994e37a02baf');
const RAND = h('23553cbe9637a89d218ae64dae47bf35');
const SQN = h('ff9bb4d0b607');
// AUTN = (SQN ⊕ AK) ‖ AMF ‖ MAC-A with AK = aa689c648370, AMF = b9b9, MAC-A (f1) = 4a9ffac354dfafb3.
const AUTN = h('55f328b43577' + 'b9b9' + '4a9ffac354dfafb3');
const AK_STAR = h('451e8beca43b');

function expectKind<K extends UsimResult['kind']>(r: UsimResult, kind: K): Extract<UsimResult, { kind: K }> {
  expect(r.kind).toBe(kind);
  return r as Extract<UsimResult, { kind: K }>;
}

describe('software USIM, TS 35.208 Test Set 1', () => {
  it('returns the published RES, CK and IK for the published AUTN (Δ disabled: the SQN is arbitrary)', () => {
    const { result } = authenticate(createUsim({ k: K, opc: OPC, delta: MAX_SEQ }), RAND, AUTN);
    const ok = expectKind(result, 'ok');
    expect(hex(ok.res)).toBe('a54211d5e3ba50bf');
    expect(hex(ok.ck)).toBe('b40ba9a3c58b2a05bbf0d987b21bf8cb');
    expect(hex(ok.ik)).toBe('f769bcd751044604127672711c6d3441');
    expect(hex(ok.sqn)).toBe(hex(SQN));
  });

  it('a fresh USIM with the default Δ refuses a SEQ 2^43 ahead: AUTS = (0 ⊕ AK*) ‖ MAC-S', () => {
    const usim = createUsim({ k: K, opc: OPC });
    const step = authenticate(usim, RAND, AUTN);
    const { auts } = expectKind(step.result, 'sync-failure');
    expect(hex(auts.subarray(0, 6))).toBe(hex(AK_STAR));
    expect(verifyAuts({ k: K, opc: OPC, rand: RAND, auts })?.sqnMs).toEqual(Buffer.alloc(6));
    expect(step.usim).toBe(usim);
  });

  it('refuses a replay of an accepted AUTN with AUTS carrying SQN_MS = the published SQN', () => {
    const first = authenticate(createUsim({ k: K, opc: OPC, delta: MAX_SEQ }), RAND, AUTN);
    expectKind(first.result, 'ok');
    const { auts } = expectKind(authenticate(first.usim, RAND, AUTN).result, 'sync-failure');
    // SQN_MS ⊕ AK* = ff9bb4d0b607 ⊕ 451e8beca43b.
    expect(hex(auts.subarray(0, 6))).toBe('ba853f3c123c');
    expect(hex(verifyAuts({ k: K, opc: OPC, rand: RAND, auts })!.sqnMs)).toBe(hex(SQN));
  });

  it('reports a MAC failure for the wrong K or a flipped MAC bit, without changing its state', () => {
    const usim = createUsim({ k: Buffer.alloc(16, 1), opc: OPC, delta: MAX_SEQ });
    expect(authenticate(usim, RAND, AUTN)).toEqual({ result: { kind: 'mac-failure' }, usim });
    const flipped = Buffer.from(AUTN);
    flipped[15]! ^= 1;
    const right = createUsim({ k: K, opc: OPC, delta: MAX_SEQ });
    expect(authenticate(right, RAND, flipped).result).toEqual({ kind: 'mac-failure' });
  });
});

describe('software USIM against core-network vectors', () => {
  const amf = h('8000');
  const vector = (seq: number, ind = PAKAWAAZ_IND) =>
    generateVector({ k: K, opc: OPC, amf, sqn: sqnFromSeqInd(seq, ind), rand: RAND });

  it('accepts increasing SEQs in one slot, and an older SEQ in another slot (Annex C.3.2)', () => {
    let usim = createUsim({ k: K, opc: OPC });
    for (const [seq, ind] of [
      [1, PAKAWAAZ_IND],
      [2, PAKAWAAZ_IND],
      [1, 0],
    ] as const) {
      const step = authenticate(usim, RAND, vector(seq, ind).autn);
      expectKind(step.result, 'ok');
      usim = step.usim;
    }
    expect(seqIndFromSqn(highestSqn(usim))).toEqual({ seq: 2, ind: PAKAWAAZ_IND });
    expectKind(authenticate(usim, RAND, vector(2).autn).result, 'sync-failure');
  });

  it('re-synchronises: the AUTS lets the network continue just above the USIM', () => {
    const usim = withAcceptedSqn(createUsim({ k: K, opc: OPC }), sqnFromSeqInd(5_000, PAKAWAAZ_IND));
    const stale = vector(10);
    const { auts } = expectKind(authenticate(usim, RAND, stale.autn).result, 'sync-failure');
    const verified = verifyAuts({ k: K, opc: OPC, rand: RAND, auts });
    expect(verified && seqIndFromSqn(verified.sqnMs)).toEqual({ seq: 5_000, ind: PAKAWAAZ_IND });
    const seqHe = seqAfterResync(verified!.sqnMs, 10);
    const fresh = generateVector({ k: K, opc: OPC, amf, sqn: nextSqn(seqHe, PAKAWAAZ_IND).sqn, rand: RAND });
    expectKind(authenticate(usim, RAND, fresh.autn).result, 'ok');
  });

  it('keeps the highest SQN per slot when seeded with accepted SQNs, and validates its keys', () => {
    const usim = createUsim({ k: K, opc: OPC, accepted: [sqnFromSeqInd(7, 3), sqnFromSeqInd(4, 3)] });
    expect(seqIndFromSqn(highestSqn(usim))).toEqual({ seq: 7, ind: 3 });
    expect(() => createUsim({ k: Buffer.alloc(15), opc: OPC })).toThrow(/K must be 16 bytes/);
    expect(() => createUsim({ k: K, opc: OPC, delta: 0 })).toThrow(/Δ/);
  });
});
