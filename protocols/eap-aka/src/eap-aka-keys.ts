import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { EapAkaMethod } from './eap-aka-codec.js';

/**
 * Key derivation for EAP-AKA (RFC 4187 §7) and EAP-AKA' (RFC 9048 §3.3–§3.4), and AT_MAC / AT_CHECKCODE.
 * All hashing is Node's crypto except the SHA-1 compression function, which RFC 4187's PRF needs on its own.
 */

export type EapAkaKeys = {
  readonly mk: Buffer;
  readonly kEncr: Buffer;
  readonly kAut: Buffer;
  readonly msk: Buffer;
  readonly emsk: Buffer;
};

export type EapAkaPrimeKeys = EapAkaKeys & { readonly kRe: Buffer };

const SHA1_IV: readonly number[] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
const ROUND_CONSTANTS: readonly number[] = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6];

const rotl = (x: number, n: number): number => ((x << n) | (x >>> (32 - n))) >>> 0;

/** SHA-1's f_t (FIPS 180-4 §4.1.1) for round t. */
function roundFunction(t: number, b: number, c: number, d: number): number {
  if (t < 20) return (b & c) | (~b & d);
  if (t < 40 || t >= 60) return b ^ c ^ d;
  return (b & c) | (b & d) | (c & d);
}

/**
 * One SHA-1 compression (FIPS 180-4 §6.1.2 step 1–4) of a 64-byte block from the standard IV, with no padding
 * or length: this is G(t, c) of FIPS 186-2 Appendix 3.3, which Node's createHash cannot express because it
 * always pads. Used ONLY by the RFC 4187 §7 PRF; everything else uses createHash('sha1').
 */
export function sha1Compress(block: Uint8Array): Buffer {
  if (block.length !== 64) throw new RangeError('SHA-1 block must be 64 bytes');
  const w = new Uint32Array(80);
  const view = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  for (let t = 0; t < 16; t++) w[t] = view.readUInt32BE(t * 4);
  for (let t = 16; t < 80; t++) w[t] = rotl(w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!, 1);
  let [a, b, c, d, e] = SHA1_IV as [number, number, number, number, number];
  for (let t = 0; t < 80; t++) {
    const k = ROUND_CONSTANTS[Math.floor(t / 20)]!;
    const temp = (rotl(a, 5) + roundFunction(t, b, c, d) + e + k + w[t]!) >>> 0;
    [e, d, c, b, a] = [d, c, rotl(b, 30), a, temp];
  }
  const out = Buffer.alloc(20);
  [a, b, c, d, e].forEach((word, i) => out.writeUInt32BE((word + SHA1_IV[i]!) >>> 0, i * 4));
  return out;
}

/** (1 + a + b) mod 2^160, big-endian, as FIPS 186-2 step 3.c updates XKEY. */
function addOnePlus160(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(20);
  let carry = 1;
  for (let i = 19; i >= 0; i--) {
    const sum = a[i]! + b[i]! + carry;
    out[i] = sum & 0xff;
    carry = sum >> 8;
  }
  return out;
}

/**
 * FIPS 186-2 change notice 1 general-purpose PRNG (Appendix 3.1, b = 160, XSEED = 0) with G from SHA-1,
 * as RFC 4187 §7 (and RFC 4186 §7) define it: x_j = w_0 | w_1 for each j, XKEY := (1 + XKEY + w_i) mod 2^160.
 */
export function fips186Prf(xkey: Uint8Array, bytes: number): Buffer {
  if (xkey.length !== 20) throw new RangeError('XKEY must be 20 bytes');
  let state: Buffer = Buffer.from(xkey);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < bytes; produced += 20) {
    const block = Buffer.alloc(64);
    state.copy(block);
    const w = sha1Compress(block);
    state = addOnePlus160(state, w);
    blocks.push(w);
  }
  return Buffer.concat(blocks).subarray(0, bytes);
}

function split<const N extends readonly number[]>(material: Buffer, sizes: N): Buffer[] {
  let offset = 0;
  return sizes.map((size) => {
    const part = Buffer.from(material.subarray(offset, offset + size));
    offset += size;
    return part;
  });
}

