/**
 * EAP (RFC 3748 §4) and EAP-AKA / EAP-AKA' message codec (RFC 4187 §8–§10, RFC 9048 §3).
 *
 * Pure and defensive: the bytes come from an unauthenticated handset, so every length is checked before it is
 * trusted, the whole packet is capped at 1,500 bytes before parsing, and decoding throws nothing but
 * `EapCodecError` with a stable code the caller can count or log without echoing peer data.
 */
import { EAP_MAX_PACKET_BYTES, fail } from './eap-aka-codec-error.js';
import { decodeAttributes, encodeAttribute, MAC_VALUE_OFFSET } from './eap-aka-attributes.js';

export { EAP_MAX_PACKET_BYTES, EapCodecError, type EapCodecErrorCode } from './eap-aka-codec-error.js';
export { decodeAttributeList, encodeAttributeList } from './eap-aka-attributes.js';

const CODE_NUMBERS = { request: 1, response: 2, success: 3, failure: 4 } as const;
export type EapCode = keyof typeof CODE_NUMBERS;

const TYPE_NUMBERS = { identity: 1, nak: 3, aka: 23, 'aka-prime': 50 } as const;
/** Type 23 = EAP-AKA (RFC 4187), type 50 = EAP-AKA' (RFC 9048). */
export type EapAkaMethod = 'aka' | 'aka-prime';

const SUBTYPE_NUMBERS = {
  challenge: 1,
  'authentication-reject': 2,
  'synchronization-failure': 4,
  identity: 5,
  notification: 12,
  reauthentication: 13,
  'client-error': 14,
} as const;
export type AkaSubtype = keyof typeof SUBTYPE_NUMBERS;

/**
 * Attributes whose value is raw bytes (fixed size, length-prefixed, AT_CHECKCODE's 0/20/32 bytes, AT_ENCR_DATA's
 * whole AES blocks, or AT_PADDING's zeros).
 */
export type AkaBytesAttributeType =
  | 'rand'
  | 'autn'
  | 'auts'
  | 'mac'
  | 'identity'
  | 'kdf-input'
  | 'checkcode'
  | 'iv'
  | 'encr-data'
  | 'padding'
  | 'nonce-s'
  | 'next-pseudonym'
  | 'next-reauth-id';
/** Attributes that carry nothing but their presence (2 reserved bytes). */
export type AkaFlagAttributeType =
  'permanent-id-req' | 'any-id-req' | 'fullauth-id-req' | 'result-ind' | 'counter-too-small';
/** Attributes that carry one 16-bit number. */
export type AkaCodeAttributeType = 'notification' | 'client-error-code' | 'kdf' | 'counter';

export type AkaAttribute =
  | { readonly type: AkaBytesAttributeType; readonly value: Buffer }
  /** RES with its length in bits (AT_RES carries bits, not bytes: RFC 4187 §10.8). */
  | { readonly type: 'res'; readonly value: Buffer; readonly bits: number }
  | { readonly type: AkaFlagAttributeType }
  | { readonly type: AkaCodeAttributeType; readonly code: number }
  /** An unknown attribute in the skippable range (≥ 128, RFC 4187 §8.1), kept so re-encoding is faithful. */
  | { readonly type: 'skipped'; readonly number: number; readonly value: Buffer };

export type EapBody =
  | { readonly type: 'identity'; readonly data: Buffer }
  | { readonly type: 'nak'; readonly data: Buffer }
  | {
      readonly type: EapAkaMethod;
      readonly subtype: AkaSubtype;
      readonly attributes: readonly AkaAttribute[];
    };

export type EapPacket =
  | { readonly code: 'success'; readonly identifier: number }
  | { readonly code: 'failure'; readonly identifier: number }
  | { readonly code: 'request' | 'response'; readonly identifier: number; readonly body: EapBody };

/** A packet with the offset of AT_MAC's 16 MAC bytes, which the MAC computation zeroes (RFC 4187 §10.15). */
export type EncodedEap = { readonly bytes: Buffer; readonly macOffset: number | undefined };
export type DecodedEap = { readonly packet: EapPacket; readonly macOffset: number | undefined };

const lookup = <K extends string>(table: Record<K, number>, value: number): K | undefined =>
  (Object.keys(table) as K[]).find((key) => table[key] === value);

const AKA_HEADER_BYTES = 8;

