import { EAP_MAX_PACKET_BYTES, fail } from './eap-aka-codec-error.js';
import type {
  AkaAttribute,
  AkaBytesAttributeType,
  AkaCodeAttributeType,
  AkaFlagAttributeType,
} from './eap-aka-codec.js';

/**
 * EAP-AKA attributes (RFC 4187 §10, RFC 9048 §3): one spec per type — its number and how its value is checked
 * and laid out — and the attribute-list codec the packet codec and AT_ENCR_DATA share.
 */

type AttributeSpec = {
  readonly number: number;
  /** Decodes the attribute's bytes after Type and Length; `value.length + 2` is a multiple of 4. */
  decode(value: Buffer): AkaAttribute;
  /** Encodes the bytes after Type and Length, padded so that `result.length + 2` is a multiple of 4. */
  encode(attribute: AkaAttribute): Buffer;
};

const RESERVED = Buffer.alloc(2);
const pad4 = (n: number): number => (n + 3) & ~3;

function bytesOf(attribute: AkaAttribute): Buffer {
  return 'value' in attribute
    ? attribute.value
    : fail('bad_attribute_value', `${attribute.type} has no value`);
}

/** AT_RAND, AT_AUTN, AT_MAC: 2 reserved bytes then a fixed-size value; AT_AUTS has no reserved bytes. */
function fixed(type: AkaBytesAttributeType, number: number, size: number, reserved: boolean): AttributeSpec {
  const head = reserved ? 2 : 0;
  return {
    number,
    decode(value) {
      if (value.length !== head + size) fail('bad_attribute_length', `${type} must carry ${size} bytes`);
      return { type, value: Buffer.from(value.subarray(head)) };
    },
    encode(attribute) {
      const value = bytesOf(attribute);
      if (value.length !== size) fail('bad_attribute_value', `${type} must carry ${size} bytes`);
      return reserved ? Buffer.concat([RESERVED, value]) : Buffer.from(value);
    },
  };
}

function flag(type: AkaFlagAttributeType, number: number): AttributeSpec {
  return {
    number,
    decode(value) {
      if (value.length !== 2) fail('bad_attribute_length', `${type} must be 4 bytes`);
      return { type };
    },
    encode: () => Buffer.from(RESERVED),
  };
}

function code16(type: AkaCodeAttributeType, number: number): AttributeSpec {
  return {
    number,
    decode(value) {
      if (value.length !== 2) fail('bad_attribute_length', `${type} must be 4 bytes`);
      return { type, code: value.readUInt16BE(0) };
    },
    encode(attribute) {
      const code = 'code' in attribute ? attribute.code : -1;
      if (!Number.isInteger(code) || code < 0 || code > 0xffff) fail('bad_attribute_value', `${type} code`);
      const value = Buffer.alloc(2);
      value.writeUInt16BE(code, 0);
      return value;
    },
  };
}

/**
 * A 2-byte actual length, the data, then zero padding to a 4-byte boundary (AT_IDENTITY, AT_KDF_INPUT, AT_RES).
 * The padding must be minimal: a longer attribute would let a peer hide bytes that the length says are not there.
 */
function splitPrefixed(type: string, value: Buffer, dataBytes: (prefix: number) => number): [number, Buffer] {
  if (value.length < 2) fail('bad_attribute_length', `${type} too short`);
  const prefix = value.readUInt16BE(0);
  const bytes = dataBytes(prefix);
  if (value.length !== pad4(4 + bytes) - 2)
    fail('bad_attribute_length', `${type} length disagrees with its data`);
  return [prefix, Buffer.from(value.subarray(2, 2 + bytes))];
}

function joinPrefixed(prefix: number, data: Buffer): Buffer {
  const value = Buffer.alloc(pad4(4 + data.length) - 2);
  value.writeUInt16BE(prefix, 0);
  data.copy(value, 2);
  return value;
}

function prefixed(
  type: 'identity' | 'kdf-input' | 'next-pseudonym' | 'next-reauth-id',
  number: number,
): AttributeSpec {
  return {
    number,
    decode(value) {
      const [, data] = splitPrefixed(type, value, (length) => length);
      if (data.length === 0) fail('bad_attribute_value', `${type} is empty`);
      return { type, value: data };
    },
    encode(attribute) {
      const data = bytesOf(attribute);
      if (data.length === 0 || data.length > EAP_MAX_PACKET_BYTES)
        fail('bad_attribute_value', `${type} length`);
      return joinPrefixed(data.length, data);
    },
  };
}

