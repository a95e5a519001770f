import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeRequest, type EncodeRequestInput } from './radius-encode.js';
import type { RadiusAttribute } from './radius-encode-attributes.js';
import { decodeRadius } from './radius-packet.js';
import { verifyRequest } from './radius-verify.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SECRET = Buffer.from('s3cret-for-tests');
const AUTHENTICATOR = hex('000102030405060708090a0b0c0d0e0f');

function outcome(raw: Buffer, secret: Buffer = SECRET): string {
  const packet = decodeRadius(raw);
  if (packet.kind === 'drop') return packet.reason;
  const verified = verifyRequest(packet, secret);
  return verified.kind === 'drop' ? verified.reason : `verified ${verified.code}`;
}

const request = (
  overrides: Partial<EncodeRequestInput> & { attributes?: readonly RadiusAttribute[] },
): Buffer =>
  encodeRequest({
    code: 'Access-Request',
    identifier: 9,
    secret: SECRET,
    authenticator: AUTHENTICATOR,
    attributes: [
      { type: 'User-Name', value: 'alice' },
      { type: 'User-Password', value: Buffer.from('correct horse') },
    ],
    ...overrides,
  });

const attr = (type: number, value: Buffer | string): Buffer => {
  const bytes = Buffer.from(value);
  return Buffer.concat([Buffer.from([type, bytes.length + 2]), bytes]);
};

/** An Access-Request built and signed without the code under test: header, attributes, HMAC-MD5. */
function handSigned(attributes: Buffer[], maCount = 1): Buffer {
  const ma = attr(80, Buffer.alloc(16));
  const body = Buffer.concat([...Array.from({ length: maCount }, () => ma), ...attributes]);
  const packet = Buffer.concat([hex('01 21'), Buffer.from([0, 0]), AUTHENTICATOR, body]);
  packet.writeUInt16BE(packet.length, 2);
  createHmac('md5', SECRET).update(packet).digest().copy(packet, 22);
  return packet;
}

/** RFC 2865 §7.1 (no Message-Authenticator) and RFC 5997 §6 (with one), secret "xyzzy5461". */
const RFC2865_REQUEST = hex(`
  01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb 98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
  93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8 01 10 05 06 00 00 00 03`);
const RFC5997_STATUS = hex(`
  0c da 00 26 8a 54 f4 68 6f b3 94 c5 28 66 e3 02 18 5d 06 23 50 12 5a 66 5e 2e 1e 84 11 f3 e2 43
  82 20 97 c8 4f a3`);

