import { createHash, createHmac } from 'node:crypto';
import radius from 'radius';
import { describe, expect, it } from 'vitest';
import { eapMessage, vendorAttributes } from './radius-attributes.js';
import { encodeReply, encodeRequest, type EncodeReplyInput } from './radius-encode.js';
import type { RadiusAttribute } from './radius-encode-attributes.js';
import { decryptMppeKey, MICROSOFT_VENDOR_ID } from './radius-mppe.js';
import { decodeRadius, type RadiusPacket } from './radius-packet.js';
import { verifyRequest } from './radius-verify.js';

const SECRET = Buffer.from('testing123');
const REQUEST_AUTHENTICATOR = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

function decoded(raw: Buffer): RadiusPacket {
  const result = decodeRadius(raw);
  if (result.kind === 'drop') throw new Error(`dropped: ${result.reason}`);
  return result;
}

const reply = (input: Partial<EncodeReplyInput>): Buffer =>
  encodeReply({
    code: 'Access-Accept',
    identifier: 77,
    requestAuthenticator: REQUEST_AUTHENTICATOR,
    secret: SECRET,
    attributes: [],
    ...input,
  });

/** The RFC 3579 §3.2 and RFC 2865 §3 checks, computed from raw bytes without the code under test. */
function independentlyValid(bytes: Buffer, maField: Buffer): { ma: boolean; response: boolean } {
  const forMa = Buffer.from(bytes);
  maField.copy(forMa, 4);
  forMa.fill(0, 22, 38);
  const ma = createHmac('md5', SECRET).update(forMa).digest().equals(bytes.subarray(22, 38));
  const forResponse = Buffer.from(bytes);
  REQUEST_AUTHENTICATOR.copy(forResponse, 4);
  const response = createHash('md5')
    .update(forResponse)
    .update(SECRET)
    .digest()
    .equals(bytes.subarray(4, 20));
  return { ma, response };
}

describe('encodeReply', () => {
  it.each(['Access-Accept', 'Access-Reject', 'Access-Challenge'] as const)(
    'puts a valid Message-Authenticator first in an %s',
    (code) => {
      const bytes = reply({ code, attributes: [{ type: 'Reply-Message', value: 'hello' }] });
      expect([bytes[20], bytes[21]]).toEqual([80, 18]);
      expect(bytes[0]).toBe({ 'Access-Accept': 2, 'Access-Reject': 3, 'Access-Challenge': 11 }[code]);
      expect(bytes[1]).toBe(77);
      expect(bytes.readUInt16BE(2)).toBe(bytes.length);
      expect(independentlyValid(bytes, REQUEST_AUTHENTICATOR)).toEqual({ ma: true, response: true });
    },
  );

  it('keys an Accounting-Response’s Message-Authenticator with zeros, as FreeRADIUS checks it', () => {
    const bytes = reply({ code: 'Accounting-Response' });
    expect(bytes.length).toBe(38);
    expect(independentlyValid(bytes, Buffer.alloc(16))).toEqual({ ma: true, response: true });
    const toStatus = reply({ code: 'Accounting-Response', requestCode: 'Status-Server' });
    expect(independentlyValid(toStatus, REQUEST_AUTHENTICATOR)).toEqual({ ma: true, response: true });
  });

  it('encodes a challenge with State, a split EAP-Message and Session-Timeout, in order', () => {
    const eap = Buffer.from(Array.from({ length: 600 }, (_, i) => i % 256));
    const attributes: RadiusAttribute[] = [
      { type: 'EAP-Message', value: eap },
      { type: 'State', value: Buffer.from('state-1') },
      { type: 'Session-Timeout', value: 30 },
    ];
    const packet = decoded(reply({ code: 'Access-Challenge', attributes }));
    expect(packet.attributes.map((a) => [a.type, a.value.length])).toEqual([
      [80, 16],
      [79, 253],
      [79, 253],
      [79, 94],
      [24, 7],
      [27, 4],
    ]);
    expect(eapMessage(packet)).toEqual(eap);
  });

  it('splits a long Reply-Message and encodes numbers and addresses', () => {
    const attributes: RadiusAttribute[] = [
      { type: 'Reply-Message', value: 'é'.repeat(200) },
      { type: 'Framed-IP-Address', value: '10.45.0.7' },
      { type: 'Acct-Interim-Interval', value: 600 },
    ];
    const packet = decoded(reply({ attributes }));
    const values = packet.attributes.slice(1).map((a) => a.value.toString('hex'));
    expect(values.slice(0, 2).map((v) => v.length / 2)).toEqual([253, 147]);
    expect(values.slice(2)).toEqual(['0a2d0007', '00000258']);
  });

  it('hides MS-MPPE keys with unique salts, even when the randomness repeats', () => {
    const recvKey = Buffer.alloc(32, 0x11);
    const sendKey = Buffer.alloc(32, 0x22);
    const attributes: RadiusAttribute[] = [
      { type: 'MS-MPPE-Recv-Key', key: recvKey },
      { type: 'MS-MPPE-Send-Key', key: sendKey },
    ];
    const packet = decoded(reply({ attributes, randomBytes: (n) => Buffer.alloc(n, 0x01) }));
    const vsas = vendorAttributes(packet, MICROSOFT_VENDOR_ID) ?? [];
    expect(vsas.map((v) => [v.vendorType, v.value.length])).toEqual([
      [17, 50],
      [16, 50],
    ]);
    const salts = vsas.map((v) => v.value.readUInt16BE(0));
    expect(new Set(salts).size).toBe(2);
    for (const salt of salts) expect(salt & 0x8000).toBe(0x8000);
    const keys = vsas.map((v) =>
      decryptMppeKey({ value: v.value, secret: SECRET, requestAuthenticator: REQUEST_AUTHENTICATOR }),
    );
    expect(keys).toEqual([recvKey, sendKey]);
  });

  const PROGRAMMING_ERRORS: ReadonlyArray<[string, Partial<EncodeReplyInput>, RegExp]> = [
    [
      'a packet over 4096 bytes',
      { attributes: [{ type: 'EAP-Message', value: Buffer.alloc(4027) }] },
      /4096/,
    ],
    ['a 254-byte State', { attributes: [{ type: 'State', value: Buffer.alloc(254) }] }, /253/],
    ['an empty Class', { attributes: [{ type: 'Class', value: Buffer.alloc(0) }] }, /empty/],
    ['identifier 256', { identifier: 256 }, /identifier/],
    ['a 15-byte request authenticator', { requestAuthenticator: Buffer.alloc(15) }, /16 bytes/],
    ['an empty secret', { secret: Buffer.alloc(0) }, /empty/],
    ['a negative Session-Timeout', { attributes: [{ type: 'Session-Timeout', value: -1 }] }, /unsigned/],
    ['a malformed address', { attributes: [{ type: 'Framed-IP-Address', value: '10.0.0.256' }] }, /IPv4/],
    [
      'an Access-Accept to an Accounting-Request',
      { requestCode: 'Accounting-Request' },
      /Accounting-Response/,
    ],
  ];

  it.each(PROGRAMMING_ERRORS)('throws on %s', (_name, input, message) => {
    expect(() => reply(input)).toThrow(message);
  });

  it('fills a packet up to exactly 4096 bytes', () => {
    // 20 (header) + 18 (Message-Authenticator) + 4026 bytes of EAP in 16 attributes of 2-byte headers.
    const bytes = reply({ attributes: [{ type: 'EAP-Message', value: Buffer.alloc(4026) }] });
    expect(bytes.length).toBe(4096);
  });
});

