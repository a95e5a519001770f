import { revealUserPassword } from './radius-crypto.js';
import { attributeNumber, type AttributeNameOfKind, type RadiusAttributeName } from './radius-dictionary.js';
import type { RadiusPacket } from './radius-packet.js';

/**
 * Typed reads of a decoded packet's attributes. Sizes were checked when the packet was framed, so the
 * fixed-width readers cannot overrun; text that is not valid UTF-8 reads as absent rather than as a
 * string with replacement characters that could collide with a real user name.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Every value of this attribute, in wire order. */
export function attributeValues(packet: RadiusPacket, name: RadiusAttributeName): Buffer[] {
  const number = attributeNumber(name);
  return packet.attributes.filter((a) => a.type === number).map((a) => a.value);
}

export function attributeBytes(packet: RadiusPacket, name: RadiusAttributeName): Buffer | undefined {
  const number = attributeNumber(name);
  return packet.attributes.find((a) => a.type === number)?.value;
}

export function attributeText(packet: RadiusPacket, name: AttributeNameOfKind<'text'>): string | undefined {
  const value = attributeBytes(packet, name);
  if (value === undefined) return undefined;
  try {
    return utf8.decode(value);
  } catch {
    return undefined;
  }
}

export function attributeInteger(
  packet: RadiusPacket,
  name: AttributeNameOfKind<'integer' | 'time'>,
): number | undefined {
  return attributeBytes(packet, name)?.readUInt32BE(0);
}

export function attributeIpv4(packet: RadiusPacket, name: AttributeNameOfKind<'ipv4'>): string | undefined {
  const value = attributeBytes(packet, name);
  return value === undefined ? undefined : Array.from(value).join('.');
}

/** The EAP packet carried by one or more EAP-Message attributes, concatenated in order (RFC 3579 §3.1). */
export function eapMessage(packet: RadiusPacket): Buffer | undefined {
  const parts = attributeValues(packet, 'EAP-Message');
  return parts.length === 0 ? undefined : Buffer.concat(parts);
}

export type VendorAttribute = { readonly vendorType: number; readonly value: Buffer };

/**
 * The sub-attributes of every Vendor-Specific attribute of this vendor, in the RFC 2865 §5.26 suggested
 * format (type, length, value). A VSA of this vendor that does not follow it yields null: its contents
 * cannot be trusted to mean anything.
 */
export function vendorAttributes(packet: RadiusPacket, vendorId: number): VendorAttribute[] | null {
  const out: VendorAttribute[] = [];
  for (const vsa of attributeValues(packet, 'Vendor-Specific')) {
    if (vsa.readUInt32BE(0) !== vendorId) continue;
    for (let offset = 4; offset < vsa.length;) {
      const length = vsa[offset + 1];
      if (length === undefined || length < 2 || offset + length > vsa.length) return null;
      out.push({ vendorType: vsa[offset]!, value: vsa.subarray(offset + 2, offset + length) });
      offset += length;
    }
  }
  return out;
}

/** What an Access-Request says, typed. `password` is the revealed User-Password (PAP), NULs stripped. */
export type AccessRequestAttributes = {
  readonly userName?: string;
  readonly password?: Buffer;
  readonly state?: Buffer;
  readonly eapMessage?: Buffer;
  readonly nasIpAddress?: string;
  readonly nasIdentifier?: string;
  readonly nasPort?: number;
  readonly serviceType?: number;
  readonly calledStationId?: string;
  readonly callingStationId?: string;
  readonly framedMtu?: number;
};

/** Drops the keys whose value is undefined, so that views compare and log cleanly. */
function defined<T extends object>(view: T): T {
  return Object.fromEntries(Object.entries(view).filter(([, v]) => v !== undefined)) as T;
}

