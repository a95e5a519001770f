import { describe, expect, it } from 'vitest';
import { readAccessRequest, readAccountingRequest } from './radius-attributes.js';
import { encodeRequest } from './radius-encode.js';
import { decodeRadius, RADIUS_DROP_REASONS, type RadiusPacket } from './radius-packet.js';
import { verifyRequest } from './radius-verify.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** RFC 2865 §7.1 and §7.2 (CHAP) requests. */
const TELNET_REQUEST = hex(`
  01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb 98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
  93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8 01 10 05 06 00 00 00 03`);
const CHAP_REQUEST = hex(`
  01 01 00 47 2a ee 86 f0 8d 0d 55 96 9c a5 97 8e 0d 33 67 a2 01 08 66 6c 6f 70 73 79 03 13 16 e9
  75 57 c3 16 18 58 95 f2 93 ff 63 44 07 72 75 04 06 c0 a8 01 10 05 06 00 00 00 14 06 06 00 00 00
  02 07 06 00 00 00 01`);

/** A datagram built by hand: header with the given Length (default: the true one), then raw bytes. */
function datagram(code: number, body: Buffer, length?: number): Buffer {
  const header = Buffer.alloc(20, 0x5a);
  header[0] = code;
  header[1] = 7;
  header.writeUInt16BE(length ?? 20 + body.length, 2);
  return Buffer.concat([header, body]);
}

const attr = (type: number, value: Buffer | string): Buffer => {
  const bytes = Buffer.from(value);
  return Buffer.concat([Buffer.from([type, bytes.length + 2]), bytes]);
};

function decoded(raw: Buffer): RadiusPacket {
  const result = decodeRadius(raw);
  if (result.kind === 'drop') throw new Error(`dropped: ${result.reason}`);
  return result;
}

describe('decodeRadius', () => {
  it('frames the RFC 2865 §7.1 Access-Request', () => {
    const packet = decoded(TELNET_REQUEST);
    expect(packet.code).toBe('Access-Request');
    expect(packet.identifier).toBe(0);
    expect(packet.authenticator.toString('hex')).toBe('0f403f9473978057bd83d5cb98f4227a');
    expect(packet.attributes.map((a) => [a.type, a.offset, a.value.length])).toEqual([
      [1, 20, 4],
      [2, 26, 16],
      [4, 44, 4],
      [5, 50, 4],
    ]);
    const view = readAccessRequest(packet, Buffer.from('xyzzy5461'));
    expect(view.userName).toBe('nemo');
    expect(view.password?.toString()).toBe('arctangent');
    expect(view.nasIpAddress).toBe('192.168.1.16');
    expect(view.nasPort).toBe(3);
  });

  it('frames the RFC 2865 §7.2 CHAP request', () => {
    const packet = decoded(CHAP_REQUEST);
    expect(packet.identifier).toBe(1);
    expect(packet.attributes.map((a) => a.type)).toEqual([1, 3, 4, 5, 6, 7]);
    expect(readAccessRequest(packet, Buffer.from('xyzzy5461'))).toMatchObject({
      userName: 'flopsy',
      nasPort: 20,
      serviceType: 2,
    });
  });

  it('ignores octets past the Length field as padding (RFC 2865 §3)', () => {
    const padded = Buffer.concat([TELNET_REQUEST, hex('deadbeef')]);
    const packet = decoded(padded);
    expect(packet.bytes).toEqual(TELNET_REQUEST);
    expect(packet.attributes).toHaveLength(4);
  });

  it('keeps a private copy: reusing the receive buffer does not change the packet', () => {
    const raw = Buffer.from(TELNET_REQUEST);
    const packet = decoded(raw);
    raw.fill(0);
    expect(packet.bytes).toEqual(TELNET_REQUEST);
    expect(packet.attributes[0]?.value.toString()).toBe('nemo');
  });

  it('keeps unknown attribute types as opaque bytes', () => {
    const packet = decoded(datagram(1, attr(200, 'anything')));
    expect(packet.attributes).toEqual([{ type: 200, offset: 20, value: Buffer.from('anything') }]);
  });

  const many = (n: number): Buffer => Buffer.concat(Array.from({ length: n }, () => attr(18, 'x')));
  const MALFORMED: ReadonlyArray<[string, Buffer, string]> = [
    ['an empty datagram', Buffer.alloc(0), 'too_short'],
    ['a truncated header', TELNET_REQUEST.subarray(0, 19), 'too_short'],
    [
      'a datagram over 4096 bytes',
      Buffer.concat([datagram(1, Buffer.alloc(0), 20), Buffer.alloc(4077)]),
      'too_long',
    ],
    ['a Length field larger than the datagram', TELNET_REQUEST.subarray(0, 55), 'length_mismatch'],
    ['a Length field below 20', datagram(1, Buffer.alloc(0), 19), 'length_mismatch'],
    ['a Length field of 0', datagram(1, attr(1, 'x'), 0), 'length_mismatch'],
    ['a Length field that cuts an attribute', datagram(1, attr(1, 'nemo'), 23), 'bad_attribute'],
    ['code 0', datagram(0, Buffer.alloc(0)), 'unknown_code'],
    ['code 40 (Disconnect-Request, not served)', datagram(40, Buffer.alloc(0)), 'unknown_code'],
    ['code 255', datagram(255, Buffer.alloc(0)), 'unknown_code'],
    ['a zero-length attribute', datagram(1, hex('01 00 41 42')), 'bad_attribute'],
    ['an attribute of length 1', datagram(1, hex('01 01 41')), 'bad_attribute'],
    ['an attribute overrunning the packet', datagram(1, hex('01 08 41 42 43')), 'bad_attribute'],
    ['a lone Type octet at the end', datagram(1, Buffer.concat([attr(1, 'a'), hex('05')])), 'bad_attribute'],
    ['attribute type 0', datagram(1, attr(0, 'x')), 'bad_attribute'],
    ['a 3-byte NAS-Port', datagram(1, attr(5, hex('000001'))), 'bad_attribute'],
    ['a 5-byte NAS-IP-Address', datagram(1, attr(4, hex('0a00000101'))), 'bad_attribute'],
    ['a 15-byte Message-Authenticator', datagram(1, attr(80, Buffer.alloc(15))), 'bad_attribute'],
    ['a Vendor-Specific without data', datagram(1, attr(26, hex('00000137'))), 'bad_attribute'],
    ['300 attributes', datagram(1, many(300)), 'too_many_attributes'],
  ];

  it.each(MALFORMED)('drops %s', (_name, raw, reason) => {
    expect(decodeRadius(raw)).toEqual({ kind: 'drop', reason });
  });

  it('accepts exactly 255 attributes and a 2-byte (empty) unknown attribute', () => {
    expect(decoded(datagram(1, many(255))).attributes).toHaveLength(255);
    expect(decoded(datagram(1, attr(200, ''))).attributes[0]?.value.length).toBe(0);
  });

  it('accepts a 4096-byte packet', () => {
    const body = Buffer.concat([
      ...Array.from({ length: 15 }, () => attr(79, Buffer.alloc(253))),
      attr(79, Buffer.alloc(249)),
    ]);
    expect(20 + body.length).toBe(4096);
    expect(decoded(datagram(1, body)).attributes).toHaveLength(16);
  });

  it('names drop reasons with stable codes only', () => {
    for (const reason of RADIUS_DROP_REASONS) expect(reason).toMatch(/^[a-z_]+$/);
  });
});

