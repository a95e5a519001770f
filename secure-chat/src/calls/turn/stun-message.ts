import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * STUN messages (RFC 5389 / RFC 8489 §5–6, §14–15): header, attributes, MESSAGE-INTEGRITY (HMAC-SHA1) and
 * FINGERPRINT (CRC-32 xor 0x5354554e). Pure, bounded: a message is at most MAX_STUN_BYTES and
 * MAX_STUN_ATTRIBUTES attributes; anything else is refused with a StunError, never half-read.
 */
export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_BYTES = 20;
/** The largest message read or written (a UDP datagram that is not fragmented on an Ethernet path). */
export const MAX_STUN_BYTES = 1_500;
export const MAX_STUN_ATTRIBUTES = 32;

export const StunMethod = { binding: 0x001, allocate: 0x003, refresh: 0x004 } as const;
export const StunClass = { request: 0b00, indication: 0b01, success: 0b10, error: 0b11 } as const;
export type StunClassName = keyof typeof StunClass;

export const Attr = {
  mappedAddress: 0x0001,
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
  xorMappedAddress: 0x0020,
  software: 0x8022,
  fingerprint: 0x8028,
} as const;

export type StunAttribute = { type: number; value: Buffer };
export type StunMessage = {
  method: number;
  cls: StunClassName;
  transactionId: Buffer;
  attributes: StunAttribute[];
  /** Offset of each attribute's header in the message (for MESSAGE-INTEGRITY and FINGERPRINT checks). */
  offsets: number[];
};

export class StunError extends Error {}

const FINGERPRINT_XOR = 0x5354554e;
const pad4 = (n: number) => (n + 3) & ~3;

/** The 14-bit message type from method and class (RFC 8489 §5, figure 3). */
export function messageType(method: number, cls: StunClassName): number {
  const c = StunClass[cls];
  return (
    (method & 0x000f) |
    ((method & 0x0070) << 1) |
    ((method & 0x0f80) << 2) |
    ((c & 0b01) << 4) |
    ((c & 0b10) << 7)
  );
}

function splitType(t: number): { method: number; cls: StunClassName } {
  const method = (t & 0x000f) | ((t >> 1) & 0x0070) | ((t >> 2) & 0x0f80);
  const c = ((t >> 4) & 0b01) | ((t >> 7) & 0b10);
  const cls = (Object.keys(StunClass) as StunClassName[]).find((k) => StunClass[k] === c)!;
  return { method, cls };
}

/**
 * Encodes a message. With `integrityKey`, MESSAGE-INTEGRITY is appended (over everything before it, the
 * header's length covering it); with `fingerprint`, FINGERPRINT last (RFC 8489 §14.5, §14.7).
 */
export function encodeStun(
  m: { method: number; cls: StunClassName; transactionId: Buffer; attributes: readonly StunAttribute[] },
  o: { integrityKey?: Buffer; fingerprint?: boolean } = {},
): Buffer {
  if (m.transactionId.length !== 12) throw new StunError('a transaction id is 12 bytes');
  const parts: Buffer[] = [];
  for (const a of m.attributes) {
    if (a.value.length > 0xffff) throw new StunError('attribute too long');
    const h = Buffer.alloc(4);
    h.writeUInt16BE(a.type, 0);
    h.writeUInt16BE(a.value.length, 2);
    parts.push(h, a.value, Buffer.alloc(pad4(a.value.length) - a.value.length));
  }
  let body = Buffer.concat(parts);
  const header = (bodyLength: number) => {
    const h = Buffer.alloc(HEADER_BYTES);
    h.writeUInt16BE(messageType(m.method, m.cls), 0);
    h.writeUInt16BE(bodyLength, 2);
    h.writeUInt32BE(MAGIC_COOKIE, 4);
    m.transactionId.copy(h, 8);
    return h;
  };
  if (o.integrityKey) {
    const mac = createHmac('sha1', o.integrityKey)
      .update(Buffer.concat([header(body.length + 24), body]))
      .digest();
    body = Buffer.concat([body, attrHeader(Attr.messageIntegrity, 20), mac]);
  }
  if (o.fingerprint) {
    const crc = (crc32(Buffer.concat([header(body.length + 8), body])) ^ FINGERPRINT_XOR) >>> 0;
    const v = Buffer.alloc(4);
    v.writeUInt32BE(crc, 0);
    body = Buffer.concat([body, attrHeader(Attr.fingerprint, 4), v]);
  }
  const out = Buffer.concat([header(body.length), body]);
  if (out.length > MAX_STUN_BYTES) throw new StunError(`message longer than ${MAX_STUN_BYTES} bytes`);
  return out;
}

