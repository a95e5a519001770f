import { createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  attributeBytes,
  decodeAttributeList,
  decodeEap,
  EapCodecError,
  encodeAttributeList,
  encodeEap,
  type AkaAttribute,
} from './eap-aka-codec.js';
import { decryptAttributes, encryptAttributes } from './eap-aka-encr.js';
import { deriveAkaPrimeReauthKeys, deriveAkaReauthKeys, fips186Prf, prfPrime } from './eap-aka-keys.js';
import {
  EAP_AKA_RANDOM_BYTES,
  failEapAka,
  receiveEapAka,
  startEapAka,
  supplyIdentity,
  supplyVector,
  type EapAkaServerConfig,
} from './eap-aka-server.js';

const h = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const REALM = 'wlan.mnc001.mcc001.3gppnetwork.org';
const AKA: EapAkaServerConfig = { method: 'aka', privacy: {} };

const attributesOf = (packet: Buffer): readonly AkaAttribute[] => {
  const { packet: p } = decodeEap(packet);
  if (p.code !== 'request' || p.body.type === 'identity' || p.body.type === 'nak') throw new Error('not AKA');
  return p.body.attributes;
};
const subtypeOf = (packet: Buffer): string => {
  const { packet: p } = decodeEap(packet);
  return p.code === 'request' && 'subtype' in p.body ? p.body.subtype : p.code;
};

describe('encrypted attributes (RFC 4187 §10.12)', () => {
  // NIST SP 800-38A F.2.1 (CBC-AES128): the cipher under AT_ENCR_DATA is plain AES-128-CBC, no cipher padding.
  const KEY = h('2b7e151628aed2a6abf7158809cf4f3c');
  const IV = h('000102030405060708090a0b0c0d0e0f');

  it('is AES-128-CBC under K_encr: the SP 800-38A vector decrypts to its plaintext', () => {
    const d = createDecipheriv('aes-128-cbc', KEY, IV).setAutoPadding(false);
    const plain = Buffer.concat([d.update(h('7649abac8119b246cee98e9b12e9197d')), d.final()]);
    expect(plain).toEqual(h('6bc1bee22e409f96e93d7e117393172a'));
  });

  it('pads with AT_PADDING to whole blocks and round-trips', () => {
    for (const length of [1, 5, 9, 13, 30]) {
      const inner: AkaAttribute[] = [
        { type: 'counter', code: 7 },
        { type: 'next-reauth-id', value: Buffer.from('4'.padEnd(length, 'a')) },
      ];
      const data = encryptAttributes(KEY, IV, inner);
      expect(data.length % 16).toBe(0);
      expect(decryptAttributes(KEY, IV, data)).toEqual(inner);
    }
  });

  it('AT_PADDING is 4, 8 or 12 bytes of zeros (RFC 4187 §10.12)', () => {
    const plain = encodeAttributeList([{ type: 'counter', code: 1 }]);
    expect(plain).toEqual(h('13010001'));
    const d = createDecipheriv('aes-128-cbc', KEY, IV).setAutoPadding(false);
    const data = encryptAttributes(KEY, IV, [{ type: 'counter', code: 1 }]);
    const padded = Buffer.concat([d.update(data), d.final()]);
    expect(padded).toEqual(h('13010001 06030000 00000000 00000000'));
    expect(() => decodeAttributeList(h('0601 0001'))).toThrow(EapCodecError);
  });

  it('refuses ciphertext that is not whole blocks, and encrypted-only attributes in clear', () => {
    expect(() => decryptAttributes(KEY, IV, Buffer.alloc(15))).toThrow(EapCodecError);
    const inClear = encodeEap({
      code: 'response',
      identifier: 1,
      body: { type: 'aka', subtype: 'reauthentication', attributes: [{ type: 'counter', code: 1 }] },
    }).bytes;
    expect(() => decodeEap(inClear)).toThrow(/outside encrypted data/);
    expect(() => decodeAttributeList(h('0b05 0000' + '00'.repeat(16)))).toThrow(/inside encrypted data/);
  });
});

describe('fast re-authentication keys', () => {
  const identity = Buffer.from(`4${'ab'.repeat(16)}@${REALM}`);
  const nonceS = h('00112233445566778899aabbccddeeff');
  const mk = h('e576d5ca 332e9930 018bf1ba ee2763c7 95b3c712');

  it("EAP-AKA: XKEY' = SHA1(Identity | counter | NONCE_S | MK) through the FIPS 186-2 PRF (RFC 4187 §7)", () => {
    const xkey = createHash('sha1')
      .update(Buffer.concat([identity, h('0003'), nonceS, mk]))
      .digest();
    const out = fips186Prf(xkey, 128);
    expect(deriveAkaReauthKeys(identity, 3, nonceS, mk)).toEqual({
      msk: out.subarray(0, 64),
      emsk: out.subarray(64),
    });
    expect(deriveAkaReauthKeys(identity, 4, nonceS, mk).msk).not.toEqual(out.subarray(0, 64));
  });

  it("EAP-AKA': PRF'(K_re, \"EAP-AKA' re-auth\" | Identity | counter | NONCE_S) (RFC 9048 §3.3)", () => {
    const kRe = randomBytes(32);
    const s = Buffer.concat([Buffer.from("EAP-AKA' re-auth"), identity, h('0001'), nonceS]);
    const out = prfPrime(kRe, s, 128);
    expect(deriveAkaPrimeReauthKeys(kRe, identity, 1, nonceS)).toEqual({
      msk: out.subarray(0, 64),
      emsk: out.subarray(64),
    });
    expect(() => deriveAkaPrimeReauthKeys(kRe, identity, 0x10000, nonceS)).toThrow(RangeError);
  });
});

