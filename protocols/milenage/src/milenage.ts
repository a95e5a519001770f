import { createCipheriv, type Cipher } from 'node:crypto';

/**
 * MILENAGE, 3GPP TS 35.206: the example authentication and key generation functions f1, f1*, f2, f3, f4, f5
 * and f5* over AES-128 (the kernel E_K is Node's AES-128-ECB, one 16-byte block per application).
 *
 * Speed: all of f1…f5* share TEMP = E_K(RAND ⊕ OPc), and the five OUT blocks depend only on TEMP, so a
 * full computation is two native calls — one block for TEMP, then all needed OUT blocks in one ECB call
 * (ECB encrypts each block independently). One cipher is kept per K by `createMilenage`.
 */

export const MILENAGE_LENGTHS = { k: 16, op: 16, opc: 16, rand: 16, sqn: 6, amf: 2 } as const;

const BLOCK = 16;

// TS 35.206 §4.1 defaults: c1..c5 differ from zero only in the last byte (c1 = 0, c2 = …01, c3 = …02,
// c4 = …04, c5 = …08); r1..r5 = 64, 0, 32, 64, 96 bits — whole bytes, so rotation is a byte rotation.
const C_LAST_BYTE = [0x00, 0x01, 0x02, 0x04, 0x08] as const;
const R_BYTES = [8, 0, 4, 8, 12] as const;

/** OUTi index (0-based: 0 = OUT1 … 4 = OUT5) of each function. */
type Out = 0 | 1 | 2 | 3 | 4;

export type F1Output = { readonly macA: Buffer; readonly macS: Buffer };
export type F2345Output = {
  readonly res: Buffer;
  readonly ck: Buffer;
  readonly ik: Buffer;
  readonly ak: Buffer;
};
export type MilenageOutput = F1Output & F2345Output & { readonly akStar: Buffer };

/** MILENAGE bound to one subscriber (K, OPc); outputs are fresh buffers on every call. */
export type Milenage = {
  /** f1 and f1*: MAC-A and MAC-S over RAND, SQN, AMF. */
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): F1Output;
  /** f2 (RES), f3 (CK), f4 (IK), f5 (AK). */
  f2345(rand: Uint8Array): F2345Output;
  /** f5* (AK*), the anonymity key of re-synchronisation. */
  f5star(rand: Uint8Array): Buffer;
  /** Every function at once: the cheapest way to get a whole vector. */
  compute(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): MilenageOutput;
};