/** RES is 32…128 bits (RFC 4187 §10.8); AT_RES carries the bit count and ⌈bits/8⌉ bytes. */
const RES_BITS = { min: 32, max: 128 } as const;

const resSpec: AttributeSpec = {
  number: 3,
  decode(value) {
    const [bits, data] = splitPrefixed('res', value, (b) => Math.ceil(b / 8));
    if (bits < RES_BITS.min || bits > RES_BITS.max) fail('bad_attribute_value', 'RES length out of range');
    return { type: 'res', value: data, bits };
  },
  encode(attribute) {
    if (attribute.type !== 'res') return fail('bad_attribute_value', 'not a RES');
    const { bits, value } = attribute;
    const valid = Number.isInteger(bits) && bits >= RES_BITS.min && bits <= RES_BITS.max;
    if (!valid || value.length !== Math.ceil(bits / 8))
      fail('bad_attribute_value', 'RES length out of range');
    return joinPrefixed(bits, value);
  },
};

/** AT_CHECKCODE: empty, a SHA-1 (EAP-AKA) or a SHA-256 (EAP-AKA') digest after 2 reserved bytes (§10.13). */
const CHECKCODE_BYTES: readonly number[] = [0, 20, 32];

const checkcodeSpec: AttributeSpec = {
  number: 134,
  decode(value) {
    if (!CHECKCODE_BYTES.includes(value.length - 2)) fail('bad_attribute_length', 'checkcode size');
    return { type: 'checkcode', value: Buffer.from(value.subarray(2)) };
  },
  encode(attribute) {
    const value = bytesOf(attribute);
    if (!CHECKCODE_BYTES.includes(value.length)) fail('bad_attribute_value', 'checkcode size');
    return Buffer.concat([RESERVED, value]);
  },
};

/** AT_ENCR_DATA (RFC 4187 §10.12): 2 reserved bytes, then AES-128-CBC ciphertext in whole 16-byte blocks. */
const encrDataSpec: AttributeSpec = {
  number: 130,
  decode(value) {
    const data = value.subarray(2);
    if (data.length === 0 || data.length % 16 !== 0) fail('bad_attribute_length', 'encr-data blocks');
    return { type: 'encr-data', value: Buffer.from(data) };
  },
  encode(attribute) {
    const value = bytesOf(attribute);
    if (value.length === 0 || value.length % 16 !== 0) fail('bad_attribute_value', 'encr-data blocks');
    return Buffer.concat([RESERVED, value]);
  },
};

/** AT_PADDING (RFC 4187 §10.12): 4, 8 or 12 bytes in all, every byte after the header zero. */
const paddingSpec: AttributeSpec = {
  number: 6,
  decode(value) {
    if (value.length > 10) fail('bad_attribute_length', 'padding size');
    if (value.some((b) => b !== 0)) fail('bad_attribute_value', 'padding must be zeros');
    return { type: 'padding', value: Buffer.from(value) };
  },
  encode(attribute) {
    const value = bytesOf(attribute);
    if (![2, 6, 10].includes(value.length) || value.some((b) => b !== 0))
      fail('bad_attribute_value', 'padding size');
    return Buffer.from(value);
  },
};

const SPECS = {
  rand: fixed('rand', 1, 16, true),
  autn: fixed('autn', 2, 16, true),
  res: resSpec,
  auts: fixed('auts', 4, 14, false),
  'permanent-id-req': flag('permanent-id-req', 10),
  mac: fixed('mac', 11, 16, true),
  notification: code16('notification', 12),
  'any-id-req': flag('any-id-req', 13),
  identity: prefixed('identity', 14),
  'fullauth-id-req': flag('fullauth-id-req', 17),
  'client-error-code': code16('client-error-code', 22),
  'kdf-input': prefixed('kdf-input', 23),
  kdf: code16('kdf', 24),
  checkcode: checkcodeSpec,
  'result-ind': flag('result-ind', 135),
  padding: paddingSpec,
  counter: code16('counter', 19),
  'counter-too-small': flag('counter-too-small', 20),
  'nonce-s': fixed('nonce-s', 21, 16, true),
  iv: fixed('iv', 129, 16, true),
  'encr-data': encrDataSpec,
  'next-pseudonym': prefixed('next-pseudonym', 132),
  'next-reauth-id': prefixed('next-reauth-id', 133),
} as const satisfies Record<Exclude<AkaAttribute['type'], 'skipped'>, AttributeSpec>;