describe('encodeRequest', () => {
  it('signs an Access-Request that verifies, Message-Authenticator first', () => {
    const raw = encodeRequest({
      code: 'Access-Request',
      identifier: 3,
      secret: SECRET,
      attributes: [{ type: 'User-Name', value: 'alice' }],
    });
    expect(raw[20]).toBe(80);
    const verified = verifyRequest(decoded(raw), SECRET);
    expect(verified.kind).toBe('verified');
  });
});

describe('interoperability with the `radius` npm codec', () => {
  const secret = SECRET.toString();

  it('its decoder reads our Access-Accept and accepts both authenticators', () => {
    const request = radius.encode({
      code: 'Access-Request',
      secret,
      identifier: 12,
      attributes: [['User-Name', 'alice']],
      add_message_authenticator: true,
    });
    const response = encodeReply({
      code: 'Access-Accept',
      identifier: 12,
      requestAuthenticator: request.subarray(4, 20),
      secret: SECRET,
      attributes: [
        { type: 'Reply-Message', value: 'welcome' },
        { type: 'Session-Timeout', value: 3600 },
        { type: 'Class', value: Buffer.from('class-1') },
      ],
    });
    expect(radius.verify_response({ request, response, secret })).toBe(true);
    const parsed = radius.decode({ packet: response, secret });
    expect(parsed.code).toBe('Access-Accept');
    expect(parsed.attributes).toMatchObject({ 'Reply-Message': 'welcome', 'Session-Timeout': 3600 });
    expect(parsed.raw_attributes[0]?.[0]).toBe(80);
  });

  it('we verify its Access-Request (Message-Authenticator last) and reveal the password', () => {
    const request = radius.encode({
      code: 'Access-Request',
      secret,
      identifier: 13,
      attributes: [
        ['User-Name', 'bob'],
        ['User-Password', 'correct horse battery staple'],
      ],
      add_message_authenticator: true,
    });
    const verified = verifyRequest(decoded(request), SECRET);
    expect(verified.kind).toBe('verified');
  });

  it('its decoder reads our Access-Request and its password', () => {
    const raw = encodeRequest({
      code: 'Access-Request',
      identifier: 14,
      secret: SECRET,
      attributes: [
        { type: 'User-Name', value: 'carol' },
        { type: 'User-Password', value: Buffer.from('a password longer than sixteen') },
      ],
    });
    const parsed = radius.decode({ packet: raw, secret });
    expect(parsed.attributes).toMatchObject({
      'User-Name': 'carol',
      'User-Password': 'a password longer than sixteen',
    });
  });

  it('its decoder accepts our Accounting-Request authenticator', () => {
    const raw = encodeRequest({
      code: 'Accounting-Request',
      identifier: 15,
      secret: SECRET,
      messageAuthenticator: false,
      attributes: [
        { type: 'Acct-Status-Type', value: 1 },
        { type: 'Acct-Session-Id', value: 'sess-1' },
      ],
    });
    expect(radius.decode({ packet: raw, secret }).attributes).toMatchObject({
      'Acct-Status-Type': 'Start',
      'Acct-Session-Id': 'sess-1',
    });
    expect(() => radius.decode({ packet: raw, secret: 'wrong' })).toThrow(/authenticator/);
  });
});
