import {
  decodeEap,
  EapCodecError,
  encodeEap,
  signPacket,
  type AkaAttribute,
  type DecodedEap,
  type EapAkaMethod,
} from '@pakawaaz/eap-aka';
import { answerChallenge, clientError, type ChallengeReply, type PeerNote } from './eap-aka-challenge.js';
import { answerReauth, type PeerReauth } from './eap-aka-reauth-peer.js';
import type { Usim } from './usim.js';

export type { PeerNote } from './eap-aka-challenge.js';

/**
 * An EAP-AKA (RFC 4187) / EAP-AKA' (RFC 9048) peer as a pure reducer, the handset's side of identity's
 * eap-aka-server.ts: each EAP request in, the next state and one effect out. Like wpa_supplicant it keeps the
 * pseudonym and re-authentication identity a server hands out (AT_ENCR_DATA), gives the least revealing
 * identity each request allows — re-authentication identity, then pseudonym, then the permanent one
 * ('0' / '6' + IMSI @ realm) — and keys the session on the identity it last gave.
 */

export type EapAkaPeerConfig = {
  readonly method: EapAkaMethod;
  readonly imsi: string;
  /** NAI realm; default the TS 23.003 §19.3.2 one for the IMSI's MCC and a 2-digit MNC. */
  readonly realm?: string;
  readonly usim: Usim;
  /** EAP-AKA': the access network name the peer expects in AT_KDF_INPUT; unset accepts any. */
  readonly networkName?: string;
  /**
   * EAP-AKA': also put AT_KDF in the challenge response. RFC 9048 §3.2 has the peer send AT_KDF only to
   * negotiate, and wpa_supplicant never echoes it; a server must cope with both, so tests can try both.
   */
  readonly echoKdf?: boolean;
  /** A pseudonym (whole NAI) from an earlier sign-in, as wpa_supplicant's `anonymous_identity`. */
  readonly pseudonym?: string;
};

type Keys = { readonly msk: Buffer; readonly emsk: Buffer };
type LastExchange = { readonly request: Buffer; readonly packet: Buffer; readonly response: PeerResponse };

export type EapAkaPeerState = {
  readonly method: EapAkaMethod;
  /** The identity given in this conversation, which keys it (RFC 4187 §7). */
  readonly identity: Buffer;
  readonly permanent: Buffer;
  readonly pseudonym: Buffer | undefined;
  readonly reauth: PeerReauth | undefined;
  readonly usim: Usim;
  readonly networkName: Buffer | undefined;
  readonly echoKdf: boolean;
  readonly phase: 'idle' | 'identity' | 'answered' | 'success' | 'failure';
  readonly identityRequests: number;
  readonly transcript: readonly Buffer[];
  /** Keys of the challenge answered, released on EAP-Success. */
  readonly pending: Keys | undefined;
  readonly keys: Keys | undefined;
  /** For retransmitted requests, which get the same response again (RFC 3748 §4.1). */
  readonly last: LastExchange | undefined;
};

/** What the peer sent: EAP-Response/Identity, a Nak, AKA-Identity, or one of the challenge replies. */
export type PeerResponse = 'eap-identity' | 'nak' | 'aka-identity' | ChallengeReply['subtype'];
export type { PeerReauth } from './eap-aka-reauth-peer.js';

export type EapAkaPeerEffect =
  | {
      readonly kind: 'send';
      readonly packet: Buffer;
      readonly response: PeerResponse;
      readonly note?: PeerNote;
    }
  | { readonly kind: 'success'; readonly msk: Buffer; readonly emsk: Buffer }
  | { readonly kind: 'failure'; readonly reason: 'eap-failure' | 'unexpected-success' }
  /** Not a request, malformed, or nothing to answer: ignored, as a peer must (RFC 3748 §4.1). */
  | { readonly kind: 'discard' };

export type EapAkaPeerStep = { readonly state: EapAkaPeerState; readonly effect: EapAkaPeerEffect };

const PREFIX = { aka: '0', 'aka-prime': '6' } as const satisfies Record<EapAkaMethod, string>;
const TYPE_NUMBER = { aka: 23, 'aka-prime': 50 } as const satisfies Record<EapAkaMethod, number>;
/** wpa_supplicant's bound: any-id, then fullauth-id, then permanent-id, never more (RFC 4187 §4.1.6). */
const MAX_IDENTITY_REQUESTS = 3;

export function defaultRealm(imsi: string): string {
  return `wlan.mnc${imsi.slice(3, 5).padStart(3, '0')}.mcc${imsi.slice(0, 3)}.3gppnetwork.org`;
}

/** The permanent identity (NAI) this peer presents: '0' (AKA) or '6' (AKA') + IMSI + '@' + realm. */
export function permanentIdentity(method: EapAkaMethod, imsi: string, realm = defaultRealm(imsi)): string {
  if (!/^\d{6,15}$/.test(imsi)) throw new RangeError('IMSI must be 6–15 digits');
  return `${PREFIX[method]}${imsi}@${realm}`;
}

