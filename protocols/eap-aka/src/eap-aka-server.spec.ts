import { randomBytes } from 'node:crypto';
import {
  freshUsimState,
  generateVector,
  nextSqn,
  PAKAWAAZ_IND,
  seqAfterResync,
  sqnFromSeqInd,
  verifyAutn,
  verifyAuts,
  type AkaVector,
  type UsimSqnState,
} from '@pakawaaz/milenage';
import { describe, expect, it } from 'vitest';
import {
  attributeBytes,
  decodeEap,
  encodeEap,
  hasAttribute,
  type AkaAttribute,
  type AkaSubtype,
  type EapAkaMethod,
} from './eap-aka-codec.js';
import { parseAkaIdentity } from './eap-aka-identity.js';
import {
  computeCheckcode,
  deriveAkaKeys,
  deriveAkaPrimeKeys,
  deriveCkIkPrime,
  signPacket,
  verifyAtMac,
} from './eap-aka-keys.js';
import {
  receiveEapAka,
  startEapAka,
  supplyVector,
  type EapAkaEffect,
  type EapAkaServerConfig,
  type EapAkaStep,
} from './eap-aka-server.js';

const h = (hex: string): Buffer => Buffer.from(hex, 'hex');

// TS 35.208 Test Set 1 subscriber keys (as in core-network's milenage.spec.ts).
const K = h('465b5ce8b199b49faa5f0a2ee238a6bc');
const OPC = h('cd63cb71954a9f4e48a5994e37a02baf');
const IMSI = '001010000000001';
const REALM = 'wlan.mnc001.mcc001.3gppnetwork.org';
const NETWORK = 'WLAN';

/** The home network's side: what core-network's AkaVectorSource does, in memory. */
function fakeHss() {
  let seq = 0;
  return {
    vector(imsi: string): AkaVector | null {
      if (imsi !== IMSI) return null;
      const next = nextSqn(seq, PAKAWAAZ_IND);
      seq = next.seq;
      return generateVector({ k: K, opc: OPC, amf: h('8000'), sqn: next.sqn, rand: randomBytes(16) });
    },
    resynchronise(imsi: string, rand: Buffer, auts: Buffer): boolean {
      const verified = imsi === IMSI ? verifyAuts({ k: K, opc: OPC, rand, auts }) : null;
      if (verified) seq = seqAfterResync(verified.sqnMs, seq);
      return verified !== null;
    },
  };
}

type PeerOptions = {
  readonly method: EapAkaMethod;
  readonly identities: readonly string[];
  readonly k?: Buffer;
  readonly usim?: UsimSqnState;
  readonly tamper?: 'res' | 'mac';
};

type Reply = { subtype: AkaSubtype; attributes: AkaAttribute[]; kAut?: Buffer };

