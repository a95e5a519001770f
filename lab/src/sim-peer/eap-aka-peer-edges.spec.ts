import { randomBytes } from 'node:crypto';
import { generateVector, sqnFromSeqInd, PAKAWAAZ_IND } from '@pakawaaz/milenage';
import {
  decodeEap,
  deriveAkaKeys,
  encodeEap,
  signPacket,
  type AkaAttribute,
  type EapAkaMethod,
} from '@pakawaaz/eap-aka';
import { describe, expect, it } from 'vitest';
import { createEapAkaPeer, eapIdentityRequest, receiveAsPeer, type EapAkaPeerState } from './eap-aka-peer.js';
import { createUsim } from './usim.js';

/* Requests no well-behaved server sends: the peer's refusals, by hand-built packets. */
const h = (hex: string): Buffer => Buffer.from(hex, 'hex');
const K = h('465b5ce8b199b49faa5f0a2ee238a6bc');
const OPC = h('cd63cb71954a9f4e48a5994e37a02baf');
const IMSI = '001010000000001';

const peer = (method: EapAkaMethod = 'aka'): EapAkaPeerState =>
  createEapAkaPeer({ method, imsi: IMSI, usim: createUsim({ k: K, opc: OPC }) });

function request(
  method: EapAkaMethod,
  subtype: 'challenge' | 'identity' | 'notification',
  attributes: AkaAttribute[],
) {
  return encodeEap({ code: 'request', identifier: 42, body: { type: method, subtype, attributes } });
}

/** A genuine AKA challenge for the peer's identity, optionally with extra attributes or a wrong key for AT_MAC. */
function challenge(state: EapAkaPeerState, extra: AkaAttribute[] = [], macKey?: Buffer): Buffer {
  const v = generateVector({
    k: K,
    opc: OPC,
    amf: h('8000'),
    sqn: sqnFromSeqInd(1, PAKAWAAZ_IND),
    rand: randomBytes(16),
  });
  const { kAut } = deriveAkaKeys(state.identity, v.ik, v.ck);
  const attributes: AkaAttribute[] = [
    { type: 'rand', value: v.rand },
    { type: 'autn', value: v.autn },
    ...extra,
    { type: 'mac', value: Buffer.alloc(16) },
  ];
  const { bytes, macOffset } = request('aka', 'challenge', attributes);
  return signPacket('aka', macKey ?? kAut, bytes, macOffset!);
}

const sentBody = (step: ReturnType<typeof receiveAsPeer>) => {
  if (step.effect.kind !== 'send') throw new Error(`expected a response, got ${step.effect.kind}`);
  const { packet } = decodeEap(step.effect.packet);
  if (packet.code !== 'response') throw new Error('not a response');
  return { ...step.effect, body: packet.body, identifier: packet.identifier };
};

