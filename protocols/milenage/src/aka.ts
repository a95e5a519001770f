import { timingSafeEqual } from 'node:crypto';
import type { AkaVector } from './aka-vector.js';
import { checkLength, createMilenage, MILENAGE_LENGTHS, type Milenage } from './milenage.js';

/**
 * UMTS/EPS AKA on top of MILENAGE (3GPP TS 33.102 §6.3): authentication vectors for the network side,
 * AUTS re-synchronisation, and the USIM's own AUTN check (for the lab handset simulator and tests).
 *
 * SQN = SEQ ‖ IND (TS 33.102 Annex C.3.2) with IND_BITS = 5: the USIM keeps one SEQ per IND slot
 * (a = 32), so two vector sources that use different IND values never make each other's vectors stale.
 *
 * What Open5GS does (read in open5gs/open5gs, lib/dbi/subscription.c, src/udr/nudr-handler.c,
 * src/udm/nudm-handler.c, src/hss/hss-s6a-path.c):
 * - the UDM/HSS uses the stored `security.sqn` as-is for the next vector (milenage_generate);
 * - after each authentication, ogs_dbi_increment_sqn() does `$inc security.sqn 32` masked to 48 bits, i.e.
 *   SEQ + 1 with IND unchanged. open5gs-dbctl provisions sqn = 1184 (= 37·32, IND 0), so IND is 0 by default;
 * - on re-synchronisation it stores (SQN_MS + 32 + 1) & OGS_MAX_SQN ("33.102 C.3.4 Guide : IND + 1"), so
 *   its IND becomes IND(SQN_MS) + 1 mod 32: Open5GS drifts upward by one slot per resync on its own SQNs.
 * Pakawaaz therefore reserves the top slot, IND 31: furthest from Open5GS's default 0 and its +1 drift,
 * and when Open5GS resyncs on an SQN_MS of ours (IND 31), (SQN_MS + 33) carries into IND 0, its default.
 */

export const IND_BITS = 5;
/** Number of IND slots, the USIM's array size a (Annex C.3.2). */
export const IND_COUNT = 1 << IND_BITS;
/** IND reserved for vectors Pakawaaz generates (see the file comment for Open5GS's slots). */
export const PAKAWAAZ_IND = IND_COUNT - 1;
/** Largest SEQ that fits the 48-bit SQN with a 5-bit IND. */
export const MAX_SEQ = 2 ** (48 - IND_BITS) - 1;
/** Δ, the USIM's optional limit on how far a new SEQ may jump ahead (Annex C.2.2; Annex C.3 suggests 2^28). */
export const DEFAULT_DELTA = 2 ** 28;
/** AMF* = 0x0000 in MAC-S of a re-synchronisation token, so AMF never travels in clear (TS 33.102 §6.3.3). */
const RESYNC_AMF = Buffer.alloc(2);

const AUTN_BYTES = 16;
const AUTS_BYTES = 14;
const SQN_BYTES = MILENAGE_LENGTHS.sqn;

export type SeqInd = { readonly seq: number; readonly ind: number };