/** A handset with a software USIM: answers AKA-Identity and AKA-Challenge as RFC 4187 / RFC 9048 peers do. */
function fakePeer(options: PeerOptions) {
  const { method } = options;
  let usim = options.usim ?? freshUsimState();
  let identityIndex = 0;
  let identity = Buffer.from(options.identities[0] ?? '');
  const transcript: Buffer[] = [];
  const peer = {
    msk: undefined as Buffer | undefined,
    serverMacOk: undefined as boolean | undefined,
    respond(request: Buffer): Buffer {
      const { packet, macOffset } = decodeEap(request);
      if (packet.code !== 'request' || packet.body.type !== method)
        throw new Error('peer expected an AKA request');
      const { subtype, attributes } = packet.body;
      const reply =
        subtype === 'identity'
          ? answerIdentity(request)
          : answerChallenge(request, attributes, macOffset ?? 0);
      const encoded = encodeEap({
        code: 'response',
        identifier: packet.identifier,
        body: { type: method, subtype: reply.subtype, attributes: reply.attributes },
      });
      let bytes = reply.kAut
        ? signPacket(method, reply.kAut, encoded.bytes, encoded.macOffset ?? 0)
        : encoded.bytes;
      if (options.tamper === 'mac' && encoded.macOffset) bytes = flipByte(bytes, encoded.macOffset);
      if (subtype === 'identity') transcript.push(request, bytes);
      return bytes;
    },
  };

  function answerIdentity(_request: Buffer): Reply {
    identity = Buffer.from(
      options.identities[Math.min(identityIndex++, options.identities.length - 1)] ?? '',
    );
    return { subtype: 'identity', attributes: [{ type: 'identity', value: identity }] };
  }

  function answerChallenge(request: Buffer, attributes: readonly AkaAttribute[], macOffset: number): Reply {
    const rand = attributeBytes(attributes, 'rand')!;
    const autn = attributeBytes(attributes, 'autn')!;
    const result = verifyAutn({ k: options.k ?? K, opc: OPC, rand, autn, usim });
    if (!result.ok && result.reason === 'mac_failure')
      return { subtype: 'authentication-reject', attributes: [] };
    if (!result.ok)
      return { subtype: 'synchronization-failure', attributes: [{ type: 'auts', value: result.auts }] };
    usim = result.usim;
    const keys = peerKeys(attributes, autn, result.ck, result.ik);
    peer.serverMacOk = verifyAtMac(method, keys.kAut, request, macOffset);
    peer.msk = keys.msk;
    const checkcode = computeCheckcode(method, transcript);
    expect(attributeBytes(attributes, 'checkcode')).toEqual(checkcode);
    const res = options.tamper === 'res' ? flipByte(result.res, 0) : result.res;
    return {
      subtype: 'challenge',
      kAut: keys.kAut,
      attributes: [
        { type: 'res', value: res, bits: res.length * 8 },
        { type: 'checkcode', value: checkcode },
        { type: 'mac', value: Buffer.alloc(16) },
      ],
    };
  }

  function peerKeys(attributes: readonly AkaAttribute[], autn: Buffer, ck: Buffer, ik: Buffer) {
    if (method === 'aka') return deriveAkaKeys(identity, ik, ck);
    const name = attributeBytes(attributes, 'kdf-input')!;
    const { ckPrime, ikPrime } = deriveCkIkPrime(ck, ik, name, autn.subarray(0, 6));
    return deriveAkaPrimeKeys(identity, ckPrime, ikPrime);
  }

  return peer;
}

const flipByte = (bytes: Buffer, index: number): Buffer => {
  const copy = Buffer.from(bytes);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
};

const permanent = (method: EapAkaMethod, imsi = IMSI): string =>
  `${method === 'aka' ? '0' : '6'}${imsi}@${REALM}`;
const configFor = (method: EapAkaMethod): EapAkaServerConfig =>
  method === 'aka' ? { method } : { method, networkName: NETWORK };

type Peer = ReturnType<typeof fakePeer>;
type Hss = ReturnType<typeof fakeHss>;

/** Drives the reducer the way the RADIUS/HTTPS shell will: effects in, port calls and packets out. */
function converse(step: EapAkaStep, peer: Peer, hss: Hss, log: EapAkaEffect[] = []): EapAkaEffect {
  for (let i = 0; i < 20; i++) {
    const { effect, state } = step;
    log.push(effect);
    if (effect.kind === 'need-vector') step = supplyVector(state, hss.vector(effect.imsi), randomBytes(64));
    else if (effect.kind === 'resync') {
      const ok = hss.resynchronise(effect.imsi, effect.rand, effect.auts);
      step = supplyVector(state, ok ? hss.vector(effect.imsi) : null, randomBytes(64));
    } else if (effect.kind === 'send') step = receiveEapAka(state, peer.respond(effect.packet));
    else return effect;
  }
  throw new Error('conversation did not end');
}

const requestAttributes = (packet: Buffer): readonly AkaAttribute[] => {
  const { packet: decoded } = decodeEap(packet);
  return decoded.code === 'request' && decoded.body.type !== 'identity' && decoded.body.type !== 'nak'
    ? decoded.body.attributes
    : [];
};

