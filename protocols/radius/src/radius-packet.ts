import { sizeFits, specOfNumber } from './radius-dictionary.js';

/**
 * RADIUS packet framing (RFC 2865 §3 header, §5 attributes), decoded defensively: the datagram comes from
 * the network before anything is authenticated, so decoding only frames bytes and returns a stable drop
 * code for anything malformed; it never throws and never echoes peer data.
 *
 * Why hand-written rather than the `radius` npm codec: that codec compares authenticators as UTF-8 strings
 * (lossy, so distinct digests can compare equal, and not constant-time), lets an attribute's Length run
 * past the end of the packet, keeps the shared secret and authenticator in module-global state, loads its
 * dictionaries synchronously from disk on first use, and always appends Message-Authenticator last. The
 * fixed 20-byte header and type-length-value attributes are small enough to frame here with every bound
 * checked; `radius` stays in the tests as an independent peer.
 */

export const RADIUS_HEADER_BYTES = 20;
/** RFC 2865 §3: "The minimum length is 20 and maximum length is 4096." */
export const RADIUS_MAX_PACKET_BYTES = 4096;
/** Far above any NAS's request (FreeRADIUS's max_attributes defaults to 200); bounds the work per packet. */
export const RADIUS_MAX_ATTRIBUTES = 255;

export const RADIUS_CODES = {
  'Access-Request': 1,
  'Access-Accept': 2,
  'Access-Reject': 3,
  'Accounting-Request': 4,
  'Accounting-Response': 5,
  'Access-Challenge': 11,
  'Status-Server': 12,
} as const;
export type RadiusCode = keyof typeof RADIUS_CODES;

const CODE_BY_NUMBER = new Map<number, RadiusCode>(
  (Object.keys(RADIUS_CODES) as RadiusCode[]).map((code) => [RADIUS_CODES[code], code]),
);

/** Every reason a datagram is silently discarded, in one list so counters can start at zero. */
export const RADIUS_DROP_REASONS = [
  // framing (decodeRadius)
  'too_short',
  'too_long',
  'length_mismatch',
  'unknown_code',
  'bad_attribute',
  'too_many_attributes',
  // authentication and request rules (verifyRequest)
  'not_a_request',
  'too_many_proxy_state',
  'duplicate_attribute',
  'missing_message_authenticator',
  'bad_message_authenticator',
  'bad_request_authenticator',
  'bad_user_password',
  'mixed_authentication',
] as const;
export type RadiusDropReason = (typeof RADIUS_DROP_REASONS)[number];

export type RadiusDrop = { readonly kind: 'drop'; readonly reason: RadiusDropReason };

export type RadiusRawAttribute = {
  readonly type: number;
  /** Offset of the Type octet in `RadiusPacket.bytes`. */
  readonly offset: number;
  readonly value: Buffer;
};

export type RadiusPacket = {
  readonly kind: 'packet';
  readonly code: RadiusCode;
  readonly identifier: number;
  /** The Request or Response Authenticator, 16 bytes. */
  readonly authenticator: Buffer;
  /** In wire order: Proxy-State and EAP-Message order matter (RFC 2865 §5.33, RFC 3579 §3.1). */
  readonly attributes: readonly RadiusRawAttribute[];
  /** Exactly Length bytes (padding removed), a private copy that the caller's buffer reuse cannot alter. */
  readonly bytes: Buffer;
};

export const radiusDrop = (reason: RadiusDropReason): RadiusDrop => ({ kind: 'drop', reason });

type Framing = { readonly attributes: RadiusRawAttribute[] } | { readonly reason: RadiusDropReason };

/** Walks the attributes; they must fill the packet exactly, each at least its 2-byte header. */
function frameAttributes(bytes: Buffer): Framing {
  const attributes: RadiusRawAttribute[] = [];
  for (let offset = RADIUS_HEADER_BYTES; offset < bytes.length;) {
    if (bytes.length - offset < 2) return { reason: 'bad_attribute' };
    const type = bytes[offset]!;
    const length = bytes[offset + 1]!;
    // Type 0 is not defined; a Length below 2 or past the end would desynchronise every later attribute.
    if (type === 0 || length < 2 || offset + length > bytes.length) return { reason: 'bad_attribute' };
    if (attributes.length === RADIUS_MAX_ATTRIBUTES) return { reason: 'too_many_attributes' };
    const value = bytes.subarray(offset + 2, offset + length);
    const spec = specOfNumber(type);
    if (spec && !sizeFits(spec.kind, value.length)) return { reason: 'bad_attribute' };
    attributes.push({ type, offset, value });
    offset += length;
  }
  return { attributes };
}

/**
 * Frames one datagram. Octets beyond the Length field are padding and ignored (RFC 2865 §3); a datagram
 * shorter than its Length field is discarded.
 */
export function decodeRadius(raw: Buffer): RadiusPacket | RadiusDrop {
  if (raw.length < RADIUS_HEADER_BYTES) return radiusDrop('too_short');
  if (raw.length > RADIUS_MAX_PACKET_BYTES) return radiusDrop('too_long');
  const length = raw.readUInt16BE(2);
  if (length < RADIUS_HEADER_BYTES || length > raw.length) return radiusDrop('length_mismatch');
  const code = CODE_BY_NUMBER.get(raw[0]!);
  if (code === undefined) return radiusDrop('unknown_code');
  const bytes = Buffer.from(raw.subarray(0, length));
  const framing = frameAttributes(bytes);
  if ('reason' in framing) return radiusDrop(framing.reason);
  return {
    kind: 'packet',
    code,
    identifier: bytes[1]!,
    authenticator: bytes.subarray(4, RADIUS_HEADER_BYTES),
    attributes: framing.attributes,
    bytes,
  };
}
