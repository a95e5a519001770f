import { describe, expect, it } from 'vitest';
import { decodeErrorCode, decodeText, decodeXorAddress, printable } from './stun-attributes.js';
import {
  Attr,
  attribute,
  decodeStun,
  encodeStun,
  fingerprintValid,
  integrityValid,
  longTermKey,
  StunMethod,
} from './stun-message.js';

// RFC 5769 (Test Vectors for STUN), the published bytes.
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** §2.1 Sample Request: short-term credential, password "VOkJxbRl1RmTxUk/WvJxBt". */
const SAMPLE_REQUEST = hex(`
  00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
  00 24 00 04 6e 00 01 ff
  80 29 00 08 93 2f f9 b1 51 26 3b 36
  00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
  00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
  80 28 00 04 e5 7a 3b cf`);

/** §2.2 Sample IPv4 Response: mapped 192.0.2.1:32853. */
const IPV4_RESPONSE = hex(`
  01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 08 00 01 a1 47 e1 12 a6 43
  00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
  80 28 00 04 c0 7d 4c 96`);

/** §2.3 Sample IPv6 Response: mapped [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
const IPV6_RESPONSE = hex(`
  01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
  00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
  80 28 00 04 c8 fb 0b 4c`);

/** §2.4 Sample Request with Long-Term Authentication (no FINGERPRINT). */
const LONG_TERM_REQUEST = hex(`
  00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
  00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
  00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
  00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
  00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66`);

const SHORT_TERM = Buffer.from('VOkJxbRl1RmTxUk/WvJxBt', 'utf8');
const TX = hex('b7 e7 a7 01 bc 34 d6 86 fa 87 df ae');

