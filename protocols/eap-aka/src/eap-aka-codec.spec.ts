import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  attributeBytes,
  attributeCodes,
  decodeEap,
  EAP_MAX_PACKET_BYTES,
  EapCodecError,
  encodeEap,
  hasAttribute,
  resAttribute,
  type AkaAttribute,
  type EapCodecErrorCode,
  type EapPacket,
} from './eap-aka-codec.js';

const h = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');

function codeOf(bytes: Buffer): EapCodecErrorCode | 'no error' {
  try {
    decodeEap(bytes);
    return 'no error';
  } catch (error) {
    if (error instanceof EapCodecError) return error.code;
    throw error;
  }
}

/** An EAP-Response/AKA-Challenge (type 23, subtype 1) around raw attribute bytes, with a correct Length. */
function akaWith(attributes: string, type = 23, subtype = 1): Buffer {
  const body = h(attributes);
  const packet = Buffer.concat([Buffer.from([2, 7, 0, 0, type, subtype, 0, 0]), body]);
  packet.writeUInt16BE(packet.length, 2);
  return packet;
}

const EVERY_ATTRIBUTE: AkaAttribute[] = [
  { type: 'rand', value: Buffer.alloc(16, 0x11) },
  { type: 'autn', value: Buffer.alloc(16, 0x22) },
  { type: 'res', value: Buffer.alloc(8, 0x33), bits: 64 },
  { type: 'auts', value: Buffer.alloc(14, 0x44) },
  { type: 'permanent-id-req' },
  { type: 'any-id-req' },
  { type: 'fullauth-id-req' },
  { type: 'notification', code: 0x4000 },
  { type: 'identity', value: Buffer.from('0001010123456789@example.org') },
  { type: 'client-error-code', code: 0 },
  { type: 'kdf', code: 1 },
  { type: 'kdf', code: 2 },
  { type: 'kdf-input', value: Buffer.from('WLAN') },
  { type: 'checkcode', value: Buffer.alloc(20, 0x55) },
  { type: 'result-ind' },
  { type: 'skipped', number: 200, value: Buffer.alloc(6, 0x66) },
  { type: 'mac', value: Buffer.alloc(16, 0x77) },
];

describe('EAP / EAP-AKA codec round trips', () => {
  it.each(['aka', 'aka-prime'] as const)('round-trips every attribute for %s', (method) => {
    const packet: EapPacket = {
      code: 'request',
      identifier: 42,
      body: { type: method, subtype: 'challenge', attributes: EVERY_ATTRIBUTE },
    };
    const { bytes, macOffset } = encodeEap(packet);
    expect(bytes.readUInt16BE(2)).toBe(bytes.length);
    expect(bytes[4]).toBe(method === 'aka' ? 23 : 50);
    const decoded = decodeEap(bytes);
    expect(decoded.packet).toEqual(packet);
    expect(decoded.macOffset).toBe(macOffset);
    expect(bytes.subarray(macOffset, (macOffset ?? 0) + 16)).toEqual(Buffer.alloc(16, 0x77));
  });

  it('encodes AT_RES and AT_IDENTITY with their actual lengths and minimal padding', () => {
    const { bytes } = encodeEap({
      code: 'response',
      identifier: 1,
      body: {
        type: 'aka',
        subtype: 'challenge',
        attributes: [
          { type: 'res', value: h('0102030405'), bits: 40 },
          { type: 'identity', value: Buffer.from('0123') },
        ],
      },
    });
    // AT_RES: type 3, 3 units, 40 bits, 5 bytes, 3 padding; AT_IDENTITY: type 14, 2 units, 4 bytes, no padding.
    expect(bytes.subarray(8).toString('hex')).toBe(
      '0303' + '0028' + '0102030405000000' + '0e02' + '0004' + '30313233',
    );
  });

  it('round-trips EAP-Success, EAP-Failure, Identity and Nak', () => {
    const packets: EapPacket[] = [
      { code: 'success', identifier: 3 },
      { code: 'failure', identifier: 255 },
      { code: 'response', identifier: 0, body: { type: 'identity', data: Buffer.from('anonymous@realm') } },
      { code: 'response', identifier: 9, body: { type: 'nak', data: Buffer.from([50]) } },
    ];
    for (const packet of packets) expect(decodeEap(encodeEap(packet).bytes).packet).toEqual(packet);
    expect(encodeEap({ code: 'success', identifier: 3 }).bytes).toEqual(h('03030004'));
  });

  it('offers typed accessors', () => {
    expect(attributeBytes(EVERY_ATTRIBUTE, 'kdf-input')).toEqual(Buffer.from('WLAN'));
    expect(attributeBytes([], 'rand')).toBeUndefined();
    expect(attributeCodes(EVERY_ATTRIBUTE, 'kdf')).toEqual([1, 2]);
    expect(resAttribute(EVERY_ATTRIBUTE)).toEqual({ type: 'res', value: Buffer.alloc(8, 0x33), bits: 64 });
    expect(resAttribute([])).toBeUndefined();
    expect(hasAttribute(EVERY_ATTRIBUTE, 'result-ind')).toBe(true);
    expect(hasAttribute([], 'result-ind')).toBe(false);
  });

  it('decodes a RES whose bit length is not a whole number of bytes', () => {
    const { packet } = decodeEap(akaWith('0303 0024 0102030405 000000'));
    const body = packet.code === 'response' && packet.body.type === 'aka' ? packet.body : undefined;
    expect(body?.attributes).toEqual([{ type: 'res', value: h('0102030405'), bits: 36 }]);
  });
});