describe('verifyRequest', () => {
  it('accepts the RFC 5997 §6 Status-Server', () => {
    expect(outcome(RFC5997_STATUS, Buffer.from('xyzzy5461'))).toBe('verified Status-Server');
  });

  it('drops the RFC 2865 §7.1 PAP request: no Message-Authenticator (Blast-RADIUS, CVE-2024-3596)', () => {
    expect(outcome(RFC2865_REQUEST, Buffer.from('xyzzy5461'))).toBe('missing_message_authenticator');
  });

  it('accepts an Access-Request signed by an independent construction', () => {
    expect(outcome(handSigned([attr(1, 'alice')]))).toBe('verified Access-Request');
  });

  it('accepts Access-Request, Accounting-Request (with or without MA) and Status-Server', () => {
    expect(outcome(request({}))).toBe('verified Access-Request');
    const acct: RadiusAttribute[] = [{ type: 'Acct-Status-Type', value: 1 }];
    expect(outcome(request({ code: 'Accounting-Request', attributes: acct }))).toBe(
      'verified Accounting-Request',
    );
    expect(
      outcome(request({ code: 'Accounting-Request', attributes: acct, messageAuthenticator: false })),
    ).toBe('verified Accounting-Request');
    expect(outcome(request({ code: 'Status-Server', attributes: [] }))).toBe('verified Status-Server');
  });

  it('verifies an Accounting-Request built independently (RFC 2866 §3)', () => {
    const body = attr(40, hex('00000001'));
    const packet = Buffer.concat([hex('04 05 00 1a'), Buffer.alloc(16), body]);
    createHash('md5').update(packet).update(SECRET).digest().copy(packet, 4);
    expect(outcome(packet)).toBe('verified Accounting-Request');
  });

  it('returns the Proxy-States in order', () => {
    const proxies = ['one', 'two', 'three'].map((v): RadiusAttribute => ({
      type: 'Proxy-State',
      value: Buffer.from(v),
    }));
    const packet = decodeRadius(request({ attributes: [{ type: 'User-Name', value: 'a' }, ...proxies] }));
    if (packet.kind === 'drop') throw new Error(packet.reason);
    const verified = verifyRequest(packet, SECRET);
    expect(verified.kind === 'verified' && verified.proxyStates.map(String)).toEqual(['one', 'two', 'three']);
  });

  const wrongMa = (): Buffer => {
    const raw = request({});
    raw[30] = raw[30]! ^ 0x01; // inside the Message-Authenticator, which comes first
    return raw;
  };
  const badAccountingAuthenticator = (): Buffer => {
    const raw = request({
      code: 'Accounting-Request',
      attributes: [{ type: 'Acct-Status-Type', value: 2 }],
      messageAuthenticator: false,
    });
    raw[4] = raw[4]! ^ 0x80;
    return raw;
  };
  const shortPassword = handSigned([attr(1, 'alice'), attr(2, Buffer.alloc(17))]);
  const proxyStates = (n: number): RadiusAttribute[] =>
    Array.from({ length: n }, (_, i) => ({ type: 'Proxy-State', value: Buffer.from(`p${i}`) }));
  const eap: RadiusAttribute = { type: 'EAP-Message', value: hex('0201000a01616c696365') };

  const DROPS: ReadonlyArray<[string, () => Buffer, string]> = [
    [
      'an Access-Request without Message-Authenticator',
      () => request({ messageAuthenticator: false }),
      'missing_message_authenticator',
    ],
    [
      'a Status-Server without Message-Authenticator',
      () => request({ code: 'Status-Server', attributes: [], messageAuthenticator: false }),
      'missing_message_authenticator',
    ],
    ['a wrong Message-Authenticator', wrongMa, 'bad_message_authenticator'],
    [
      'a request signed with another secret',
      () => request({ secret: Buffer.from('other') }),
      'bad_message_authenticator',
    ],
    ['two Message-Authenticators', () => handSigned([attr(1, 'alice')], 2), 'bad_message_authenticator'],
    ['a wrong accounting Request Authenticator', badAccountingAuthenticator, 'bad_request_authenticator'],
    [
      'an accounting request with another secret',
      () => request({ code: 'Accounting-Request', attributes: [], secret: Buffer.from('x') }),
      'bad_message_authenticator',
    ],
    ['6 Proxy-States', () => request({ attributes: proxyStates(6) }), 'too_many_proxy_state'],
    ['two User-Names', () => handSigned([attr(1, 'alice'), attr(1, 'admin')]), 'duplicate_attribute'],
    ['two States', () => handSigned([attr(24, 'a'), attr(24, 'b')]), 'duplicate_attribute'],
    ['a 17-byte User-Password', () => shortPassword, 'bad_user_password'],
    [
      'EAP-Message with User-Password',
      () => request({ attributes: [eap, { type: 'User-Password', value: Buffer.from('x') }] }),
      'mixed_authentication',
    ],
    [
      'EAP-Message with CHAP-Password',
      () => handSigned([attr(79, hex('0201000a01616c696365')), attr(3, Buffer.alloc(17))]),
      'mixed_authentication',
    ],
    ['an Access-Accept sent to the server', () => handSigned([]).fill(2, 0, 1), 'not_a_request'],
  ];

  it.each(DROPS)('drops %s', (_name, build, reason) => {
    expect(outcome(build())).toBe(reason);
  });

  it('accepts 5 Proxy-States, repeated Class and several EAP-Messages', () => {
    expect(outcome(request({ attributes: proxyStates(5) }))).toBe('verified Access-Request');
    const eapParts = handSigned([
      attr(79, Buffer.alloc(253, 1)),
      attr(79, Buffer.alloc(10, 2)),
      attr(25, 'c1'),
      attr(25, 'c2'),
    ]);
    expect(outcome(eapParts)).toBe('verified Access-Request');
  });
});
