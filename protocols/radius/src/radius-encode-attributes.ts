import { hideUserPassword } from './radius-crypto.js';
import { attributeNumber, RADIUS_MAX_VALUE_BYTES, type AttributeNameOfKind } from './radius-dictionary.js';
import {
  encryptMppeKey,
  MICROSOFT_VENDOR_ID,
  MPPE_VENDOR_TYPES,
  mppeSalt,
  type MppeKeyType,
} from './radius-mppe.js';

/**
 * The typed attribute model replies (and the lab's requests) are built from, and its wire encoding.
 * Message-Authenticator is not part of it: the packet encoders always place it themselves.
 */

type TextName = AttributeNameOfKind<'text'>;
type OctetsName = AttributeNameOfKind<'octets'>;
type NumberName = AttributeNameOfKind<'integer' | 'time'>;
type Ipv4Name = AttributeNameOfKind<'ipv4'>;

export type RadiusAttribute =
  | { readonly type: TextName; readonly value: string }
  | { readonly type: OctetsName; readonly value: Buffer }
  | { readonly type: NumberName; readonly value: number }
  | { readonly type: Ipv4Name; readonly value: string }
  /** Requests only (the lab's NAS side): hidden with the Request Authenticator (RFC 2865 §5.2). */
  | { readonly type: 'User-Password'; readonly value: Buffer }
  /** Salt-encrypted on encoding (RFC 2548 §2.4.2, §2.4.3); see `mppeKeysFromMsk`. */
  | { readonly type: MppeKeyType; readonly key: Buffer }
  | {
      readonly type: 'Vendor-Specific';
      readonly vendorId: number;
      readonly vendorType: number;
      readonly value: Buffer;
    };

/** What the hiding constructions need: the secret, the Request Authenticator and fresh randomness. */
export type AttributeEncodingContext = {
  readonly secret: Buffer;
  readonly requestAuthenticator: Buffer;
  readonly randomBytes: (size: number) => Buffer;
  /** MPPE salts already used in this packet. */
  readonly salts: Set<number>;
};

/** Values that RFC 2865 §5.18 and RFC 3579 §3.1 let span several attributes, concatenated in order. */
const SPLITTABLE: ReadonlySet<string> = new Set(['EAP-Message', 'Reply-Message']);

/** An empty attribute says nothing (RFC 2865 §5 gives every string type at least one octet). */
function tlv(type: number, value: Buffer): Buffer {
  if (value.length === 0) throw new Error(`attribute ${type} has an empty value`);
  if (value.length > RADIUS_MAX_VALUE_BYTES) throw new Error(`attribute ${type} exceeds 253 bytes`);
  return Buffer.concat([Buffer.from([type, value.length + 2]), value]);
}

function split(type: number, value: Buffer): Buffer[] {
  if (value.length === 0) return [tlv(type, value)]; // throws: nothing to split
  const parts: Buffer[] = [];
  for (let offset = 0; offset < value.length; offset += RADIUS_MAX_VALUE_BYTES) {
    parts.push(tlv(type, value.subarray(offset, offset + RADIUS_MAX_VALUE_BYTES)));
  }
  return parts;
}

function uint32(value: number, type: string): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`${type} must be an unsigned 32-bit integer`);
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value, 0);
  return out;
}

function ipv4(value: string, type: string): Buffer {
  const parts = value.split('.');
  const valid = parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
  if (!valid) throw new Error(`${type} must be a dotted-quad IPv4 address`);
  return Buffer.from(parts.map(Number));
}

function vendorSpecific(vendorId: number, vendorType: number, value: Buffer): Buffer {
  if (!Number.isInteger(vendorType) || vendorType < 1 || vendorType > 255) {
    throw new Error('vendor type must be 1…255');
  }
  if (!Number.isInteger(vendorId) || vendorId < 1 || vendorId > 0xffffff) {
    throw new Error('Vendor-Id is a 24-bit SMI enterprise number');
  }
  const head = Buffer.alloc(6);
  head.writeUInt32BE(vendorId, 0);
  head[4] = vendorType;
  head[5] = value.length + 2;
  return tlv(attributeNumber('Vendor-Specific'), Buffer.concat([head, value]));
}

function mppe(type: MppeKeyType, key: Buffer, context: AttributeEncodingContext): Buffer {
  const salt = mppeSalt(context.randomBytes(2), context.salts);
  const { secret, requestAuthenticator } = context;
  const value = encryptMppeKey({ key, salt, secret, requestAuthenticator });
  return vendorSpecific(MICROSOFT_VENDOR_ID, MPPE_VENDOR_TYPES[type], value);
}

function userPassword(password: Buffer, context: AttributeEncodingContext): Buffer {
  const hidden = hideUserPassword(password, context.secret, context.requestAuthenticator);
  return tlv(attributeNumber('User-Password'), hidden);
}

type MppeAttribute = Extract<RadiusAttribute, { type: MppeKeyType }>;
const isMppe = (attribute: RadiusAttribute): attribute is MppeAttribute =>
  attribute.type in MPPE_VENDOR_TYPES;

/** Encodes one attribute as one or more TLVs; throws on values the wire format cannot carry. */
export function encodeAttribute(attribute: RadiusAttribute, context: AttributeEncodingContext): Buffer[] {
  if (isMppe(attribute)) return [mppe(attribute.type, attribute.key, context)];
  if (attribute.type === 'Vendor-Specific') {
    return [vendorSpecific(attribute.vendorId, attribute.vendorType, attribute.value)];
  }
  if (attribute.type === 'User-Password') return [userPassword(attribute.value, context)];
  return encodePlain(attribute);
}

type PlainAttribute = Exclude<RadiusAttribute, { type: MppeKeyType | 'Vendor-Specific' | 'User-Password' }>;

function encodePlain(attribute: PlainAttribute): Buffer[] {
  const number = attributeNumber(attribute.type);
  const value = plainValue(attribute);
  return SPLITTABLE.has(attribute.type) ? split(number, value) : [tlv(number, value)];
}

function plainValue(attribute: PlainAttribute): Buffer {
  if (typeof attribute.value === 'number') return uint32(attribute.value, attribute.type);
  if (Buffer.isBuffer(attribute.value)) return attribute.value;
  const isIpv4 = attribute.type === 'NAS-IP-Address' || attribute.type === 'Framed-IP-Address';
  return isIpv4 ? ipv4(attribute.value, attribute.type) : Buffer.from(attribute.value, 'utf8');
}