describe('STUN codec against RFC 5769', () => {
  it('§2.1 decodes the sample request, its integrity and fingerprint', () => {
    const m = decodeStun(SAMPLE_REQUEST);
    expect(m).toMatchObject({ method: StunMethod.binding, cls: 'request' });
    expect(m.transactionId).toEqual(TX);
    expect(decodeText(attribute(m, Attr.software)!, 763)).toBe('STUN test client');
    // The padding after the 9-byte username is spaces: its content is ignored.
    expect(decodeText(attribute(m, Attr.username)!, 513)).toBe('evtj:h6vY');
    expect(integrityValid(SAMPLE_REQUEST, m, SHORT_TERM)).toBe(true);
    expect(integrityValid(SAMPLE_REQUEST, m, Buffer.from('wrong'))).toBe(false);
    expect(fingerprintValid(SAMPLE_REQUEST, m)).toBe(true);
  });

  it('§2.2 reads the IPv4 XOR-MAPPED-ADDRESS', () => {
    const m = decodeStun(IPV4_RESPONSE);
    expect(m).toMatchObject({ method: StunMethod.binding, cls: 'success' });
    expect(decodeXorAddress(attribute(m, Attr.xorMappedAddress)!, m.transactionId)).toEqual({
      family: 'IPv4',
      address: '192.0.2.1',
      port: 32853,
    });
    expect(decodeText(attribute(m, Attr.software)!, 763)).toBe('test vector');
    expect(integrityValid(IPV4_RESPONSE, m, SHORT_TERM)).toBe(true);
    expect(fingerprintValid(IPV4_RESPONSE, m)).toBe(true);
  });

  it('§2.3 reads the IPv6 XOR-MAPPED-ADDRESS (xor the cookie and the transaction id)', () => {
    const m = decodeStun(IPV6_RESPONSE);
    expect(decodeXorAddress(attribute(m, Attr.xorMappedAddress)!, m.transactionId)).toEqual({
      family: 'IPv6',
      address: '2001:db8:1234:5678:11:2233:4455:6677',
      port: 32853,
    });
    expect(integrityValid(IPV6_RESPONSE, m, SHORT_TERM)).toBe(true);
    expect(fingerprintValid(IPV6_RESPONSE, m)).toBe(true);
  });

  it('§2.4 checks the long-term credential integrity (MD5 key of username:realm:SASLprep(password))', () => {
    const m = decodeStun(LONG_TERM_REQUEST);
    const username = decodeText(attribute(m, Attr.username)!, 513);
    expect(username).toBe('\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9');
    expect(decodeText(attribute(m, Attr.realm)!, 763)).toBe('example.org');
    expect(decodeText(attribute(m, Attr.nonce)!, 763)).toBe('f//499k954d6OL34oL9FSTvy64sA');
    // "The<U+00AD>M<U+00AA>tr<U+2168>" after SASLprep.
    expect(integrityValid(LONG_TERM_REQUEST, m, longTermKey(username, 'example.org', 'TheMatrIX'))).toBe(
      true,
    );
    expect(integrityValid(LONG_TERM_REQUEST, m, longTermKey(username, 'example.org', 'TheMatrix'))).toBe(
      false,
    );
    expect(fingerprintValid(LONG_TERM_REQUEST, m)).toBe(false);
  });

  it('encodes the §2.1 request byte for byte (the same attributes, integrity and fingerprint)', () => {
    const m = decodeStun(SAMPLE_REQUEST);
    const body = m.attributes.filter((a) => a.type !== Attr.messageIntegrity && a.type !== Attr.fingerprint);
    // The encoder pads with zeros where the vector pads the username with spaces.
    const expected = Buffer.from(SAMPLE_REQUEST);
    expected.fill(0, 20 + 20 + 8 + 12 + 4 + 9, 20 + 20 + 8 + 12 + 4 + 12);
    const encoded = encodeStun({ ...m, attributes: body }, { integrityKey: SHORT_TERM, fingerprint: true });
    expect(encoded.subarray(0, 68)).toEqual(expected.subarray(0, 68));
    const again = decodeStun(encoded);
    expect(integrityValid(encoded, again, SHORT_TERM)).toBe(true);
    expect(fingerprintValid(encoded, again)).toBe(true);
  });

  it('encodes the §2.2 response byte for byte', () => {
    const m = decodeStun(IPV4_RESPONSE);
    const body = m.attributes.filter((a) => a.type === Attr.software || a.type === Attr.xorMappedAddress);
    // SOFTWARE "test vector" is 11 bytes; the vector pads it with a space, the encoder with a zero.
    const expected = Buffer.from(IPV4_RESPONSE);
    expected[20 + 4 + 11] = 0;
    const encoded = encodeStun({ ...m, attributes: body }, { integrityKey: SHORT_TERM, fingerprint: true });
    expect(encoded.subarray(0, 36)).toEqual(expected.subarray(0, 36));
    expect(encoded.subarray(36, 48)).toEqual(IPV4_RESPONSE.subarray(36, 48));
  });

  it('refuses what is not a well-formed STUN message', () => {
    const wrongCookie = Buffer.from(IPV4_RESPONSE);
    wrongCookie[4] = 0x22;
    expect(() => decodeStun(wrongCookie)).toThrow(/magic cookie/);
    expect(() => decodeStun(IPV4_RESPONSE.subarray(0, 19))).toThrow(/shorter/);
    expect(() => decodeStun(IPV4_RESPONSE.subarray(0, IPV4_RESPONSE.length - 4))).toThrow(/length/);
    const overrun = Buffer.from(IPV4_RESPONSE);
    overrun.writeUInt16BE(0x00ff, 22);
    expect(() => decodeStun(overrun)).toThrow(/past the message/);
    const rtp = Buffer.from(IPV4_RESPONSE);
    rtp[0] = 0x80;
    expect(() => decodeStun(rtp)).toThrow(/leading bits/);
    expect(() => decodeStun(Buffer.alloc(1_600))).toThrow(/longer than 1500/);
  });

  it('reads an ERROR-CODE as class and number (RFC 8489 §14.8)', () => {
    expect(decodeErrorCode(Buffer.from([0, 0, 4, 1, ...Buffer.from('Unauthorized')]))).toEqual({
      code: 401,
      reason: 'Unauthorized',
    });
    expect(() => decodeErrorCode(Buffer.from([0, 0, 1, 0]))).toThrow(/out of range/);
    // The number is 0–99: class 4 number 199 is not 599.
    expect(() => decodeErrorCode(Buffer.from([0, 0, 4, 199]))).toThrow(/out of range/);
    expect(() => decodeErrorCode(Buffer.from([0, 0, 6, 100]))).toThrow(/out of range/);
  });

  it('makes server text printable: no C0/C1 controls, DEL or bidi overrides, bounded', () => {
    expect(printable('Unauth\u001b\u0007\r\norized\u0085\u007f\u202e', 100)).toBe('Unauthorized');
    expect(printable('é'.repeat(10), 4)).toBe('éééé…');
  });
});