describe.each(['aka', 'aka-prime'] as const)('EAP server, %s', (method) => {
  it('authenticates a permanent identity from EAP-Response/Identity without an identity round', () => {
    const peer = fakePeer({ method, identities: [permanent(method)] });
    const log: EapAkaEffect[] = [];
    const start = startEapAka(configFor(method), { identifier: 5, identity: Buffer.from(permanent(method)) });
    const end = converse(start, peer, fakeHss(), log);
    expect(log.map((e) => e.kind)).toEqual(['need-vector', 'send', 'success']);
    expect(end.kind === 'success' && end.imsi).toBe(IMSI);
    expect(end.kind === 'success' && end.msk).toEqual(peer.msk);
    expect(end.kind === 'success' && end.emsk).toHaveLength(64);
    expect(peer.serverMacOk).toBe(true);
    expect(end.kind === 'success' && decodeEap(end.packet).packet).toEqual({
      code: 'success',
      identifier: 6,
    });
    const challenge = log[1]?.kind === 'send' ? requestAttributes(log[1].packet) : [];
    expect(hasAttribute(challenge, 'kdf-input')).toBe(method === 'aka-prime');
  });

  it('asks for any identity first when the outer identity is anonymous, and checks AT_CHECKCODE', () => {
    const peer = fakePeer({ method, identities: [permanent(method)] });
    const log: EapAkaEffect[] = [];
    const start = startEapAka(configFor(method), {
      identifier: 0,
      identity: Buffer.from(`anonymous@${REALM}`),
    });
    const end = converse(start, peer, fakeHss(), log);
    const first = log[0]?.kind === 'send' ? requestAttributes(log[0].packet) : [];
    expect(first).toEqual([{ type: 'any-id-req' }]);
    expect(end.kind).toBe('success');
    expect(end.kind === 'success' && end.identity.toString()).toBe(permanent(method));
    expect(end.kind === 'success' && end.msk).toEqual(peer.msk);
  });

  it('recovers from a synchronisation failure with one re-synchronisation', () => {
    // The USIM has already accepted SEQ 100 in Pakawaaz's IND slot; the HSS starts from SEQ 0.
    const usim = {
      accepted: freshUsimState().accepted.map((a, i) => (i === PAKAWAAZ_IND ? 100 * 32 + i : a)),
    };
    const peer = fakePeer({ method, identities: [permanent(method)], usim });
    const log: EapAkaEffect[] = [];
    const start = startEapAka(configFor(method), { identifier: 0, identity: Buffer.from(permanent(method)) });
    const end = converse(start, peer, fakeHss(), log);
    expect(log.map((e) => e.kind)).toEqual(['need-vector', 'send', 'resync', 'send', 'success']);
    expect(end.kind === 'success' && end.msk).toEqual(peer.msk);
  });

  it('fails a second synchronisation failure', () => {
    const usim = {
      accepted: freshUsimState().accepted.map((a, i) => (i === PAKAWAAZ_IND ? 100 * 32 + i : a)),
    };
    const peer = fakePeer({ method, identities: [permanent(method)], usim });
    const stuck = { ...fakeHss(), resynchronise: () => true };
    const end = converse(
      startEapAka(configFor(method), { identifier: 0, identity: Buffer.from(permanent(method)) }),
      peer,
      stuck,
    );
    expect(end).toMatchObject({ kind: 'failure', reason: 'repeated_sync_failure' });
  });

  it.each([
    ['a wrong RES', 'res', 'bad_res'],
    ['a tampered AT_MAC', 'mac', 'bad_mac'],
  ] as const)('fails %s', (_name, tamper, reason) => {
    const peer = fakePeer({ method, identities: [permanent(method)], tamper });
    const end = converse(
      startEapAka(configFor(method), { identifier: 0, identity: Buffer.from(permanent(method)) }),
      peer,
      fakeHss(),
    );
    expect(end).toMatchObject({ kind: 'failure', reason });
    expect(end.kind === 'failure' && decodeEap(end.packet).packet).toEqual({
      code: 'failure',
      identifier: 1,
    });
  });

  it('answers an unknown IMSI with a decoy challenge and the same failure as a wrong SIM', () => {
    const unknown = permanent(method, '001019999999999');
    const unknownLog: EapAkaEffect[] = [];
    const start = (id: string) =>
      startEapAka(configFor(method), { identifier: 0, identity: Buffer.from(id) });
    const unknownEnd = converse(
      start(unknown),
      fakePeer({ method, identities: [unknown] }),
      fakeHss(),
      unknownLog,
    );
    const wrongSimLog: EapAkaEffect[] = [];
    const wrongSim = fakePeer({ method, identities: [permanent(method)], k: randomBytes(16) });
    const wrongSimEnd = converse(start(permanent(method)), wrongSim, fakeHss(), wrongSimLog);
    expect(unknownLog.map((e) => e.kind)).toEqual(wrongSimLog.map((e) => e.kind));
    const sizes = (log: EapAkaEffect[]) => log.map((e) => (e.kind === 'send' ? e.packet.length : 0));
    expect(sizes(unknownLog)).toEqual(sizes(wrongSimLog));
    expect(unknownEnd).toEqual(wrongSimEnd);
    expect(unknownEnd).toMatchObject({ kind: 'failure', reason: 'rejected' });
  });
});

