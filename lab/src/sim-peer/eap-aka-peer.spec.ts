import { randomBytes } from 'node:crypto';
import {
  generateVector,
  nextSqn,
  PAKAWAAZ_IND,
  seqAfterResync,
  sqnFromSeqInd,
  verifyAuts,
  type AkaVector,
} from '@pakawaaz/milenage';
import { describe, expect, it } from 'vitest';
import {
  receiveEapAka,
  startEapAka,
  supplyVector,
  type EapAkaFailureReason,
  type EapAkaServerConfig,
  type EapAkaStep,
} from '@pakawaaz/eap-aka';
import {
  createEapAkaPeer,
  eapIdentityRequest,
  receiveAsPeer,
  type EapAkaPeerConfig,
  type EapAkaPeerState,
  type PeerNote,
  type PeerResponse,
} from './eap-aka-peer.js';
import { createUsim, withAcceptedSqn } from './usim.js';

/*
 * The peer against identity's own pure server (the reducer RADIUS and the HTTPS SIM factor run), with
 * vectors from core-network's Milenage: what eapol_test does in the e2e tier, here in memory and exact.
 */
const h = (hex: string): Buffer => Buffer.from(hex, 'hex');
// TS 35.208 Test Set 1 keys.
const K = h('465b5ce8b199b49faa5f0a2ee238a6bc');
const OPC = h('cd63cb71954a9f4e48a5994e37a02baf');
const IMSI = '001010000000001';
const NETWORK = 'WLAN';

/** The home network: core-network's AkaVectorService in memory (one SEQ per IMSI, Pakawaaz's IND). */
function hss(amf = h('8000')) {
  let seq = 0;
  return {
    vector(imsi: string): AkaVector | null {
      if (imsi !== IMSI) return null;
      const next = nextSqn(seq, PAKAWAAZ_IND);
      seq = next.seq;
      return generateVector({ k: K, opc: OPC, amf, sqn: next.sqn, rand: randomBytes(16) });
    },
    resync(imsi: string, rand: Buffer, auts: Buffer): boolean {
      const verified = imsi === IMSI ? verifyAuts({ k: K, opc: OPC, rand, auts }) : null;
      if (verified) seq = seqAfterResync(verified.sqnMs, seq);
      return verified !== null;
    },
  };
}

type Outcome = {
  server: { kind: 'success'; msk: Buffer; emsk: Buffer } | { kind: 'failure'; reason: EapAkaFailureReason };
  peer: EapAkaPeerState;
  sent: { response: PeerResponse; note?: PeerNote }[];
};

/** How the conversation begins: EAP-Response/Identity, nothing (AKA-Identity follows), or a given identity. */
type Start = 'eap-identity' | 'none' | { readonly identity: string };

/** The server's first step: after the peer's EAP-Response/Identity, or with nothing / a given identity. */
function begin(config: EapAkaServerConfig, peer: EapAkaPeerState, start: Start) {
  if (start === 'none') return { peer, step: startEapAka(config, { identifier: 7 }) };
  if (start !== 'eap-identity')
    return { peer, step: startEapAka(config, { identifier: 7, identity: Buffer.from(start.identity) }) };
  const first = receiveAsPeer(peer, eapIdentityRequest(7));
  if (first.effect.kind !== 'send') throw new Error('peer did not answer the identity request');
  return {
    peer: first.state,
    step: startEapAka(config, { identifier: 7, identity: first.effect.packet.subarray(5) }),
  };
}

/** Answers the server's vector effects as the home network does; other steps pass through. */
function vectorStep(step: EapAkaStep, network: ReturnType<typeof hss>): EapAkaStep {
  const { effect } = step;
  if (effect.kind === 'need-vector')
    return supplyVector(step.state, network.vector(effect.imsi), randomBytes(64));
  if (effect.kind !== 'resync') return step;
  const ok = network.resync(effect.imsi, effect.rand, effect.auts);
  return supplyVector(step.state, ok ? network.vector(effect.imsi) : null, randomBytes(64));
}

/** Runs one conversation to its end, feeding every effect of one side to the other. */
function converse(
  config: EapAkaServerConfig,
  peerConfig: EapAkaPeerConfig,
  start: Start,
  network = hss(),
): Outcome {
  let { peer, step } = begin(config, createEapAkaPeer(peerConfig), start);
  const sent: Outcome['sent'] = [];
  for (let round = 0; round < 12; round++) {
    step = vectorStep(step, network);
    const { effect } = step;
    if (effect.kind === 'discard') throw new Error('server discarded a peer response');
    if (effect.kind === 'success' || effect.kind === 'failure') {
      const server =
        effect.kind === 'success'
          ? { kind: 'success' as const, msk: effect.msk, emsk: effect.emsk }
          : { kind: 'failure' as const, reason: effect.reason };
      return { server, peer: receiveAsPeer(peer, effect.packet).state, sent };
    }
    if (effect.kind !== 'send') continue;
    const reply = receiveAsPeer(peer, effect.packet);
    peer = reply.state;
    if (reply.effect.kind !== 'send') throw new Error(`peer ${reply.effect.kind} on a request`);
    sent.push({ response: reply.effect.response, ...(reply.effect.note ? { note: reply.effect.note } : {}) });
    step = receiveEapAka(step.state, reply.effect.packet);
  }
  throw new Error('conversation did not end');
}

