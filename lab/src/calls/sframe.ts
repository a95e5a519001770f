// SFrame (RFC 9605): the header (§4.3), key derivation (§4.4.2), nonce formation and frame encryption (§4.4.3,
// §4.4.4), for the cipher suites of §4.5 (AES-CTR+HMAC and AES-GCM). WebCrypto only, so the same module runs in
// Node (tests, bots) and in a browser's media worker. Values that may exceed 2^53 (KID, CTR) are bigints.

export type SFrameSuite = {
  id: number;
  hash: 'SHA-256' | 'SHA-512';
  /** AEAD.Nh, Nk, Nn, Nt (RFC 9605 Table 2). */
  nh: number;
  nk: number;
  nn: number;
  nt: number;
  /** AES key size of the CTR+HMAC suites (Nka); 0 for the GCM suites. */
  nka: number;
};

/** RFC 9605 §4.5 / IANA "SFrame Cipher Suites" 0x0001–0x0005. */
export const SFRAME_SUITES: Record<number, SFrameSuite> = {
  1: { id: 1, hash: 'SHA-256', nh: 32, nk: 48, nn: 12, nt: 10, nka: 16 },
  2: { id: 2, hash: 'SHA-256', nh: 32, nk: 48, nn: 12, nt: 8, nka: 16 },
  3: { id: 3, hash: 'SHA-256', nh: 32, nk: 48, nn: 12, nt: 4, nka: 16 },
  4: { id: 4, hash: 'SHA-256', nh: 32, nk: 16, nn: 12, nt: 16, nka: 0 },
  5: { id: 5, hash: 'SHA-512', nh: 64, nk: 32, nn: 12, nt: 16, nka: 0 },
};
/** AES_128_GCM_SHA256_128, the suite calls use. */
export const SFRAME_AES_128_GCM = SFRAME_SUITES[4]!;

export class SFrameError extends Error {
  constructor(
    readonly code: 'sframe_malformed' | 'sframe_unknown_kid' | 'sframe_auth_failed' | 'sframe_range',
    message: string,
  ) {
    super(message);
  }
}

const MAX_U64 = (1n << 64n) - 1n;
const subtle = () => globalThis.crypto.subtle;
/** WebCrypto's DOM typings want ArrayBuffer-backed views; ours always are (never a SharedArrayBuffer). */
const ab = (b: Uint8Array) => b as Uint8Array<ArrayBuffer>;

function minBytes(v: bigint): Uint8Array {
  const out: number[] = [];
  for (let x = v; x > 0n; x >>= 8n) out.unshift(Number(x & 0xffn));
  return Uint8Array.from(out.length ? out : [0]);
}

export function bigEndian(v: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1, x = v; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
};

/** §4.3: the config byte, then KID and CTR as minimal big-endian integers when they do not fit in 3 bits. */
export function encodeHeader(kid: bigint, ctr: bigint): Uint8Array {
  if (kid < 0n || kid > MAX_U64 || ctr < 0n || ctr > MAX_U64)
    throw new SFrameError('sframe_range', 'KID and CTR are 64-bit unsigned integers');
  const k = kid < 8n ? null : minBytes(kid);
  const c = ctr < 8n ? null : minBytes(ctr);
  const config =
    (k ? 0x80 | ((k.length - 1) << 4) : Number(kid) << 4) | (c ? 0x08 | (c.length - 1) : Number(ctr));
  return concat(Uint8Array.of(config), k ?? new Uint8Array(), c ?? new Uint8Array());
}

/** Parses the header at the start of an SFrame ciphertext; `length` is the header's size in bytes. */
export function decodeHeader(bytes: Uint8Array): { kid: bigint; ctr: bigint; length: number } {
  if (bytes.length < 1) throw new SFrameError('sframe_malformed', 'empty SFrame ciphertext');
  const config = bytes[0]!;
  let at = 1;
  const field = (extended: boolean, small: number): bigint => {
    if (!extended) return BigInt(small);
    const len = small + 1;
    if (bytes.length < at + len) throw new SFrameError('sframe_malformed', 'truncated SFrame header');
    let v = 0n;
    for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(bytes[at + i]!);
    at += len;
    return v;
  };
  const kid = field((config & 0x80) !== 0, (config >> 4) & 0x07);
  const ctr = field((config & 0x08) !== 0, config & 0x07);
  return { kid, ctr, length: at };
}

async function hmac(hash: SFrameSuite['hash'], key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  // An empty HMAC key is the all-zero key of RFC 5869's default salt; WebCrypto refuses a zero-length key.
  const raw = key.length ? key : new Uint8Array(hash === 'SHA-256' ? 32 : 64);
  const k = await subtle().importKey('raw', ab(raw), { name: 'HMAC', hash }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, ab(data)));
}

/** RFC 5869 HKDF-Extract and HKDF-Expand (WebCrypto's HKDF does both at once and hides the PRK). */
export const hkdfExtract = (hash: SFrameSuite['hash'], salt: Uint8Array, ikm: Uint8Array) =>
  hmac(hash, salt, ikm);