export function createEapAkaPeer(config: EapAkaPeerConfig): EapAkaPeerState {
  const permanent = Buffer.from(permanentIdentity(config.method, config.imsi, config.realm), 'utf8');
  const pseudonym = config.pseudonym === undefined ? undefined : Buffer.from(config.pseudonym, 'utf8');
  return {
    method: config.method,
    identity: pseudonym ?? permanent,
    permanent,
    pseudonym,
    reauth: undefined,
    usim: config.usim,
    networkName: config.networkName === undefined ? undefined : Buffer.from(config.networkName, 'utf8'),
    echoKdf: config.echoKdf ?? false,
    phase: 'idle',
    identityRequests: 0,
    transcript: [],
    pending: undefined,
    keys: undefined,
    last: undefined,
  };
}

/** The EAP-Request/Identity an authenticator (the lab's NAS) sends first (RFC 3748 §5.1). */
export function eapIdentityRequest(identifier: number): Buffer {
  return encodeEap({ code: 'request', identifier, body: { type: 'identity', data: Buffer.alloc(0) } }).bytes;
}

function decoded(bytes: Uint8Array): DecodedEap | null {
  try {
    return decodeEap(bytes);
  } catch (error) {
    if (error instanceof EapCodecError) return null;
    throw error;
  }
}

function send(
  state: EapAkaPeerState,
  request: Buffer,
  packet: Buffer,
  response: PeerResponse,
  note?: PeerNote,
): EapAkaPeerStep {
  const effect = { kind: 'send', packet, response, ...(note ? { note } : {}) } as const;
  return { state: { ...state, last: { request, packet, response } }, effect };
}

/** An unknown EAP type, or the other AKA method: propose ours instead (RFC 3748 §5.3.1). */
function nak(state: EapAkaPeerState, raw: Buffer, note: PeerNote): EapAkaPeerStep {
  const body = { type: 'nak', data: Buffer.from([TYPE_NUMBER[state.method]]) } as const;
  return send(state, raw, encodeEap({ code: 'response', identifier: raw[1]!, body }).bytes, 'nak', note);
}

function akaResponse(
  state: EapAkaPeerState,
  identifier: number,
  reply: ChallengeReply | IdentityReply,
): Buffer {
  const body = { type: state.method, subtype: reply.subtype, attributes: reply.attributes };
  const { bytes, macOffset } = encodeEap({ code: 'response', identifier, body });
  return reply.kAut && macOffset !== undefined
    ? signPacket(state.method, reply.kAut, bytes, macOffset, reply.macExtra)
    : bytes;
}

type IdentityReply = {
  subtype: 'identity';
  attributes: AkaAttribute[];
  kAut?: undefined;
  macExtra?: undefined;
};

type Choice = Pick<EapAkaPeerState, 'identity' | 'pseudonym' | 'reauth'>;

/**
 * The least revealing identity a request allows (RFC 4187 §4.1.6), forgetting what it passes over as
 * wpa_supplicant does: giving a pseudonym drops the re-authentication identity, the permanent one both.
 */
function choose(state: EapAkaPeerState, level: 'any' | 'fullauth' | 'permanent'): Choice {
  if (level === 'any' && state.reauth)
    return { identity: state.reauth.identity, pseudonym: state.pseudonym, reauth: state.reauth };
  if (level !== 'permanent' && state.pseudonym)
    return { identity: state.pseudonym, pseudonym: state.pseudonym, reauth: undefined };
  return { identity: state.permanent, pseudonym: undefined, reauth: undefined };
}

/**
 * The identity the handset gives when it starts without an EAP-Request/Identity (the HTTPS SIM factor's
 * /start): the least revealing one it holds, which then keys the conversation.
 */
export function presentIdentity(state: EapAkaPeerState): EapAkaPeerState {
  return { ...state, ...choose(state, 'any') };
}

const LEVEL_OF = {
  'any-id-req': 'any',
  'fullauth-id-req': 'fullauth',
  'permanent-id-req': 'permanent',
} as const;

/** AKA-Identity: the least revealing identity for whichever AT_*_ID_REQ was asked (none: no AT_IDENTITY). */
function onAkaIdentity(
  state: EapAkaPeerState,
  raw: Buffer,
  attributes: readonly AkaAttribute[],
): EapAkaPeerStep {
  const identifier = raw[1]!;
  if (state.identityRequests >= MAX_IDENTITY_REQUESTS)
    return onRefusal(state, raw, clientError('too-many-identity-requests'));
  const asked = attributes.find((a) => a.type in LEVEL_OF)?.type as keyof typeof LEVEL_OF | undefined;
  const choice: Partial<Choice> = asked ? choose(state, LEVEL_OF[asked]) : {};
  const reply: IdentityReply = {
    subtype: 'identity',
    attributes: choice.identity ? [{ type: 'identity', value: choice.identity }] : [],
  };
  const packet = akaResponse(state, identifier, reply);
  const next = {
    ...state,
    ...choice,
    phase: 'identity',
    identityRequests: state.identityRequests + 1,
    transcript: [...state.transcript, raw, packet],
  } as const;
  return send(next, raw, packet, 'aka-identity');
}