describe('EAP / EAP-AKA codec rejections', () => {
  const rand = '0105 0000' + '11'.repeat(16);
  const cases: [string, Buffer, EapCodecErrorCode][] = [
    ['fewer than 4 bytes', h('0201'), 'too_short'],
    ['more than 1,500 bytes', Buffer.alloc(EAP_MAX_PACKET_BYTES + 1), 'too_long'],
    ['a Length field that disagrees', h('02010009170100' + '00'), 'length_mismatch'],
    ['an EAP-Success with data', h('0301000500'), 'length_mismatch'],
    ['an unknown code', h('05010004'), 'unknown_code'],
    ['a request without a type', h('01010004'), 'too_short'],
    ['an unsupported EAP type', h('0201000504'), 'unsupported_type'],
    ['an AKA header cut short', h('020100061701'), 'too_short'],
    ['an unknown subtype', akaWith('', 23, 3), 'unknown_subtype'],
    ['an attribute header cut short', akaWith('0105'), 'truncated_attribute'],
    ['an attribute running past the end', akaWith('0106 0000' + '11'.repeat(16)), 'truncated_attribute'],
    ['a zero-length attribute', akaWith('0100 0000'), 'zero_length_attribute'],
    ['AT_RAND of the wrong size', akaWith('0104 0000' + '11'.repeat(12)), 'bad_attribute_length'],
    ['AT_AUTS of the wrong size', akaWith('0405' + '11'.repeat(18)), 'bad_attribute_length'],
    ['a flag attribute with data', akaWith('0a02 0000 00000000'), 'bad_attribute_length'],
    ['AT_KDF with data', akaWith('1802 0001 00000000'), 'bad_attribute_length'],
    ['AT_IDENTITY with surplus padding', akaWith('0e03 0004 30313233 00000000'), 'bad_attribute_length'],
    ['AT_IDENTITY longer than its attribute', akaWith('0e02 0008 30313233'), 'bad_attribute_length'],
    ['an empty AT_IDENTITY', akaWith('0e01 0000'), 'bad_attribute_value'],
    ['an empty AT_KDF_INPUT', akaWith('1701 0000'), 'bad_attribute_value'],
    ['AT_RES shorter than 32 bits', akaWith('0302 0010 0102 0000'), 'bad_attribute_value'],
    ['AT_RES longer than 128 bits', akaWith('0306 0088' + '01'.repeat(17) + '000000'), 'bad_attribute_value'],
    ['AT_CHECKCODE of an odd size', akaWith('8604 0000' + '11'.repeat(12)), 'bad_attribute_length'],
    ['an unknown non-skippable attribute', akaWith('6301 0000'), 'unknown_attribute'],
    ['AT_PADDING outside encrypted data', akaWith('0601 0000'), 'unknown_attribute'],
    ['a duplicated AT_RAND', akaWith(rand + rand), 'duplicate_attribute'],
    ['a duplicated skippable attribute', akaWith('c801 0000 c801 0000'), 'duplicate_attribute'],
  ];

  it.each(cases)('rejects %s', (_name, bytes, code) => {
    expect(codeOf(bytes)).toBe(code);
  });

  it('accepts an unknown skippable attribute and a repeated AT_KDF', () => {
    expect(codeOf(akaWith('c801 0000 1801 0001 1801 0002'))).toBe('no error');
  });

  it('throws only EapCodecError on random and mutated input', () => {
    const valid = encodeEap({
      code: 'request',
      identifier: 1,
      body: { type: 'aka', subtype: 'challenge', attributes: EVERY_ATTRIBUTE },
    }).bytes;
    for (let i = 0; i < 2000; i++) {
      const mutated = Buffer.from(valid);
      mutated[i % valid.length] = randomBytes(1)[0]!;
      const random = randomBytes(i % 64);
      for (const bytes of [mutated, random]) expect(() => codeOf(bytes)).not.toThrow();
    }
  });

  it('refuses to encode what the wire cannot carry', () => {
    const encode = (identifier: number, attributes: AkaAttribute[]) => () =>
      encodeEap({ code: 'request', identifier, body: { type: 'aka', subtype: 'challenge', attributes } });
    expect(encode(256, [])).toThrow(EapCodecError);
    expect(encode(1, [{ type: 'rand', value: Buffer.alloc(15) }])).toThrow(EapCodecError);
    expect(encode(1, [{ type: 'res', value: Buffer.alloc(8), bits: 72 }])).toThrow(EapCodecError);
    expect(encode(1, [{ type: 'identity', value: Buffer.alloc(0) }])).toThrow(EapCodecError);
    expect(encode(1, [{ type: 'checkcode', value: Buffer.alloc(10) }])).toThrow(EapCodecError);
    expect(encode(1, [{ type: 'kdf', code: 0x10000 }])).toThrow(EapCodecError);
    expect(encode(1, [{ type: 'skipped', number: 20, value: Buffer.alloc(2) }])).toThrow(EapCodecError);
    expect(
      encode(1, [
        { type: 'identity', value: Buffer.alloc(1000) },
        { type: 'kdf-input', value: Buffer.alloc(600) },
      ]),
    ).toThrow(EapCodecError);
  });
});