function decodeBody(raw: Buffer): { body: EapBody; macOffset?: number } {
  const type = lookup(TYPE_NUMBERS, raw[4]!) ?? fail('unsupported_type', `EAP type ${raw[4]}`);
  if (type === 'identity' || type === 'nak') return { body: { type, data: Buffer.from(raw.subarray(5)) } };
  if (raw.length < AKA_HEADER_BYTES) fail('too_short', 'EAP-AKA header');
  const subtype = lookup(SUBTYPE_NUMBERS, raw[5]!) ?? fail('unknown_subtype', `subtype ${raw[5]}`);
  const { attributes, macOffset } = decodeAttributes(raw, AKA_HEADER_BYTES);
  const body = { type, subtype, attributes };
  return macOffset === undefined ? { body } : { body, macOffset };
}

/**
 * Decodes one EAP packet. The Length field must equal the byte count: over RADIUS and HTTPS there is no
 * link-layer padding, so a mismatch is corruption or an attempt to smuggle bytes past the MAC.
 */
export function decodeEap(bytes: Uint8Array): DecodedEap {
  if (bytes.length > EAP_MAX_PACKET_BYTES) fail('too_long', `${bytes.length} bytes`);
  if (bytes.length < 4) fail('too_short', 'EAP header');
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (raw.readUInt16BE(2) !== raw.length) fail('length_mismatch', 'EAP Length field');
  const code = lookup(CODE_NUMBERS, raw[0]!) ?? fail('unknown_code', `EAP code ${raw[0]}`);
  const identifier = raw[1]!;
  if (code === 'success' || code === 'failure') {
    if (raw.length !== 4) fail('length_mismatch', `EAP-${code} carries no data`);
    return { packet: { code, identifier }, macOffset: undefined };
  }
  if (raw.length < 5) fail('too_short', 'EAP Type');
  const { body, macOffset } = decodeBody(raw);
  return { packet: { code, identifier, body }, macOffset };
}

function encodeBody(body: EapBody): { bytes: Buffer; macOffset?: number } {
  if (body.type === 'identity' || body.type === 'nak') {
    return { bytes: Buffer.concat([Buffer.from([TYPE_NUMBERS[body.type]]), body.data]) };
  }
  const parts: Buffer[] = [Buffer.from([TYPE_NUMBERS[body.type], SUBTYPE_NUMBERS[body.subtype], 0, 0])];
  let offset = AKA_HEADER_BYTES;
  let macOffset: number | undefined;
  for (const attribute of body.attributes) {
    const encoded = encodeAttribute(attribute);
    if (attribute.type === 'mac') macOffset = offset + MAC_VALUE_OFFSET;
    parts.push(encoded);
    offset += encoded.length;
  }
  const bytes = Buffer.concat(parts);
  return macOffset === undefined ? { bytes } : { bytes, macOffset };
}

/** Encodes one EAP packet; throws `EapCodecError` for values the wire format cannot carry. */
export function encodeEap(packet: EapPacket): EncodedEap {
  const { identifier } = packet;
  if (!Number.isInteger(identifier) || identifier < 0 || identifier > 255)
    fail('bad_attribute_value', 'identifier');
  const { bytes: body, macOffset } =
    packet.code === 'success' || packet.code === 'failure'
      ? { bytes: Buffer.alloc(0) }
      : encodeBody(packet.body);
  const length = 4 + body.length;
  if (length > EAP_MAX_PACKET_BYTES) fail('too_long', `${length} bytes`);
  const header = Buffer.from([CODE_NUMBERS[packet.code], identifier, length >> 8, length & 0xff]);
  return { bytes: Buffer.concat([header, body]), macOffset };
}

/** The value of the first attribute of a bytes type, if present. */
export function attributeBytes(
  attributes: readonly AkaAttribute[],
  type: AkaBytesAttributeType,
): Buffer | undefined {
  for (const attribute of attributes)
    if (attribute.type === type && 'value' in attribute) return attribute.value;
  return undefined;
}

export function hasAttribute(attributes: readonly AkaAttribute[], type: AkaAttribute['type']): boolean {
  return attributes.some((attribute) => attribute.type === type);
}

/** Every code of a 16-bit attribute type, in order (AT_KDF may repeat). */
export function attributeCodes(attributes: readonly AkaAttribute[], type: AkaCodeAttributeType): number[] {
  return attributes.flatMap((a) => (a.type === type && 'code' in a ? [a.code] : []));
}

export function resAttribute(
  attributes: readonly AkaAttribute[],
): { value: Buffer; bits: number } | undefined {
  for (const attribute of attributes) if (attribute.type === 'res') return attribute;
  return undefined;
}