/** RFC 4187 §7: MK = SHA1(Identity | IK | CK), then K_encr | K_aut | MSK | EMSK from the FIPS 186-2 PRF. */
export function deriveAkaKeys(identity: Uint8Array, ik: Uint8Array, ck: Uint8Array): EapAkaKeys {
  const mk = createHash('sha1').update(identity).update(ik).update(ck).digest();
  return akaKeysFromMk(mk);
}

export function akaKeysFromMk(mk: Buffer): EapAkaKeys {
  const [kEncr, kAut, msk, emsk] = split(fips186Prf(mk, 160), [16, 16, 64, 64]);
  return { mk, kEncr: kEncr!, kAut: kAut!, msk: msk!, emsk: emsk! };
}

const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);

/** FC for CK'/IK' derivation (TS 33.402 Annex A.2). */
const FC_CK_IK_PRIME = 0x20;

/**
 * RFC 9048 §3.3 / TS 33.402 Annex A.2: CK' | IK' = HMAC-SHA-256(CK | IK, FC | P0 | L0 | P1 | L1) with
 * P0 = access network name, P1 = SQN ⊕ AK (the first 6 bytes of AUTN). Binding the network name makes a
 * vector stolen from one access network useless in another.
 */
export function deriveCkIkPrime(
  ck: Uint8Array,
  ik: Uint8Array,
  networkName: Uint8Array,
  sqnXorAk: Uint8Array,
): { readonly ckPrime: Buffer; readonly ikPrime: Buffer } {
  if (sqnXorAk.length !== 6) throw new RangeError('SQN ⊕ AK must be 6 bytes');
  if (networkName.length === 0 || networkName.length > 0xffff) throw new RangeError('network name length');
  const s = Buffer.concat([
    Buffer.from([FC_CK_IK_PRIME]),
    networkName,
    u16(networkName.length),
    sqnXorAk,
    u16(6),
  ]);
  const out = createHmac('sha256', Buffer.concat([ck, ik]))
    .update(s)
    .digest();
  return { ckPrime: out.subarray(0, 16), ikPrime: out.subarray(16, 32) };
}

/** RFC 9048 §3.4.1 PRF'(K, S) = T1 | T2 | …, T1 = HMAC-SHA-256(K, S | 0x01), Tn = HMAC(K, Tn-1 | S | n). */
export function prfPrime(key: Uint8Array, s: Uint8Array, bytes: number): Buffer {
  if (bytes > 255 * 32) throw new RangeError("PRF' output too long");
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let n = 1; blocks.length * 32 < bytes; n++) {
    previous = createHmac('sha256', key)
      .update(previous)
      .update(s)
      .update(Buffer.from([n]))
      .digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, bytes);
}

const AKA_PRIME_LABEL = Buffer.from("EAP-AKA'", 'ascii');

/** RFC 9048 §3.3: MK = PRF'(IK' | CK', "EAP-AKA'" | Identity) = K_encr | K_aut | K_re | MSK | EMSK. */
export function deriveAkaPrimeKeys(
  identity: Uint8Array,
  ckPrime: Uint8Array,
  ikPrime: Uint8Array,
): EapAkaPrimeKeys {
  const key = Buffer.concat([ikPrime, ckPrime]);
  const mk = prfPrime(key, Buffer.concat([AKA_PRIME_LABEL, identity]), 208);
  const [kEncr, kAut, kRe, msk, emsk] = split(mk, [16, 32, 32, 64, 64]);
  return { mk, kEncr: kEncr!, kAut: kAut!, kRe: kRe!, msk: msk!, emsk: emsk! };
}

const counter16 = (counter: number): Buffer => {
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffff)
    throw new RangeError('counter is 16 bits');
  return u16(counter);
};

/** MSK and EMSK of a fast re-authentication. */
export type ReauthKeys = { readonly msk: Buffer; readonly emsk: Buffer };

