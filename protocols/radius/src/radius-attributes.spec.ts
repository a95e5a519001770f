import { describe, expect, it } from 'vitest';
import {
  attributeText,
  eapMessage,
  readAccessRequest,
  readAccountingRequest,
  vendorAttributes,
} from './radius-attributes.js';
import { encodeRequest } from './radius-encode.js';
import type { RadiusAttribute } from './radius-encode-attributes.js';
import { decodeRadius, type RadiusPacket } from './radius-packet.js';

const SECRET = Buffer.from('testing123');

function decoded(raw: Buffer): RadiusPacket {
  const result = decodeRadius(raw);
  if (result.kind === 'drop') throw new Error(`dropped: ${result.reason}`);
  return result;
}

const accessRequest = (attributes: readonly RadiusAttribute[]): RadiusPacket =>
  decoded(encodeRequest({ code: 'Access-Request', identifier: 1, secret: SECRET, attributes }));

const accounting = (attributes: readonly RadiusAttribute[]): RadiusPacket =>
  decoded(encodeRequest({ code: 'Accounting-Request', identifier: 2, secret: SECRET, attributes }));

/** A packet with raw attributes, for values the typed encoder refuses to produce. */
function raw(attributes: Buffer[]): RadiusPacket {
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(20);
  header[0] = 1;
  header.writeUInt16BE(20 + body.length, 2);
  return decoded(Buffer.concat([header, body]));
}
const attr = (type: number, value: Buffer): Buffer =>
  Buffer.concat([Buffer.from([type, value.length + 2]), value]);

describe('readAccessRequest', () => {
  it('reads the typed view, with the revealed password and a concatenated EAP-Message', () => {
    const packet = accessRequest([
      { type: 'User-Name', value: 'ålice' },
      { type: 'User-Password', value: Buffer.from('correct horse') },
      { type: 'NAS-IP-Address', value: '192.0.2.10' },
      { type: 'NAS-Identifier', value: 'wlc-1' },
      { type: 'NAS-Port', value: 7 },
      { type: 'Service-Type', value: 2 },
      { type: 'Called-Station-Id', value: '00-11-22-33-44-55:Pakawaaz' },
      { type: 'Calling-Station-Id', value: '66-77-88-99-AA-BB' },
      { type: 'Framed-MTU', value: 1400 },
      { type: 'State', value: Buffer.from('st') },
    ]);
    expect(readAccessRequest(packet, SECRET)).toEqual({
      userName: 'ålice',
      password: Buffer.from('correct horse'),
      state: Buffer.from('st'),
      nasIpAddress: '192.0.2.10',
      nasIdentifier: 'wlc-1',
      nasPort: 7,
      serviceType: 2,
      calledStationId: '00-11-22-33-44-55:Pakawaaz',
      callingStationId: '66-77-88-99-AA-BB',
      framedMtu: 1400,
    });
  });

  it('omits what is absent and reads a password with the wrong secret as garbage, not as the password', () => {
    const packet = accessRequest([{ type: 'User-Password', value: Buffer.from('correct horse') }]);
    const view = readAccessRequest(packet, Buffer.from('other'));
    expect(Object.keys(view)).toEqual(['password']);
    expect(view.password?.equals(Buffer.from('correct horse'))).toBe(false);
  });

  it('concatenates EAP-Message fragments in order (RFC 3579 §3.1)', () => {
    const packet = raw([
      attr(79, Buffer.from('frag1-')),
      attr(1, Buffer.from('u')),
      attr(79, Buffer.from('frag2')),
    ]);
    expect(eapMessage(packet)?.toString()).toBe('frag1-frag2');
    expect(eapMessage(raw([]))).toBeUndefined();
  });

  it('reads text that is not UTF-8 as absent', () => {
    expect(attributeText(raw([attr(1, Buffer.from([0x61, 0xff, 0x62]))]), 'User-Name')).toBeUndefined();
  });
});

describe('vendorAttributes', () => {
  it('parses the sub-attributes of one vendor and skips the others', () => {
    const vsa = (vendor: number, subs: Buffer): Buffer => {
      const id = Buffer.alloc(4);
      id.writeUInt32BE(vendor, 0);
      return attr(26, Buffer.concat([id, subs]));
    };
    const packet = raw([vsa(311, Buffer.from([16, 4, 1, 2, 17, 3, 9])), vsa(9, Buffer.from([1, 3, 0]))]);
    expect(vendorAttributes(packet, 311)).toEqual([
      { vendorType: 16, value: Buffer.from([1, 2]) },
      { vendorType: 17, value: Buffer.from([9]) },
    ]);
    expect(vendorAttributes(packet, 14122)).toEqual([]);
    expect(vendorAttributes(raw([vsa(311, Buffer.from([16, 9, 1]))]), 311)).toBeNull();
    expect(vendorAttributes(raw([vsa(311, Buffer.from([16, 1]))]), 311)).toBeNull();
  });
});

describe('readAccountingRequest', () => {
  it('reads a Stop with 64-bit counters, Class copies and the event time', () => {
    const packet = accounting([
      { type: 'Acct-Status-Type', value: 2 },
      { type: 'Acct-Session-Id', value: 'sess-9' },
      { type: 'User-Name', value: 'alice' },
      { type: 'Framed-IP-Address', value: '10.45.0.9' },
      { type: 'Acct-Session-Time', value: 3600 },
      { type: 'Acct-Input-Octets', value: 5 },
      { type: 'Acct-Input-Gigawords', value: 2 },
      { type: 'Acct-Output-Octets', value: 0xffffffff },
      { type: 'Acct-Terminate-Cause', value: 1 },
      { type: 'Acct-Delay-Time', value: 3 },
      { type: 'Event-Timestamp', value: 1_700_000_000 },
      { type: 'Class', value: Buffer.from('c1') },
      { type: 'Class', value: Buffer.from('c2') },
    ]);
    expect(readAccountingRequest(packet)).toEqual({
      statusType: 'stop',
      sessionId: 'sess-9',
      userName: 'alice',
      framedIpAddress: '10.45.0.9',
      delayTime: 3,
      sessionTime: 3600,
      inputOctets: 2 * 2 ** 32 + 5,
      outputOctets: 0xffffffff,
      terminateCause: 1,
      eventTimestamp: 1_700_000_000,
      classes: [Buffer.from('c1'), Buffer.from('c2')],
    });
  });

  it('maps the status types and keeps unknown ones as other', () => {
    const status = (value: number): unknown =>
      readAccountingRequest(accounting([{ type: 'Acct-Status-Type', value }])).statusType;
    expect([1, 2, 3, 7, 8, 15].map(status)).toEqual([
      'start',
      'stop',
      'interim-update',
      'accounting-on',
      'accounting-off',
      'other',
    ]);
    expect(readAccountingRequest(accounting([]))).toEqual({ classes: [] });
  });
});
