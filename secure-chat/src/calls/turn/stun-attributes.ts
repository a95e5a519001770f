import { MAGIC_COOKIE, StunError } from './stun-message.js';

/** Attribute values the TURN probe reads and writes (RFC 8489 §14, RFC 8656 §18). Pure. */

export type TransportAddress = { family: 'IPv4' | 'IPv6'; address: string; port: number };

/**
 * XOR-MAPPED-ADDRESS / XOR-RELAYED-ADDRESS (RFC 8489 §14.2): the port xor the cookie's high 16 bits, an IPv4
 * address xor the cookie, an IPv6 address xor the cookie followed by the transaction id.
 */
export function decodeXorAddress(value: Buffer, transactionId: Buffer): TransportAddress {
  if (value.length < 4) throw new StunError('XOR address too short');
  const family = value[1];
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(mask, 4);
  if (family === 0x01) {
    if (value.length !== 8) throw new StunError('XOR IPv4 address is not 8 bytes');
    const a = [0, 1, 2, 3].map((i) => value[4 + i]! ^ mask[i]!);
    return { family: 'IPv4', address: a.join('.'), port };
  }
  if (family === 0x02) {
    if (value.length !== 20) throw new StunError('XOR IPv6 address is not 20 bytes');
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2)
      groups.push((((value[4 + i]! ^ mask[i]!) << 8) | (value[5 + i]! ^ mask[i + 1]!)).toString(16));
    return { family: 'IPv6', address: groups.join(':'), port };
  }
  throw new StunError(`unknown address family ${family}`);
}

/** ERROR-CODE (RFC 8489 §14.8): class × 100 + number, and the reason phrase (UTF-8, at most 763 bytes). */
export function decodeErrorCode(value: Buffer): { code: number; reason: string } {
  if (value.length < 4 || value.length > 4 + 763) throw new StunError('ERROR-CODE of a wrong length');
  const cls = value[2]! & 0x07;
  const number = value[3]!;
  // Class 3–6, number 0–99 (§14.8): a number past 99 would pass for another class's code.
  if (cls < 3 || cls > 6 || number > 99)
    throw new StunError(`ERROR-CODE class ${cls} number ${number} out of range`);
  const code = cls * 100 + number;
  return { code, reason: value.subarray(4).toString('utf8') };
}

/** A UTF-8 text attribute (USERNAME, REALM, NONCE, SOFTWARE), refused past `max` bytes. */
export function decodeText(value: Buffer, max: number): string {
  if (value.length > max) throw new StunError(`text attribute longer than ${max} bytes`);
  return value.toString('utf8');
}

/**
 * Text from a server (a reason phrase, a REALM) made safe to log and print: C0 and C1 control characters,
 * DEL and bidirectional overrides removed, at most `max` characters. For display only — a REALM enters the
 * long-term key exactly as sent.
 */
export function printable(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export const encodeText = (text: string): Buffer => Buffer.from(text, 'utf8');

/** REQUESTED-TRANSPORT (RFC 8656 §18.7): the protocol number (17: UDP) then three reserved bytes. */
export const requestedTransportUdp = (): Buffer => Buffer.from([17, 0, 0, 0]);

/** LIFETIME (RFC 8656 §18.2): seconds, 32 bits. */
export function encodeLifetime(seconds: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(seconds, 0);
  return b;
}