describe('server identity requests with privacy on (RFC 4187 §4.1.4–§4.1.6)', () => {
  const start = (identity: string) => startEapAka(AKA, { identifier: 1, identity: Buffer.from(identity) });
  const random = () => randomBytes(EAP_AKA_RANDOM_BYTES);

  it('looks a pseudonym up; unknown → AT_PERMANENT_ID_REQ; known → the challenge, no identity round', () => {
    const step = start(`2${'0'.repeat(32)}@${REALM}`);
    expect(step.effect).toMatchObject({ kind: 'lookup', of: 'pseudonym' });
    const unknown = supplyIdentity(step.state, null, random());
    expect(unknown.effect.kind).toBe('send');
    if (unknown.effect.kind !== 'send') return;
    expect(attributesOf(unknown.effect.packet).map((a) => a.type)).toEqual(['permanent-id-req']);
    const known = supplyIdentity(step.state, { kind: 'pseudonym', imsi: '001010000000001' }, random());
    expect(known.effect).toEqual({ kind: 'need-vector', imsi: '001010000000001' });
  });

  it('looks a re-authentication identity up; unknown → AT_FULLAUTH_ID_REQ; known → AKA-Reauthentication', () => {
    const step = start(`4${'0'.repeat(32)}@${REALM}`);
    expect(step.effect).toMatchObject({ kind: 'lookup', of: 'reauth' });
    const unknown = supplyIdentity(step.state, null, random());
    if (unknown.effect.kind !== 'send') throw new Error('expected a request');
    expect(attributesOf(unknown.effect.packet).map((a) => a.type)).toEqual(['fullauth-id-req']);
    const secrets = { kEncr: randomBytes(16), kAut: randomBytes(16), master: randomBytes(20) };
    const known = { kind: 'reauth', imsi: '001010000000001', counter: 0, ...secrets } as const;
    const reauth = supplyIdentity(step.state, known, random());
    if (reauth.effect.kind !== 'send') throw new Error('expected a request');
    expect(subtypeOf(reauth.effect.packet)).toBe('reauthentication');
    const attributes = attributesOf(reauth.effect.packet);
    expect(attributes.map((a) => a.type)).toEqual(['iv', 'encr-data', 'checkcode', 'mac']);
    const inner = decryptAttributes(
      secrets.kEncr,
      attributeBytes(attributes, 'iv')!,
      attributeBytes(attributes, 'encr-data')!,
    );
    expect(inner.map((a) => a.type)).toEqual(['counter', 'nonce-s', 'next-reauth-id']);
    expect(inner[0]).toEqual({ type: 'counter', code: 1 });
    // At the counter limit there is no fast re-authentication left: a full one is asked for instead.
    const spent = supplyIdentity(step.state, { ...known, counter: 16 }, random());
    if (spent.effect.kind !== 'send') throw new Error('expected a request');
    expect(attributesOf(spent.effect.packet).map((a) => a.type)).toEqual(['fullauth-id-req']);
  });

  it('a decoy challenge carries the same encrypted identities as a real one', () => {
    const step = startEapAka(AKA, { identifier: 1, identity: Buffer.from(`0001019999999999@${REALM}`) });
    const decoy = supplyVector(step.state, null, random());
    if (decoy.effect.kind !== 'send') throw new Error('expected a challenge');
    expect(attributesOf(decoy.effect.packet).map((a) => a.type)).toEqual([
      'rand',
      'autn',
      'iv',
      'encr-data',
      'checkcode',
      'mac',
    ]);
    expect(() => supplyVector(step.state, null, randomBytes(64))).toThrow(RangeError);
  });

  it('without privacy a pseudonym still needs the permanent identity, and nothing is encrypted', () => {
    const step = startEapAka({ method: 'aka' }, { identifier: 1, identity: Buffer.from(`2abc@${REALM}`) });
    if (step.effect.kind !== 'send') throw new Error('expected a request');
    expect(attributesOf(step.effect.packet).map((a) => a.type)).toEqual(['permanent-id-req']);
  });

  it('a caller that finds the identity used elsewhere turns the success into an EAP-Failure', () => {
    const step = start(`2${'0'.repeat(32)}@${REALM}`);
    const failed = failEapAka(step.state, 'identity_reused');
    expect(failed.effect).toMatchObject({ kind: 'failure', reason: 'identity_reused' });
    expect(receiveEapAka(failed.state, Buffer.alloc(4)).effect.kind).toBe('discard');
  });
});