/** Reads an Access-Request; `verifyRequest` must have accepted it (User-Password shape, MA). */
export function readAccessRequest(packet: RadiusPacket, secret: Buffer): AccessRequestAttributes {
  const hidden = attributeBytes(packet, 'User-Password');
  return defined({
    userName: attributeText(packet, 'User-Name'),
    password: hidden && (revealUserPassword(hidden, secret, packet.authenticator) ?? undefined),
    state: attributeBytes(packet, 'State'),
    eapMessage: eapMessage(packet),
    nasIpAddress: attributeIpv4(packet, 'NAS-IP-Address'),
    nasIdentifier: attributeText(packet, 'NAS-Identifier'),
    nasPort: attributeInteger(packet, 'NAS-Port'),
    serviceType: attributeInteger(packet, 'Service-Type'),
    calledStationId: attributeText(packet, 'Called-Station-Id'),
    callingStationId: attributeText(packet, 'Calling-Station-Id'),
    framedMtu: attributeInteger(packet, 'Framed-MTU'),
  });
}

const STATUS_TYPES = {
  1: 'start',
  2: 'stop',
  3: 'interim-update',
  7: 'accounting-on',
  8: 'accounting-off',
} as const;
/** Acct-Status-Type (RFC 2866 §5.1); `other` for values outside this list (Failed, tunnel types, …). */
export type AcctStatusType = (typeof STATUS_TYPES)[keyof typeof STATUS_TYPES] | 'other';

export type AccountingRequestAttributes = {
  readonly statusType?: AcctStatusType;
  readonly sessionId?: string;
  readonly userName?: string;
  readonly nasIpAddress?: string;
  readonly nasIdentifier?: string;
  readonly nasPort?: number;
  readonly calledStationId?: string;
  readonly callingStationId?: string;
  readonly framedIpAddress?: string;
  readonly delayTime?: number;
  readonly sessionTime?: number;
  /** Acct-Input-Octets + 2^32 × Acct-Input-Gigawords (RFC 2869 §5.1); exact below 2^53 (8 PiB). */
  readonly inputOctets?: number;
  readonly outputOctets?: number;
  readonly terminateCause?: number;
  /** Event-Timestamp, seconds since 1970-01-01 UTC (RFC 2869 §5.3). */
  readonly eventTimestamp?: number;
  /** Class attributes the NAS copied from the Access-Accept, in order (RFC 2865 §5.25). */
  readonly classes: readonly Buffer[];
};

function octets(packet: RadiusPacket, low: 'Acct-Input-Octets' | 'Acct-Output-Octets'): number | undefined {
  const high = low === 'Acct-Input-Octets' ? 'Acct-Input-Gigawords' : 'Acct-Output-Gigawords';
  const lowValue = attributeInteger(packet, low);
  const highValue = attributeInteger(packet, high);
  if (lowValue === undefined && highValue === undefined) return undefined;
  return (highValue ?? 0) * 2 ** 32 + (lowValue ?? 0);
}

function statusType(packet: RadiusPacket): AcctStatusType | undefined {
  const code = attributeInteger(packet, 'Acct-Status-Type');
  if (code === undefined) return undefined;
  return code in STATUS_TYPES ? STATUS_TYPES[code as keyof typeof STATUS_TYPES] : 'other';
}

export function readAccountingRequest(packet: RadiusPacket): AccountingRequestAttributes {
  return defined({
    statusType: statusType(packet),
    sessionId: attributeText(packet, 'Acct-Session-Id'),
    userName: attributeText(packet, 'User-Name'),
    nasIpAddress: attributeIpv4(packet, 'NAS-IP-Address'),
    nasIdentifier: attributeText(packet, 'NAS-Identifier'),
    nasPort: attributeInteger(packet, 'NAS-Port'),
    calledStationId: attributeText(packet, 'Called-Station-Id'),
    callingStationId: attributeText(packet, 'Calling-Station-Id'),
    framedIpAddress: attributeIpv4(packet, 'Framed-IP-Address'),
    delayTime: attributeInteger(packet, 'Acct-Delay-Time'),
    sessionTime: attributeInteger(packet, 'Acct-Session-Time'),
    inputOctets: octets(packet, 'Acct-Input-Octets'),
    outputOctets: octets(packet, 'Acct-Output-Octets'),
    terminateCause: attributeInteger(packet, 'Acct-Terminate-Cause'),
    eventTimestamp: attributeInteger(packet, 'Event-Timestamp'),
    classes: attributeValues(packet, 'Class'),
  });
}