function attrHeader(type: number, length: number): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(length, 2);
  return h;
}

/** Decodes one message, checking the leading zero bits, the magic cookie, the length and every attribute's bounds. */
export function decodeStun(buf: Buffer): StunMessage {
  if (buf.length < HEADER_BYTES) throw new StunError('shorter than a STUN header');
  if (buf.length > MAX_STUN_BYTES) throw new StunError(`longer than ${MAX_STUN_BYTES} bytes`);
  const type = buf.readUInt16BE(0);
  if (type & 0xc000) throw new StunError('not a STUN message (leading bits set)');
  if (buf.readUInt32BE(4) !== MAGIC_COOKIE) throw new StunError('wrong magic cookie');
  const length = buf.readUInt16BE(2);
  if (length % 4 !== 0 || HEADER_BYTES + length !== buf.length)
    throw new StunError('message length does not match the datagram');
  const attributes: StunAttribute[] = [];
  const offsets: number[] = [];
  let at = HEADER_BYTES;
  while (at < buf.length) {
    if (attributes.length === MAX_STUN_ATTRIBUTES) throw new StunError('too many attributes');
    if (at + 4 > buf.length) throw new StunError('truncated attribute header');
    const len = buf.readUInt16BE(at + 2);
    if (at + 4 + len > buf.length) throw new StunError('attribute runs past the message');
    offsets.push(at);
    attributes.push({ type: buf.readUInt16BE(at), value: Buffer.from(buf.subarray(at + 4, at + 4 + len)) });
    at += 4 + pad4(len);
  }
  if (at !== buf.length) throw new StunError('attribute padding runs past the message');
  return { ...splitType(type), transactionId: Buffer.from(buf.subarray(8, 20)), attributes, offsets };
}

/** The first attribute of a type, as §14 says (later duplicates are ignored). */
export const attribute = (m: StunMessage, type: number): Buffer | undefined =>
  m.attributes.find((a) => a.type === type)?.value;

/**
 * Whether MESSAGE-INTEGRITY is present and right under `key`: HMAC-SHA1 over the message up to it, the
 * header's length adjusted to end just after it (attributes after it, e.g. FINGERPRINT, are excluded).
 */
export function integrityValid(buf: Buffer, m: StunMessage, key: Buffer): boolean {
  const i = m.attributes.findIndex((a) => a.type === Attr.messageIntegrity);
  if (i < 0 || m.attributes[i]!.value.length !== 20) return false;
  const at = m.offsets[i]!;
  const head = Buffer.from(buf.subarray(0, at));
  head.writeUInt16BE(at + 24 - HEADER_BYTES, 2);
  return timingSafeEqual(createHmac('sha1', key).update(head).digest(), m.attributes[i]!.value);
}

/** Whether FINGERPRINT is present, last, and the CRC-32 of the message before it xor 0x5354554e. */
export function fingerprintValid(buf: Buffer, m: StunMessage): boolean {
  const i = m.attributes.length - 1;
  if (i < 0 || m.attributes[i]!.type !== Attr.fingerprint || m.attributes[i]!.value.length !== 4)
    return false;
  const at = m.offsets[i]!;
  return (crc32(buf.subarray(0, at)) ^ FINGERPRINT_XOR) >>> 0 === m.attributes[i]!.value.readUInt32BE(0);
}

/**
 * The long-term credential key (RFC 8489 §9.2.2, MD5 form): MD5(username ":" realm ":" password). The
 * password must already be SASLprep'd (OpaqueString); a TURN REST password is base64, which it leaves as is.
 */
export const longTermKey = (username: string, realm: string, password: string): Buffer =>
  createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest();