describe('EAP server identity privacy and robustness', () => {
  const aka = configFor('aka');

  it('requests the full-auth identity for a fast re-authentication identity, then the permanent one', () => {
    const reauth = startEapAka(aka, { identifier: 0, identity: Buffer.from(`4reauth@${REALM}`) });
    expect(reauth.effect.kind === 'send' && requestAttributes(reauth.effect.packet)).toEqual([
      { type: 'fullauth-id-req' },
    ]);
    const peer = fakePeer({ method: 'aka', identities: [`2pseudonym@${REALM}`, permanent('aka')] });
    const log: EapAkaEffect[] = [];
    expect(converse(reauth, peer, fakeHss(), log).kind).toBe('success');
    const second = log[1]?.kind === 'send' ? requestAttributes(log[1].packet) : [];
    expect(second).toEqual([{ type: 'permanent-id-req' }]);
  });

  it('requests the permanent identity straight away for a pseudonym', () => {
    const step = startEapAka(aka, { identifier: 0, identity: Buffer.from(`2pseudonym@${REALM}`) });
    expect(step.effect.kind === 'send' && requestAttributes(step.effect.packet)).toEqual([
      { type: 'permanent-id-req' },
    ]);
  });

  it('gives up when the peer never reveals a permanent identity', () => {
    const peer = fakePeer({ method: 'aka', identities: [`2pseudonym@${REALM}`] });
    const log: EapAkaEffect[] = [];
    const end = converse(startEapAka(aka, { identifier: 0 }), peer, fakeHss(), log);
    expect(end).toMatchObject({ kind: 'failure', reason: 'no_permanent_identity' });
    expect(log.filter((e) => e.kind === 'send')).toHaveLength(2);
  });

  it('discards a response with a stale identifier and bounds the number of responses', () => {
    let step = startEapAka({ method: 'aka', maxResponses: 3 }, { identifier: 10 });
    const stale = encodeEap({
      code: 'response',
      identifier: 10,
      body: { type: 'aka', subtype: 'identity', attributes: [{ type: 'identity', value: Buffer.from('x') }] },
    }).bytes;
    for (let i = 0; i < 3; i++) {
      step = receiveEapAka(step.state, stale);
      expect(step.effect.kind).toBe('discard');
    }
    expect(receiveEapAka(step.state, stale).effect).toMatchObject({
      kind: 'failure',
      reason: 'too_many_responses',
    });
  });

  it.each([
    ['a malformed packet', Buffer.from('02'), 'malformed'],
    [
      'a Nak',
      encodeEap({ code: 'response', identifier: 1, body: { type: 'nak', data: Buffer.from([50]) } }).bytes,
      'unexpected_message',
    ],
    [
      'a Client-Error',
      encodeEap({
        code: 'response',
        identifier: 1,
        body: { type: 'aka', subtype: 'client-error', attributes: [{ type: 'client-error-code', code: 0 }] },
      }).bytes,
      'client_error',
    ],
    [
      'an identity response without AT_IDENTITY',
      encodeEap({
        code: 'response',
        identifier: 1,
        body: { type: 'aka', subtype: 'identity', attributes: [] },
      }).bytes,
      'malformed',
    ],
    [
      'a challenge response before any challenge',
      encodeEap({
        code: 'response',
        identifier: 1,
        body: { type: 'aka', subtype: 'challenge', attributes: [] },
      }).bytes,
      'unexpected_message',
    ],
  ] as const)('fails %s', (_name, bytes, reason) => {
    const start = startEapAka(aka, { identifier: 0 });
    expect(receiveEapAka(start.state, bytes).effect).toMatchObject({ kind: 'failure', reason });
  });

  it('fails a challenge response without AT_RES or AT_MAC as malformed', () => {
    const start = startEapAka(aka, { identifier: 0, identity: Buffer.from(permanent('aka')) });
    const challenge = supplyVector(start.state, fakeHss().vector(IMSI), randomBytes(64));
    const bare = encodeEap({
      code: 'response',
      identifier: 1,
      body: { type: 'aka', subtype: 'challenge', attributes: [] },
    });
    expect(receiveEapAka(challenge.state, bare.bytes).effect).toMatchObject({
      kind: 'failure',
      reason: 'malformed',
    });
  });

  it('ignores input in the wrong phase and rejects misuse', () => {
    const waiting = startEapAka(aka, { identifier: 0, identity: Buffer.from(permanent('aka')) });
    expect(receiveEapAka(waiting.state, Buffer.alloc(4)).effect.kind).toBe('discard');
    const asking = startEapAka(aka, { identifier: 0 });
    expect(() => supplyVector(asking.state, null, randomBytes(64))).toThrow();
    expect(() => supplyVector(waiting.state, null, randomBytes(10))).toThrow(RangeError);
    expect(() => startEapAka({ method: 'aka-prime' }, { identifier: 0 })).toThrow(RangeError);
  });
});

