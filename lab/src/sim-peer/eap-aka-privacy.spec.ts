import { randomBytes } from 'node:crypto';
import { generateVector, nextSqn, PAKAWAAZ_IND, type AkaVector } from '@pakawaaz/milenage';
import { describe, expect, it } from 'vitest';
import {
  EAP_AKA_RANDOM_BYTES,
  receiveEapAka,
  startEapAka,
  supplyIdentity,
  supplyVector,
  type EapAkaMethod,
  type EapAkaPrivacyOutcome,
  type EapAkaServerConfig,
  type EapAkaStep,
  type KnownIdentity,
} from '@pakawaaz/eap-aka';
import {
  createEapAkaPeer,
  eapIdentityRequest,
  receiveAsPeer,
  type EapAkaPeerState,
  type PeerResponse,
} from './eap-aka-peer.js';
import { createUsim } from './usim.js';

/*
 * Pseudonyms and fast re-authentication between the lab peer and identity's pure server, with an in-memory
 * store that keeps the database store's rules (one-time identities, counters) — the e2e tier runs the same
 * against wpa_supplicant's eapol_test and PostgreSQL.
 */
const h = (hex: string): Buffer => Buffer.from(hex, 'hex');
const K = h('465b5ce8b199b49faa5f0a2ee238a6bc');
const OPC = h('cd63cb71954a9f4e48a5994e37a02baf');
const IMSI = '001010000000001';

function hss() {
  let seq = 0;
  const network = {
    vectors: 0,
    vector(imsi: string): AkaVector | null {
      if (imsi !== IMSI) return null;
      network.vectors++;
      const next = nextSqn(seq, PAKAWAAZ_IND);
      seq = next.seq;
      return generateVector({ k: K, opc: OPC, amf: h('8000'), sqn: next.sqn, rand: randomBytes(16) });
    },
  };
  return network;
}

/** identity's EapIdentitiesService in memory: keyed by username, consumed on success. */
function store() {
  const rows = new Map<string, KnownIdentity>();
  const user = (identity: Buffer | string) => identity.toString().split('@')[0]!;
  return {
    rows,
    find: (kind: 'pseudonym' | 'reauth', identity: Buffer) => {
      const row = rows.get(user(identity));
      return row?.kind === kind ? row : null;
    },
    commit(imsi: string, p: EapAkaPrivacyOutcome): boolean {
      if (p.used) {
        const row = rows.get(user(p.used.identity));
        if (!row || (row.kind === 'reauth' && row.counter !== p.used.counter)) return false;
        rows.delete(user(p.used.identity));
      }
      for (const [key, row] of rows)
        if (row.imsi === imsi && (!p.fast || row.kind === 'reauth')) rows.delete(key);
      if (p.pseudonym) rows.set(p.pseudonym, { kind: 'pseudonym', imsi });
      if (p.reauth) rows.set(user(p.reauth.identity), { kind: 'reauth', imsi, ...p.reauth });
      return true;
    },
  };
}

type World = { network: ReturnType<typeof hss>; ids: ReturnType<typeof store> };

/** One sign-in: EAP-Request/Identity to the peer, then both sides until the end. */
function signIn(config: EapAkaServerConfig, peer: EapAkaPeerState, world: World) {
  const first = receiveAsPeer(peer, eapIdentityRequest(3));
  if (first.effect.kind !== 'send') throw new Error('no identity');
  const wire: Buffer[] = [first.effect.packet];
  let state = first.state;
  let step: EapAkaStep = startEapAka(config, { identifier: 3, identity: first.effect.packet.subarray(5) });
  const sent: PeerResponse[] = [];
  for (let round = 0; round < 12; round++) {
    const { effect } = step;
    if (effect.kind === 'need-vector')
      step = supplyVector(step.state, world.network.vector(effect.imsi), randomBytes(EAP_AKA_RANDOM_BYTES));
    else if (effect.kind === 'lookup')
      step = supplyIdentity(
        step.state,
        world.ids.find(effect.of, effect.identity),
        randomBytes(EAP_AKA_RANDOM_BYTES),
      );
    else if (effect.kind === 'send') {
      const reply = receiveAsPeer(state, effect.packet);
      state = reply.state;
      if (reply.effect.kind !== 'send') throw new Error(`peer ${reply.effect.kind}`);
      sent.push(reply.effect.response);
      wire.push(reply.effect.packet);
      step = receiveEapAka(step.state, reply.effect.packet);
    } else if (effect.kind === 'success') {
      const stored = effect.privacy ? world.ids.commit(effect.imsi, effect.privacy) : true;
      const peerEnd = receiveAsPeer(state, effect.packet);
      return {
        ok: stored,
        msk: effect.msk,
        peer: peerEnd.state,
        peerMsk: peerEnd.state.keys?.msk,
        sent,
        wire,
      };
    } else if (effect.kind === 'failure') {
      return { ok: false, msk: undefined, peer: receiveAsPeer(state, effect.packet).state, sent, wire };
    } else throw new Error(`unexpected ${effect.kind}`);
  }
  throw new Error('conversation did not end');
}