function onRefusal(state: EapAkaPeerState, raw: Buffer, reply: ChallengeReply): EapAkaPeerStep {
  return send(state, raw, akaResponse(state, raw[1]!, reply), reply.subtype, reply.note);
}

function onChallenge(
  state: EapAkaPeerState,
  raw: Buffer,
  d: DecodedEap,
  attributes: readonly AkaAttribute[],
): EapAkaPeerStep {
  const { reply, usim, keys, learned } = answerChallenge({
    ...state,
    raw,
    macOffset: d.macOffset,
    attributes,
  });
  const packet = akaResponse(state, raw[1]!, reply);
  const next = { ...state, usim, pending: keys, phase: keys ? 'answered' : state.phase } as const;
  if (!learned) return send(next, raw, packet, reply.subtype, reply.note);
  // A verified challenge ends the old re-authentication identity whether or not it brings a new one.
  const { kEncr, kAut, master, nextPseudonym, nextReauthId } = learned;
  const realm = state.permanent.subarray(state.permanent.indexOf('@'));
  const ids = {
    pseudonym: nextPseudonym ? Buffer.concat([nextPseudonym, realm]) : state.pseudonym,
    reauth: nextReauthId ? { identity: nextReauthId, counter: 0, kEncr, kAut, master } : undefined,
  };
  return send({ ...next, ...ids }, raw, packet, reply.subtype, reply.note);
}

function onReauth(
  state: EapAkaPeerState,
  raw: Buffer,
  d: DecodedEap,
  attributes: readonly AkaAttribute[],
): EapAkaPeerStep {
  const { reply, keys, reauth } = answerReauth({ ...state, raw, macOffset: d.macOffset, attributes });
  const packet = akaResponse(state, raw[1]!, reply);
  const next = { ...state, reauth, pending: keys, phase: keys ? 'answered' : state.phase } as const;
  return send(next, raw, packet, reply.subtype, reply.note);
}

/** A fresh EAP-Request/Identity starts a new conversation. */
function onIdentityRequest(state: EapAkaPeerState, raw: Buffer): EapAkaPeerStep {
  const fresh = {
    ...state,
    phase: 'idle',
    identityRequests: 0,
    transcript: [],
    pending: undefined,
    keys: undefined,
  } as const;
  const { identity } = choose(fresh, 'any');
  const body = { type: 'identity', data: identity } as const;
  return send(
    { ...fresh, identity },
    raw,
    encodeEap({ code: 'response', identifier: raw[1]!, body }).bytes,
    'eap-identity',
  );
}

function onRequest(state: EapAkaPeerState, raw: Buffer, d: DecodedEap): EapAkaPeerStep {
  const { packet } = d;
  if (packet.code !== 'request') return { state, effect: { kind: 'discard' } };
  const { body } = packet;
  if (body.type === 'identity') return onIdentityRequest(state, raw);
  if (body.type === 'nak') return { state, effect: { kind: 'discard' } };
  if (body.type !== state.method) return nak(state, raw, 'method-mismatch');
  switch (body.subtype) {
    case 'identity':
      return onAkaIdentity(state, raw, body.attributes);
    case 'challenge':
      return onChallenge(state, raw, d, body.attributes);
    case 'authentication-reject':
    case 'synchronization-failure':
    case 'reauthentication':
      return onReauth(state, raw, d, body.attributes);
    case 'notification':
    case 'client-error':
      return onRefusal(state, raw, clientError('unsupported-subtype'));
  }
}

/** EAP-Success counts only after this peer answered a challenge whose AT_MAC verified (RFC 4187 §9.9). */
function onResult(state: EapAkaPeerState, code: 'success' | 'failure'): EapAkaPeerStep {
  if (code === 'success' && state.pending) {
    const { msk, emsk } = state.pending;
    return {
      state: { ...state, phase: 'success', keys: state.pending, pending: undefined },
      effect: { kind: 'success', msk, emsk },
    };
  }
  const reason = code === 'success' ? 'unexpected-success' : 'eap-failure';
  return { state: { ...state, phase: 'failure', pending: undefined }, effect: { kind: 'failure', reason } };
}

/** Feeds one EAP packet from the authenticator into the peer. */
export function receiveAsPeer(state: EapAkaPeerState, bytes: Uint8Array): EapAkaPeerStep {
  const raw = Buffer.from(bytes);
  const { last } = state;
  if (last && raw.equals(last.request)) {
    return {
      state,
      effect: { kind: 'send', packet: last.packet, response: last.response, note: 'retransmission' },
    };
  }
  const d = decoded(raw);
  if (!d) {
    // An EAP type the codec does not know (MD5, TLS, …) still deserves a Nak; a malformed AKA request is noise.
    const request = raw.length >= 5 && raw[0] === 1 && raw.readUInt16BE(2) === raw.length;
    const aka = raw[4] === TYPE_NUMBER.aka || raw[4] === TYPE_NUMBER['aka-prime'];
    return request && !aka ? nak(state, raw, 'method-mismatch') : { state, effect: { kind: 'discard' } };
  }
  const { code } = d.packet;
  return code === 'success' || code === 'failure' ? onResult(state, code) : onRequest(state, raw, d);
}