function checkInteger(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in 0…${max}, got ${value}`);
  }
}

const sqnValue = (sqn: Uint8Array): number =>
  Buffer.from(sqn.buffer, sqn.byteOffset, sqn.byteLength).readUIntBE(0, SQN_BYTES);

function sqnBytes(value: number): Buffer {
  const sqn = Buffer.allocUnsafe(SQN_BYTES);
  sqn.writeUIntBE(value, 0, SQN_BYTES);
  return sqn;
}

/** SQN = SEQ ‖ IND as the 6 bytes MILENAGE takes. */
export function sqnFromSeqInd(seq: number, ind: number): Buffer {
  checkInteger('SEQ', seq, MAX_SEQ);
  checkInteger('IND', ind, IND_COUNT - 1);
  return sqnBytes(seq * IND_COUNT + ind);
}

/** Splits a 6-byte SQN into SEQ and IND. */
export function seqIndFromSqn(sqn: Uint8Array): SeqInd {
  checkLength('SQN', sqn, SQN_BYTES);
  const value = sqnValue(sqn);
  return { seq: Math.floor(value / IND_COUNT), ind: value % IND_COUNT };
}

/** The SQN of the next vector: SEQ_HE + 1 in slot `ind` (Annex C.1.2); the caller stores the returned seq. */
export function nextSqn(currentSeq: number, ind: number): { readonly seq: number; readonly sqn: Buffer } {
  checkInteger('current SEQ', currentSeq, MAX_SEQ - 1);
  const seq = currentSeq + 1;
  return { seq, sqn: sqnFromSeqInd(seq, ind) };
}

/**
 * SEQ_HE to store after a verified AUTS (TS 33.102 §6.3.5): keep ours when its next SEQ would be accepted
 * (above SEQ_MS and within Δ), otherwise reset to SEQ_MS so that `nextSqn` continues just above the USIM.
 */
export function seqAfterResync(sqnMs: Uint8Array, currentSeq?: number, delta = DEFAULT_DELTA): number {
  const { seq: seqMs } = seqIndFromSqn(sqnMs);
  if (currentSeq === undefined) return seqMs;
  checkInteger('current SEQ', currentSeq, MAX_SEQ - 1);
  const next = currentSeq + 1;
  return next > seqMs && next - seqMs <= delta ? currentSeq : seqMs;
}

export type VectorInput = {
  readonly k: Uint8Array;
  readonly opc: Uint8Array;
  readonly amf: Uint8Array;
  readonly sqn: Uint8Array;
  /** 16 random bytes chosen by the caller (randomness is a parameter). */
  readonly rand: Uint8Array;
};

/** AUTN = (SQN ⊕ AK) ‖ AMF ‖ MAC-A (TS 33.102 §6.3.2). */
function buildAutn(sqn: Uint8Array, ak: Uint8Array, amf: Uint8Array, macA: Uint8Array): Buffer {
  const autn = Buffer.allocUnsafe(AUTN_BYTES);
  for (let i = 0; i < SQN_BYTES; i++) autn[i] = sqn[i]! ^ ak[i]!;
  autn.set(amf, SQN_BYTES);
  autn.set(macA, SQN_BYTES + 2);
  return autn;
}

/** One authentication vector (RAND, XRES, CK, IK, AUTN) for the network side. */
export function generateVector({ k, opc, amf, sqn, rand }: VectorInput): AkaVector {
  const { macA, res, ck, ik, ak } = createMilenage(k, opc).compute(rand, sqn, amf);
  return { rand: Buffer.from(rand), xres: res, ck, ik, autn: buildAutn(sqn, ak, amf, macA) };
}

/** AUTS = (SQN_MS ⊕ AK*) ‖ MAC-S, MAC-S = f1*(SQN_MS, RAND, AMF* = 0x0000) (TS 33.102 §6.3.3). */
function buildAuts(m: Milenage, rand: Uint8Array, sqnMs: Uint8Array): Buffer {
  const akStar = m.f5star(rand);
  const auts = Buffer.allocUnsafe(AUTS_BYTES);
  for (let i = 0; i < SQN_BYTES; i++) auts[i] = sqnMs[i]! ^ akStar[i]!;
  auts.set(m.f1(rand, sqnMs, RESYNC_AMF).macS, SQN_BYTES);
  return auts;
}

export type AutsInput = {
  readonly k: Uint8Array;
  readonly opc: Uint8Array;
  readonly rand: Uint8Array;
  readonly auts: Uint8Array;
};

/** Network side of re-synchronisation: SQN_MS when MAC-S verifies, null for a forged or corrupted AUTS. */
export function verifyAuts({ k, opc, rand, auts }: AutsInput): { readonly sqnMs: Buffer } | null {
  checkLength('AUTS', auts, AUTS_BYTES);
  const m = createMilenage(k, opc);
  const akStar = m.f5star(rand);
  const sqnMs = Buffer.allocUnsafe(SQN_BYTES);
  for (let i = 0; i < SQN_BYTES; i++) sqnMs[i] = auts[i]! ^ akStar[i]!;
  const { macS } = m.f1(rand, sqnMs, RESYNC_AMF);
  return timingSafeEqual(macS, auts.subarray(SQN_BYTES)) ? { sqnMs } : null;
}

/** The USIM's sequence state: per IND slot, the last SQN it accepted (0 = none yet). */
export type UsimSqnState = { readonly accepted: readonly number[] };

export const freshUsimState = (): UsimSqnState => ({ accepted: Array.from({ length: IND_COUNT }, () => 0) });

export type AutnInput = {
  readonly k: Uint8Array;
  readonly opc: Uint8Array;
  readonly rand: Uint8Array;
  readonly autn: Uint8Array;
  readonly usim?: UsimSqnState;
  readonly delta?: number;
};

export type AutnResult =
  | {
      readonly ok: true;
      readonly res: Buffer;
      readonly ck: Buffer;
      readonly ik: Buffer;
      readonly sqn: Buffer;
      /** The USIM state after accepting this SQN. */
      readonly usim: UsimSqnState;
    }
  | { readonly ok: false; readonly reason: 'mac_failure' }
  | { readonly ok: false; readonly reason: 'sync_failure'; readonly auts: Buffer };

/** Annex C.2.2: SEQ must exceed the slot's SEQ and may not run more than Δ ahead of the highest SEQ_MS. */
function fresh(usim: UsimSqnState, sqn: number, delta: number): boolean {
  const ind = sqn % IND_COUNT;
  const seq = Math.floor(sqn / IND_COUNT);
  const slotSeq = Math.floor((usim.accepted[ind] ?? 0) / IND_COUNT);
  const highestSeq = Math.floor(Math.max(0, ...usim.accepted) / IND_COUNT);
  return seq > slotSeq && seq - highestSeq <= delta;
}

/**
 * The USIM side (TS 33.102 §6.3.3): MAC first (a bad MAC is 'mac_failure', the network is not authentic),
 * then freshness; a stale SQN gives 'sync_failure' with the AUTS the USIM would send, built on SQN_MS,
 * the highest SQN it has accepted.
 */
export function verifyAutn(input: AutnInput): AutnResult {
  const { k, opc, rand, autn, usim = freshUsimState(), delta = DEFAULT_DELTA } = input;
  checkLength('AUTN', autn, AUTN_BYTES);
  if (usim.accepted.length !== IND_COUNT) throw new RangeError(`USIM state must hold ${IND_COUNT} slots`);
  const m = createMilenage(k, opc);
  const { res, ck, ik, ak } = m.f2345(rand);
  const sqn = Buffer.allocUnsafe(SQN_BYTES);
  for (let i = 0; i < SQN_BYTES; i++) sqn[i] = autn[i]! ^ ak[i]!;
  const { macA } = m.f1(rand, sqn, autn.subarray(SQN_BYTES, SQN_BYTES + 2));
  if (!timingSafeEqual(macA, autn.subarray(SQN_BYTES + 2))) return { ok: false, reason: 'mac_failure' };
  const value = sqnValue(sqn);
  if (!fresh(usim, value, delta)) {
    const sqnMs = sqnBytes(Math.max(0, ...usim.accepted));
    return { ok: false, reason: 'sync_failure', auts: buildAuts(m, rand, sqnMs) };
  }
  const accepted = usim.accepted.map((a, i) => (i === value % IND_COUNT ? value : a));
  return { ok: true, res, ck, ik, sqn, usim: { accepted } };
}