const configOf = (method: EapAkaMethod, maxReauths?: number): EapAkaServerConfig => ({
  method,
  ...(method === 'aka-prime' ? { networkName: 'WLAN' } : {}),
  privacy: maxReauths === undefined ? {} : { maxReauths },
});
const peerOf = (method: EapAkaMethod, pseudonym?: string) =>
  createEapAkaPeer({
    method,
    imsi: IMSI,
    usim: createUsim({ k: K, opc: OPC }),
    ...(pseudonym ? { pseudonym } : {}),
  });
const carriesImsi = (wire: readonly Buffer[]) => wire.some((p) => p.includes(Buffer.from(IMSI)));

describe.each(['aka', 'aka-prime'] as const)('identity privacy, %s', (method) => {
  const prefix = method === 'aka' ? { pseudonym: '2', reauth: '4' } : { pseudonym: '7', reauth: '8' };

  it('hands out a pseudonym and a re-authentication identity, then re-authenticates without a vector', () => {
    const world = { network: hss(), ids: store() };
    const full = signIn(configOf(method), peerOf(method), world);
    expect(full.ok).toBe(true);
    expect(full.peerMsk).toEqual(full.msk);
    expect(full.peer.pseudonym?.toString()).toMatch(
      new RegExp(`^${prefix.pseudonym}[0-9a-f]{32}@wlan\\.mnc001\\.mcc001\\.3gppnetwork\\.org$`),
    );
    expect(full.peer.reauth?.identity.toString()).toMatch(new RegExp(`^${prefix.reauth}[0-9a-f]{32}@`));
    expect(world.network.vectors).toBe(1);

    const fast = signIn(configOf(method), full.peer, world);
    expect(fast.sent).toEqual(['reauthentication']);
    expect(fast.ok).toBe(true);
    expect(fast.peerMsk).toEqual(fast.msk);
    expect(fast.msk).not.toEqual(full.msk);
    expect(world.network.vectors).toBe(1);
    expect(carriesImsi(fast.wire)).toBe(false);
    // The used identity is gone; the next one works with the counter one higher.
    expect(world.ids.rows.has(full.peer.reauth!.identity.toString().split('@')[0]!)).toBe(false);
    const again = signIn(configOf(method), fast.peer, world);
    expect(again.ok).toBe(true);
    expect(again.peerMsk).toEqual(again.msk);
    expect(again.peer.reauth?.counter).toBe(2);
  });

  it('signs in with the pseudonym alone: the IMSI never crosses the link', () => {
    const world = { network: hss(), ids: store() };
    const full = signIn(configOf(method), peerOf(method), world);
    const next = signIn(configOf(method), peerOf(method, full.peer.pseudonym!.toString()), world);
    expect(next.sent).toEqual(['challenge']);
    expect(next.ok).toBe(true);
    expect(next.peerMsk).toEqual(next.msk);
    expect(carriesImsi(next.wire)).toBe(false);
    // One-time: the pseudonym was replaced; presenting it again costs a permanent-identity round.
    expect(next.peer.pseudonym).not.toEqual(full.peer.pseudonym);
    const replay = signIn(configOf(method), peerOf(method, full.peer.pseudonym!.toString()), world);
    expect(replay.sent).toEqual(['aka-identity', 'challenge']);
    expect(replay.ok).toBe(true);
    expect(carriesImsi(replay.wire)).toBe(true);
  });

  it('a replayed re-authentication identity falls back to a full authentication', () => {
    const world = { network: hss(), ids: store() };
    const full = signIn(configOf(method), peerOf(method), world);
    const stale = full.peer;
    signIn(configOf(method), stale, world);
    const replay = signIn(configOf(method), stale, world);
    // Unknown re-auth id → AT_FULLAUTH_ID_REQ → the pseudonym (a fast re-authentication keeps it) → challenge.
    expect(replay.sent).toEqual(['aka-identity', 'challenge']);
    expect(replay.ok).toBe(true);
    expect(replay.peerMsk).toEqual(replay.msk);
    expect(carriesImsi(replay.wire)).toBe(false);
    expect(world.network.vectors).toBe(2);
  });

  it('stops handing out re-authentication identities at the counter limit', () => {
    const world = { network: hss(), ids: store() };
    let peer = signIn(configOf(method, 2), peerOf(method), world).peer;
    for (let i = 0; i < 2; i++) {
      const fast = signIn(configOf(method, 2), peer, world);
      expect(fast.sent).toEqual(['reauthentication']);
      peer = fast.peer;
    }
    expect(peer.reauth).toBeUndefined();
    const full = signIn(configOf(method, 2), peer, world);
    expect(full.sent).toEqual(['challenge']);
    expect(world.network.vectors).toBe(2);
  });

  it('a counter the peer already saw gets AT_COUNTER_TOO_SMALL and a full authentication', () => {
    const world = { network: hss(), ids: store() };
    const full = signIn(configOf(method), peerOf(method), world);
    const peer = { ...full.peer, reauth: { ...full.peer.reauth!, counter: 5 } };
    const o = signIn(configOf(method), peer, world);
    expect(o.sent).toEqual(['reauthentication', 'challenge']);
    expect(o.ok).toBe(true);
    expect(o.peerMsk).toEqual(o.msk);
  });
});