describe('parseAkaIdentity', () => {
  it.each([
    ['aka', `0${IMSI}@${REALM}`, { kind: 'permanent', imsi: IMSI, realm: REALM }],
    ['aka', `0${IMSI}`, { kind: 'permanent', imsi: IMSI, realm: undefined }],
    ['aka-prime', `6${IMSI}@${REALM}`, { kind: 'permanent', imsi: IMSI, realm: REALM }],
    ['aka-prime', `0${IMSI}@${REALM}`, { kind: 'unusable' }],
    ['aka', `2abc@${REALM}`, { kind: 'pseudonym' }],
    ['aka', `4abc@${REALM}`, { kind: 'reauth' }],
    ['aka-prime', `7abc@${REALM}`, { kind: 'pseudonym' }],
    ['aka-prime', `8abc@${REALM}`, { kind: 'reauth' }],
    ['aka', '01234', { kind: 'unusable' }],
    ['aka', `0${IMSI}0@${REALM}`, { kind: 'unusable' }],
    ['aka', `0${IMSI}@bad realm`, { kind: 'unusable' }],
    ['aka', `0${IMSI}@`, { kind: 'unusable' }],
    ['aka', '', { kind: 'unusable' }],
    ['aka', `0${IMSI}@${'a'.repeat(300)}`, { kind: 'unusable' }],
  ] as const)('%s %s', (method, identity, expected) => {
    expect(parseAkaIdentity(method, Buffer.from(identity))).toEqual(expected);
  });
});

// Keeps sqnFromSeqInd in the import list meaningful: the HSS slot the fake uses is Pakawaaz's IND.
it('uses the Pakawaaz IND slot for fake HSS vectors', () => {
  const vector = fakeHss().vector(IMSI)!;
  const result = verifyAutn({ k: K, opc: OPC, rand: vector.rand, autn: vector.autn });
  expect(result.ok && result.sqn).toEqual(sqnFromSeqInd(1, PAKAWAAZ_IND));
});