/**
 * RFC 4187 §7 fast re-authentication: XKEY' = SHA1(Identity | counter | NONCE_S | MK), then MSK | EMSK from
 * the same FIPS 186-2 PRF. Identity is the re-authentication identity the peer presented.
 */
export function deriveAkaReauthKeys(
  identity: Uint8Array,
  counter: number,
  nonceS: Uint8Array,
  mk: Uint8Array,
): ReauthKeys {
  const xkey = createHash('sha1')
    .update(identity)
    .update(counter16(counter))
    .update(nonceS)
    .update(mk)
    .digest();
  const [msk, emsk] = split(fips186Prf(xkey, 128), [64, 64]);
  return { msk: msk!, emsk: emsk! };
}

const AKA_PRIME_REAUTH_LABEL = Buffer.from("EAP-AKA' re-auth", 'ascii');

/** RFC 9048 §3.3: MK = PRF'(K_re, "EAP-AKA' re-auth" | Identity | counter | NONCE_S) = MSK | EMSK. */
export function deriveAkaPrimeReauthKeys(
  kRe: Uint8Array,
  identity: Uint8Array,
  counter: number,
  nonceS: Uint8Array,
): ReauthKeys {
  const s = Buffer.concat([AKA_PRIME_REAUTH_LABEL, identity, counter16(counter), nonceS]);
  const [msk, emsk] = split(prfPrime(kRe, s, 128), [64, 64]);
  return { msk: msk!, emsk: emsk! };
}

const MAC_BYTES = 16;

/**
 * AT_MAC (RFC 4187 §10.15, RFC 9048 §3.3): HMAC-SHA1-128 (EAP-AKA) or HMAC-SHA-256-128 (EAP-AKA') keyed with
 * K_aut over the whole EAP packet with the 16 MAC bytes zeroed, followed by `extra`: nothing, except in the
 * peer's re-authentication response, which appends the server's NONCE_S (§9.8).
 */
export function computeAtMac(
  method: EapAkaMethod,
  kAut: Uint8Array,
  packet: Uint8Array,
  macOffset: number,
  extra: Uint8Array = Buffer.alloc(0),
): Buffer {
  if (macOffset < 0 || macOffset + MAC_BYTES > packet.length)
    throw new RangeError('MAC offset outside the packet');
  const zeroed = Buffer.from(packet);
  zeroed.fill(0, macOffset, macOffset + MAC_BYTES);
  const hash = method === 'aka' ? 'sha1' : 'sha256';
  return createHmac(hash, kAut).update(zeroed).update(extra).digest().subarray(0, MAC_BYTES);
}

/** Constant-time AT_MAC check of a received packet. */
export function verifyAtMac(
  method: EapAkaMethod,
  kAut: Uint8Array,
  packet: Uint8Array,
  macOffset: number,
  extra?: Uint8Array,
): boolean {
  const expected = computeAtMac(method, kAut, packet, macOffset, extra);
  return timingSafeEqual(expected, packet.subarray(macOffset, macOffset + MAC_BYTES));
}

/** Writes AT_MAC into an encoded packet whose MAC bytes are zero (the form `computeAtMac` expects). */
export function signPacket(
  method: EapAkaMethod,
  kAut: Uint8Array,
  packet: Buffer,
  macOffset: number,
  extra?: Uint8Array,
): Buffer {
  const signed = Buffer.from(packet);
  computeAtMac(method, kAut, packet, macOffset, extra).copy(signed, macOffset);
  return signed;
}

/**
 * AT_CHECKCODE (RFC 4187 §10.13, RFC 9048 §3.3): a digest of every AKA-Identity request and response in order,
 * so that a man in the middle cannot strip AT_ANY_ID_REQ to steer the peer; empty when there were none.
 */
export function computeCheckcode(method: EapAkaMethod, identityMessages: readonly Uint8Array[]): Buffer {
  if (identityMessages.length === 0) return Buffer.alloc(0);
  const hash = createHash(method === 'aka' ? 'sha1' : 'sha256');
  for (const message of identityMessages) hash.update(message);
  return hash.digest();
}
