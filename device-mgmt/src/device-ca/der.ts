/*
 * The little DER the device CA's hot path needs (RFC 5280 structures, ITU-T X.690 encoding): building a
 * device certificate's TBSCertificate from fixed parts, and reading the three parts of a PKCS#10 request.
 * @peculiar/x509 builds the same structures through a generic schema engine at ~100/s here; issuance must
 * reach 1,000/s. The unit tests check every certificate built here with openssl.
 */

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag, ...lengthBytes(body.length)]), body]);
}

export const seq = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
export const set = (...parts: Uint8Array[]) => tlv(0x31, ...parts);
export const octets = (b: Uint8Array) => tlv(0x04, b);
export const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
export const bool = (v: boolean) => tlv(0x01, Uint8Array.of(v ? 0xff : 0));

/** A non-negative INTEGER from big-endian bytes (minimal: leading zeros dropped, 0x00 before a high bit). */
export function uint(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const b = bytes.subarray(i);
  return tlv(0x02, (b[0] ?? 0) & 0x80 ? Buffer.concat([Uint8Array.of(0), b]) : b);
}

export function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5), whole seconds. */
export function time(d: Date): Uint8Array {
  const iso = d.toISOString();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = d.getUTCFullYear();
  return year < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

/** An ECDSA signature r ‖ s (WebCrypto/JWS form) as the DER Ecdsa-Sig-Value X.509 carries. */
export function ecdsaDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return seq(uint(raw.subarray(0, half)), uint(raw.subarray(half)));
}

export class DerError extends Error {
  override name = 'DerError';
}

/** Reads one TLV at `at` within `end`: its tag, where its content starts and ends. Definite lengths only. */
export function readTlv(
  b: Uint8Array,
  at: number,
  end = b.length,
): { tag: number; start: number; end: number } {
  if (at + 2 > end) throw new DerError('truncated');
  const tag = b[at]!;
  let len = b[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || start + n > end) throw new DerError('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  if (start + len > end) throw new DerError('truncated');
  return { tag, start, end: start + len };
}