/** Throws a RangeError naming the parameter when a value is not a byte string of the expected length. */
export function checkLength(name: string, value: Uint8Array, bytes: number): void {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${name} must be a Buffer of ${bytes} bytes`);
  }
  if (value.length !== bytes) {
    throw new RangeError(`${name} must be ${bytes} bytes (${bytes * 8} bits), got ${value.length} bytes`);
  }
}

function ecb(k: Uint8Array): Cipher {
  // No padding: every input is a whole number of blocks, and the cipher is never finalised, only updated.
  const cipher = createCipheriv('aes-128-ecb', k, null);
  cipher.setAutoPadding(false);
  return cipher;
}

/** OPc = OP ⊕ E_K(OP) (TS 35.206 §4.1). */
export function computeOpc(k: Uint8Array, op: Uint8Array): Buffer {
  checkLength('K', k, MILENAGE_LENGTHS.k);
  checkLength('OP', op, MILENAGE_LENGTHS.op);
  const opc = ecb(k).update(op);
  for (let i = 0; i < BLOCK; i++) opc[i] = opc[i]! ^ op[i]!;
  return opc;
}

/** Writes rot(x, r) ⊕ c into `dst` at `at` (x is 16 bytes). */
function putRotated(dst: Buffer, at: number, x: Uint8Array, out: Out): void {
  const r = R_BYTES[out];
  for (let j = 0; j < BLOCK; j++) dst[at + j] = x[(j + r) & 15]!;
  dst[at + 15] = dst[at + 15]! ^ C_LAST_BYTE[out];
}

/*
 * Scratch space shared by every instance, so creating one allocates nothing but the cipher. Sharing is safe:
 * each use runs synchronously from filling to cipher.update(), which copies its input, so two computations
 * cannot interleave (and every worker thread has its own copy of this module).
 */
const input = Buffer.alloc(5 * BLOCK);
const x = Buffer.alloc(BLOCK);
const in1 = Buffer.alloc(BLOCK);

type Outputs = (rand: Uint8Array, outs: readonly Out[], sqn?: Uint8Array, amf?: Uint8Array) => Buffer;

/**
 * The requested OUT blocks, in the order asked, each already ⊕ OPc (TS 35.206 §4.1):
 * TEMP = E_K(RAND ⊕ OPc);
 * OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc, with IN1 = SQN ‖ AMF ‖ SQN ‖ AMF;
 * OUTi = E_K(rot(TEMP ⊕ OPc, ri) ⊕ ci) ⊕ OPc for i = 2…5.
 */
function outputsFor(cipher: Cipher, opc: Buffer): Outputs {
  return (rand, outs, sqn, amf) => {
    checkLength('RAND', rand, MILENAGE_LENGTHS.rand);
    for (let i = 0; i < BLOCK; i++) input[i] = rand[i]! ^ opc[i]!;
    const temp = cipher.update(input.subarray(0, BLOCK));
    for (let i = 0; i < BLOCK; i++) x[i] = temp[i]! ^ opc[i]!;
    for (let n = 0; n < outs.length; n++) {
      const out = outs[n]!;
      if (out === 0) putOut1(n * BLOCK, temp, opc, sqn, amf);
      else putRotated(input, n * BLOCK, x, out);
    }
    const result = cipher.update(input.subarray(0, outs.length * BLOCK));
    for (let i = 0; i < result.length; i++) result[i] = result[i]! ^ opc[i & 15]!;
    return result;
  };
}

/** The OUT1 input block: TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1. */
function putOut1(at: number, temp: Buffer, opc: Buffer, sqn?: Uint8Array, amf?: Uint8Array): void {
  if (!sqn || !amf) throw new Error('OUT1 needs SQN and AMF');
  in1.set(sqn, 0);
  in1.set(amf, 6);
  in1.set(sqn, 8);
  in1.set(amf, 14);
  for (let i = 0; i < BLOCK; i++) in1[i] = in1[i]! ^ opc[i]!;
  putRotated(input, at, in1, 0);
  for (let i = 0; i < BLOCK; i++) input[at + i] = input[at + i]! ^ temp[i]!;
}

/** Keeps one ECB cipher for K and reuses its input scratch space; see the file comment for why. */
export function createMilenage(k: Uint8Array, opc: Uint8Array): Milenage {
  checkLength('K', k, MILENAGE_LENGTHS.k);
  checkLength('OPc', opc, MILENAGE_LENGTHS.opc);
  // A private copy of OPc: the caller may wipe or reuse its buffer.
  const outputs = outputsFor(ecb(k), Buffer.from(opc));
  const checkSqnAmf = (sqn: Uint8Array, amf: Uint8Array): void => {
    checkLength('SQN', sqn, MILENAGE_LENGTHS.sqn);
    checkLength('AMF', amf, MILENAGE_LENGTHS.amf);
  };
  return {
    f1(rand, sqn, amf) {
      checkSqnAmf(sqn, amf);
      const o = outputs(rand, [0], sqn, amf);
      return { macA: o.subarray(0, 8), macS: o.subarray(8, 16) };
    },
    f2345(rand) {
      const o = outputs(rand, [1, 2, 3]);
      return { ak: o.subarray(0, 6), res: o.subarray(8, 16), ck: o.subarray(16, 32), ik: o.subarray(32, 48) };
    },
    f5star(rand) {
      return outputs(rand, [4]).subarray(0, 6);
    },
    compute(rand, sqn, amf) {
      checkSqnAmf(sqn, amf);
      const o = outputs(rand, [0, 1, 2, 3, 4], sqn, amf);
      // OUT1 = MAC-A ‖ MAC-S; OUT2 = AK (first 48 bits) … RES (last 64); OUT3 = CK; OUT4 = IK; OUT5 = AK* ….
      return {
        macA: o.subarray(0, 8),
        macS: o.subarray(8, 16),
        ak: o.subarray(16, 22),
        res: o.subarray(24, 32),
        ck: o.subarray(32, 48),
        ik: o.subarray(48, 64),
        akStar: o.subarray(64, 70),
      };
    },
  };
}

/** f1 and f1* (MAC-A, MAC-S). */
export function f1(
  k: Uint8Array,
  opc: Uint8Array,
  rand: Uint8Array,
  sqn: Uint8Array,
  amf: Uint8Array,
): F1Output {
  return createMilenage(k, opc).f1(rand, sqn, amf);
}

/** f2, f3, f4, f5 (RES, CK, IK, AK). */
export function f2345(k: Uint8Array, opc: Uint8Array, rand: Uint8Array): F2345Output {
  return createMilenage(k, opc).f2345(rand);
}

/** f5* (AK*). */
export function f5star(k: Uint8Array, opc: Uint8Array, rand: Uint8Array): Buffer {
  return createMilenage(k, opc).f5star(rand);
}

/** Every MILENAGE output for one (K, OPc, RAND, SQN, AMF). */
export function milenage(
  k: Uint8Array,
  opc: Uint8Array,
  rand: Uint8Array,
  sqn: Uint8Array,
  amf: Uint8Array,
): MilenageOutput {
  return createMilenage(k, opc).compute(rand, sqn, amf);
}