describe('EAP-AKA peer refusals and protocol hygiene', () => {
  it('answers EAP-Request/Identity with its permanent NAI and echoes the identifier', () => {
    const r = sentBody(receiveAsPeer(peer('aka-prime'), eapIdentityRequest(200)));
    expect(r.identifier).toBe(200);
    expect(r.body).toEqual({
      type: 'identity',
      data: Buffer.from(`6${IMSI}@wlan.mnc001.mcc001.3gppnetwork.org`),
    });
  });

  it('sends the same response again for a retransmitted request, without running the USIM twice', () => {
    const p = peer();
    const req = challenge(p);
    const first = receiveAsPeer(p, req);
    const again = receiveAsPeer(first.state, req);
    expect(again.effect).toMatchObject({ kind: 'send', response: 'challenge', note: 'retransmission' });
    expect(again.state).toBe(first.state);
    expect(sentBody(again).packet).toEqual(sentBody(first).packet);
  });

  it('refuses a challenge whose AT_MAC is wrong (Client-Error), and then an EAP-Success', () => {
    const p = peer();
    const bad = receiveAsPeer(p, challenge(p, [], randomBytes(16)));
    expect(sentBody(bad)).toMatchObject({ response: 'client-error', note: 'bad-mac' });
    expect(sentBody(bad).body).toMatchObject({ attributes: [{ type: 'client-error-code', code: 0 }] });
    const success = receiveAsPeer(bad.state, encodeEap({ code: 'success', identifier: 42 }).bytes);
    expect(success.effect).toEqual({ kind: 'failure', reason: 'unexpected-success' });
  });

  it('refuses an AT_CHECKCODE that does not match its own AKA-Identity transcript', () => {
    const p = peer();
    const r = receiveAsPeer(p, challenge(p, [{ type: 'checkcode', value: randomBytes(20) }]));
    expect(sentBody(r)).toMatchObject({ response: 'client-error', note: 'bad-checkcode' });
  });

  it('a challenge without AT_RAND/AT_AUTN/AT_MAC is a Client-Error', () => {
    const { bytes } = request('aka', 'challenge', [{ type: 'rand', value: randomBytes(16) }]);
    expect(sentBody(receiveAsPeer(peer(), bytes))).toMatchObject({ note: 'missing-attribute' });
  });

  it("EAP-AKA': selects KDF 1 when offered second (negotiation), rejects when not offered at all", () => {
    const kdfInput = { type: 'kdf-input', value: Buffer.from('WLAN') } as const;
    const offer = (codes: number[]) =>
      request('aka-prime', 'challenge', [
        { type: 'rand', value: randomBytes(16) },
        { type: 'autn', value: randomBytes(16) },
        ...codes.map((code) => ({ type: 'kdf', code }) as const),
        kdfInput,
        { type: 'mac', value: Buffer.alloc(16) },
      ]).bytes;
    const negotiated = sentBody(receiveAsPeer(peer('aka-prime'), offer([2, 1])));
    expect(negotiated.note).toBe('kdf-negotiation');
    expect(negotiated.body).toEqual({
      type: 'aka-prime',
      subtype: 'challenge',
      attributes: [{ type: 'kdf', code: 1 }],
    });
    expect(sentBody(receiveAsPeer(peer('aka-prime'), offer([2]))).note).toBe('no-supported-kdf');
    expect(sentBody(receiveAsPeer(peer('aka-prime'), offer([]))).note).toBe('no-supported-kdf');
  });

  it('Naks the other AKA method and unknown EAP types with its own type', () => {
    const { bytes } = request('aka', 'identity', [{ type: 'any-id-req' }]);
    expect(sentBody(receiveAsPeer(peer('aka-prime'), bytes)).body).toEqual({
      type: 'nak',
      data: Buffer.from([50]),
    });
    const md5 = Buffer.from([1, 9, 0, 6, 4, 0]); // EAP-Request/MD5-Challenge, empty
    expect(sentBody(receiveAsPeer(peer('aka'), md5)).body).toEqual({ type: 'nak', data: Buffer.from([23]) });
  });

  it('stops after three AKA-Identity requests, and ignores responses and garbage', () => {
    let p = peer();
    for (let i = 0; i < 3; i++) {
      const { bytes } = encodeEap({
        code: 'request',
        identifier: i,
        body: { type: 'aka', subtype: 'identity', attributes: [{ type: 'permanent-id-req' }] },
      });
      const r = receiveAsPeer(p, bytes);
      expect(sentBody(r).response).toBe('aka-identity');
      p = r.state;
    }
    const fourth = request('aka', 'identity', [{ type: 'any-id-req' }]).bytes;
    expect(sentBody(receiveAsPeer(p, fourth)).note).toBe('too-many-identity-requests');
    const response = encodeEap({
      code: 'response',
      identifier: 1,
      body: { type: 'identity', data: Buffer.from('x') },
    });
    expect(receiveAsPeer(p, response.bytes).effect).toEqual({ kind: 'discard' });
    expect(receiveAsPeer(p, Buffer.from([1, 2, 0, 9, 23])).effect).toEqual({ kind: 'discard' });
  });

  it('answers an unsupported AKA subtype with a Client-Error', () => {
    const { bytes } = request('aka', 'notification', [{ type: 'notification', code: 16384 }]);
    expect(sentBody(receiveAsPeer(peer(), bytes))).toMatchObject({
      response: 'client-error',
      note: 'unsupported-subtype',
    });
  });
});