const SPEC_BY_NUMBER = new Map<number, AttributeSpec>(Object.values(SPECS).map((s) => [s.number, s]));
/**
 * Attributes that exist only inside AT_ENCR_DATA (RFC 4187 §10.12–§10.17): outside they are unknown, and
 * nothing else may be inside — so an eavesdropper never sees a counter, and a peer cannot smuggle one in clear.
 */
const ENCRYPTED_ONLY = new Set<number>(
  [
    SPECS.padding,
    SPECS.counter,
    SPECS['counter-too-small'],
    SPECS['nonce-s'],
    SPECS['next-pseudonym'],
    SPECS['next-reauth-id'],
  ].map((s) => s.number),
);
/** AT_KDF may repeat: the server offers KDFs in order of preference (RFC 9048 §3.2). */
const REPEATABLE = new Set<number>([SPECS.kdf.number]);
/** Attribute types 0–127 are non-skippable: an unknown one must fail the message (RFC 4187 §8.1). */
const FIRST_SKIPPABLE = 128;
export const MAC_VALUE_OFFSET = 4;

function decodeAttribute(number: number, value: Buffer, encrypted: boolean): AkaAttribute {
  const spec = SPEC_BY_NUMBER.get(number);
  if (spec && ENCRYPTED_ONLY.has(number) !== encrypted)
    return fail(
      'unknown_attribute',
      `attribute ${number} ${encrypted ? 'inside' : 'outside'} encrypted data`,
    );
  if (spec) return spec.decode(value);
  if (number < FIRST_SKIPPABLE) return fail('unknown_attribute', `non-skippable attribute ${number}`);
  return { type: 'skipped', number, value: Buffer.from(value) };
}

export function decodeAttributes(
  raw: Buffer,
  start: number,
  encrypted = false,
): { attributes: AkaAttribute[]; macOffset?: number } {
  const attributes: AkaAttribute[] = [];
  const seen = new Set<number>();
  let macOffset: number | undefined;
  for (let offset = start; offset < raw.length;) {
    if (raw.length - offset < 4) fail('truncated_attribute', 'attribute header');
    const number = raw[offset]!;
    const units = raw[offset + 1]!;
    if (units === 0) fail('zero_length_attribute', `attribute ${number}`);
    const end = offset + units * 4;
    if (end > raw.length) fail('truncated_attribute', `attribute ${number}`);
    if (seen.has(number) && !REPEATABLE.has(number)) fail('duplicate_attribute', `attribute ${number}`);
    seen.add(number);
    const attribute = decodeAttribute(number, raw.subarray(offset + 2, end), encrypted);
    if (attribute.type === 'mac') macOffset = offset + MAC_VALUE_OFFSET;
    attributes.push(attribute);
    offset = end;
  }
  return macOffset === undefined ? { attributes } : { attributes, macOffset };
}

/** Decodes the attributes inside a decrypted AT_ENCR_DATA (RFC 4187 §10.12); throws `EapCodecError`. */
export function decodeAttributeList(raw: Buffer): AkaAttribute[] {
  return decodeAttributes(raw, 0, true).attributes;
}

/** Encodes attributes back to back, for AT_ENCR_DATA's plaintext. */
export function encodeAttributeList(attributes: readonly AkaAttribute[]): Buffer {
  return Buffer.concat(attributes.map(encodeAttribute));
}

export function encodeAttribute(attribute: AkaAttribute): Buffer {
  const number = attribute.type === 'skipped' ? attribute.number : SPECS[attribute.type].number;
  const value = attribute.type === 'skipped' ? attribute.value : SPECS[attribute.type].encode(attribute);
  if (attribute.type === 'skipped' && (number < FIRST_SKIPPABLE || number > 255)) {
    fail('bad_attribute_value', `attribute ${number} is not skippable`);
  }
  if ((value.length + 2) % 4 !== 0 || value.length + 2 > 255 * 4)
    fail('bad_attribute_length', `attribute ${number}`);
  return Buffer.concat([Buffer.from([number, (value.length + 2) / 4]), value]);
}