const AKA: EapAkaServerConfig = { method: 'aka' };
const AKA_PRIME: EapAkaServerConfig = { method: 'aka-prime', networkName: NETWORK };
const peerOf = (method: 'aka' | 'aka-prime', extra: Partial<EapAkaPeerConfig> = {}): EapAkaPeerConfig => ({
  method,
  imsi: IMSI,
  usim: createUsim({ k: K, opc: OPC }),
  ...extra,
});

function expectSameKeys(o: Outcome): void {
  expect(o.server.kind).toBe('success');
  if (o.server.kind !== 'success') return;
  expect(o.peer.phase).toBe('success');
  expect(o.peer.keys?.msk).toEqual(o.server.msk);
  expect(o.peer.keys?.emsk).toEqual(o.server.emsk);
  expect(o.server.msk).toHaveLength(64);
}

describe("EAP-AKA / EAP-AKA' peer against identity's server", () => {
  it('EAP-AKA from EAP-Response/Identity: one challenge, same MSK and EMSK on both sides', () => {
    const o = converse(AKA, peerOf('aka'), 'eap-identity');
    expectSameKeys(o);
    expect(o.sent.map((s) => s.response)).toEqual(['challenge']);
  });

  it("EAP-AKA' binds the network name (AT_KDF_INPUT), with or without echoing AT_KDF", () => {
    for (const echoKdf of [false, true]) {
      const o = converse(AKA_PRIME, peerOf('aka-prime', { networkName: NETWORK, echoKdf }), 'eap-identity');
      expectSameKeys(o);
    }
  });

  it("answers AKA-Identity and AT_CHECKCODE covers it (AKA: SHA-1; AKA': SHA-256 after a pseudonym)", () => {
    const aka = converse(AKA, peerOf('aka'), 'none');
    expectSameKeys(aka);
    expect(aka.sent.map((s) => s.response)).toEqual(['aka-identity', 'challenge']);
    expect(aka.peer.transcript).toHaveLength(2);
    const prime = converse(AKA_PRIME, peerOf('aka-prime'), { identity: `7pseudonym@${'realm.example'}` });
    expectSameKeys(prime);
    expect(prime.sent.map((s) => s.response)).toEqual(['aka-identity', 'challenge']);
  });

  it('re-synchronises once when the USIM is ahead (AUTS), then succeeds', () => {
    for (const method of ['aka', 'aka-prime'] as const) {
      const usim = withAcceptedSqn(createUsim({ k: K, opc: OPC }), sqnFromSeqInd(5_000, PAKAWAAZ_IND));
      const o = converse(method === 'aka' ? AKA : AKA_PRIME, peerOf(method, { usim }), 'eap-identity');
      expect(o.sent.map((s) => s.response)).toEqual(['synchronization-failure', 'challenge']);
      expectSameKeys(o);
    }
  });

  it('a wrong K: the USIM finds MAC-A wrong, the peer sends Authentication-Reject, both sides fail', () => {
    const o = converse(
      AKA,
      peerOf('aka', { usim: createUsim({ k: Buffer.alloc(16, 9), opc: OPC }) }),
      'eap-identity',
    );
    expect(o.sent).toEqual([{ response: 'authentication-reject', note: 'usim-mac-failure' }]);
    expect(o.server).toEqual({ kind: 'failure', reason: 'rejected' });
    expect(o.peer.phase).toBe('failure');
    expect(o.peer.keys).toBeUndefined();
  });

  it('an unknown IMSI gets a decoy challenge that the USIM rejects like a wrong network', () => {
    const o = converse(AKA, peerOf('aka', { imsi: '001019999999999' }), 'eap-identity');
    expect(o.sent).toEqual([{ response: 'authentication-reject', note: 'usim-mac-failure' }]);
    expect(o.server.kind).toBe('failure');
  });

  it("EAP-AKA': refuses an unexpected network name and a vector without the AMF separation bit", () => {
    const other = converse(
      { method: 'aka-prime', networkName: 'Elsewhere' },
      peerOf('aka-prime', { networkName: NETWORK }),
      'eap-identity',
    );
    expect(other.sent).toEqual([{ response: 'authentication-reject', note: 'unexpected-network-name' }]);
    const umts = converse(AKA_PRIME, peerOf('aka-prime'), 'eap-identity', hss(h('0000')));
    expect(umts.sent).toEqual([{ response: 'authentication-reject', note: 'amf-separation-bit' }]);
    expect(umts.server).toEqual({ kind: 'failure', reason: 'rejected' });
  });
});