export async function hkdfExpand(
  hash: SFrameSuite['hash'],
  prk: Uint8Array,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array();
  for (let i = 1, o = 0; o < length; i++) {
    t = await hmac(hash, prk, concat(t, info, Uint8Array.of(i)));
    out.set(t.subarray(0, Math.min(t.length, length - o)), o);
    o += t.length;
  }
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** §4.4.2 labels: the text, KID as 8 bytes and the suite as 2 bytes, big-endian. */
export function sframeLabel(kind: 'key' | 'salt', kid: bigint, suite: SFrameSuite): Uint8Array {
  return concat(utf8(`SFrame 1.0 Secret ${kind} `), bigEndian(kid, 8), bigEndian(BigInt(suite.id), 2));
}

export type SFrameKey = { kid: bigint; suite: SFrameSuite; key: Uint8Array; salt: Uint8Array };

/** §4.4.2 `derive_key_salt(KID, base_key)`; `secret` is the intermediate `sframe_secret`. */
export async function deriveKeySalt(
  suite: SFrameSuite,
  kid: bigint,
  baseKey: Uint8Array,
): Promise<SFrameKey & { secret: Uint8Array }> {
  const secret = await hkdfExtract(suite.hash, new Uint8Array(), baseKey);
  const key = await hkdfExpand(suite.hash, secret, sframeLabel('key', kid, suite), suite.nk);
  const salt = await hkdfExpand(suite.hash, secret, sframeLabel('salt', kid, suite), suite.nn);
  return { kid, suite, key, salt, secret };
}

/** §4.4.3: the salt XOR the counter as an Nn-byte big-endian integer. */
export function sframeNonce(salt: Uint8Array, ctr: bigint): Uint8Array {
  const c = bigEndian(ctr, salt.length);
  return salt.map((b, i) => b ^ c[i]!);
}

const bytes = (b: ArrayBuffer) => new Uint8Array(b);

/** §4.5.1: AES-CTR then a truncated HMAC over lengths, nonce, AAD and ciphertext. */
async function ctrHmacTag(
  s: SFrameSuite,
  authKey: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  ct: Uint8Array,
) {
  const lens = concat(
    bigEndian(BigInt(aad.length), 8),
    bigEndian(BigInt(ct.length), 8),
    bigEndian(BigInt(s.nt), 8),
  );
  return (await hmac(s.hash, authKey, concat(lens, nonce, aad, ct))).subarray(0, s.nt);
}

async function aesCtr(encKey: Uint8Array, nonce: Uint8Array, data: Uint8Array) {
  const k = await subtle().importKey('raw', ab(encKey), 'AES-CTR', false, ['encrypt']);
  const counter = concat(nonce, new Uint8Array(4));
  return bytes(await subtle().encrypt({ name: 'AES-CTR', counter: ab(counter), length: 32 }, k, ab(data)));
}

/** `AEAD.Encrypt(key, nonce, aad, pt)` of the suite (RFC 5116 convention: the tag is appended). */
export async function aeadEncrypt(
  s: SFrameSuite,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  pt: Uint8Array,
) {
  if (s.nka) {
    const ct = await aesCtr(key.subarray(0, s.nka), nonce, pt);
    return concat(ct, await ctrHmacTag(s, key.subarray(s.nka), nonce, aad, ct));
  }
  const k = await subtle().importKey('raw', ab(key), 'AES-GCM', false, ['encrypt']);
  return bytes(
    await subtle().encrypt(
      { name: 'AES-GCM', iv: ab(nonce), additionalData: ab(aad), tagLength: 128 },
      k,
      ab(pt),
    ),
  );
}

export async function aeadDecrypt(
  s: SFrameSuite,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  ct: Uint8Array,
) {
  if (ct.length < s.nt) throw new SFrameError('sframe_malformed', 'ciphertext shorter than its tag');
  if (s.nka) {
    const inner = ct.subarray(0, ct.length - s.nt);
    const tag = await ctrHmacTag(s, key.subarray(s.nka), nonce, aad, inner);
    let diff = 0;
    for (let i = 0; i < s.nt; i++) diff |= tag[i]! ^ ct[inner.length + i]!;
    if (diff !== 0) throw new SFrameError('sframe_auth_failed', 'SFrame authentication failed');
    return aesCtr(key.subarray(0, s.nka), nonce, inner);
  }
  const k = await subtle().importKey('raw', ab(key), 'AES-GCM', false, ['decrypt']);
  try {
    return bytes(
      await subtle().decrypt(
        { name: 'AES-GCM', iv: ab(nonce), additionalData: ab(aad), tagLength: 128 },
        k,
        ab(ct),
      ),
    );
  } catch {
    throw new SFrameError('sframe_auth_failed', 'SFrame authentication failed');
  }
}

/** §4.4.3 `encrypt(CTR, KID, metadata, plaintext)`: header ‖ AEAD.Encrypt(key, nonce, header ‖ metadata, pt). */
export async function sframeEncrypt(
  k: SFrameKey,
  ctr: bigint,
  plaintext: Uint8Array,
  metadata: Uint8Array = new Uint8Array(),
): Promise<Uint8Array> {
  const header = encodeHeader(k.kid, ctr);
  const ct = await aeadEncrypt(k.suite, k.key, sframeNonce(k.salt, ctr), concat(header, metadata), plaintext);
  return concat(header, ct);
}

/** §4.4.4 `decrypt(metadata, sframe_ciphertext)`; `keyFor` finds the key of the header's KID. */
export async function sframeDecrypt(
  keyFor: (kid: bigint) => SFrameKey | undefined,
  ciphertext: Uint8Array,
  metadata: Uint8Array = new Uint8Array(),
): Promise<{ kid: bigint; ctr: bigint; plaintext: Uint8Array }> {
  const { kid, ctr, length } = decodeHeader(ciphertext);
  const k = keyFor(kid);
  if (!k) throw new SFrameError('sframe_unknown_kid', `no key for KID ${kid}`);
  const header = ciphertext.subarray(0, length);
  const aad = concat(header, metadata);
  const plaintext = await aeadDecrypt(
    k.suite,
    k.key,
    sframeNonce(k.salt, ctr),
    aad,
    ciphertext.subarray(length),
  );
  return { kid, ctr, plaintext };
}