/** mulberry32: small, seeded, good enough to spread inputs, identical on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Everything the server does with a datagram before the handler; must never throw. */
function exercise(raw: Buffer, secret: Buffer): string {
  const packet = decodeRadius(raw);
  if (packet.kind === 'drop') return packet.reason;
  readAccessRequest(packet, secret);
  readAccountingRequest(packet);
  const verified = verifyRequest(packet, secret);
  return verified.kind === 'drop' ? verified.reason : 'verified';
}

describe('decodeRadius and verifyRequest under random input', () => {
  const secret = Buffer.from('fuzz-secret');
  const random = prng(0x5eed2865);
  const bytes = (n: number): Buffer =>
    Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));

  it('never throw on 2,000 random datagrams, plausible headers included', () => {
    for (let i = 0; i < 2000; i++) {
      const raw = bytes(Math.floor(random() * 300));
      if (i % 2 === 0 && raw.length >= 20) {
        raw[0] = [1, 4, 12][i % 3]!;
        raw.writeUInt16BE(raw.length, 2);
      }
      expect(() => exercise(raw, secret)).not.toThrow();
    }
  });

  it('drop every one of 2,000 random mutations of a signed Access-Request', () => {
    const valid = encodeRequest({
      code: 'Access-Request',
      identifier: 42,
      secret,
      authenticator: bytes(16),
      attributes: [
        { type: 'User-Name', value: 'alice' },
        { type: 'User-Password', value: Buffer.from('correct horse') },
        { type: 'NAS-Identifier', value: 'ap-1' },
        { type: 'Proxy-State', value: Buffer.from('p1') },
      ],
    });
    expect(exercise(valid, secret)).toBe('verified');
    const outcomes = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const mutated = Buffer.from(valid);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++)
        mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      const cut = random() < 0.2 ? mutated.subarray(0, Math.floor(random() * mutated.length)) : mutated;
      const outcome = exercise(cut, secret);
      // The Message-Authenticator covers every byte: any change at all must be refused.
      if (!cut.equals(valid)) expect(outcome).not.toBe('verified');
      outcomes.add(outcome);
    }
    expect(outcomes.has('bad_message_authenticator')).toBe(true);
  });
});
