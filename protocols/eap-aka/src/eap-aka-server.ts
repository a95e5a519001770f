import { timingSafeEqual } from 'node:crypto';
import type { AkaVector } from '@pakawaaz/milenage';
import {
  attributeBytes,
  attributeCodes,
  decodeEap,
  EapCodecError,
  encodeEap,
  resAttribute,
  type AkaAttribute,
  type AkaSubtype,
  type DecodedEap,
  type EapAkaMethod,
} from './eap-aka-codec.js';
import { parseAkaIdentity, type AkaIdentity } from './eap-aka-identity.js';
import {
  computeCheckcode,
  deriveAkaKeys,
  deriveAkaPrimeKeys,
  deriveCkIkPrime,
  signPacket,
  verifyAtMac,
} from './eap-aka-keys.js';

/**
 * The EAP-AKA (RFC 4187) / EAP-AKA' (RFC 9048) server as a pure reducer: each call takes the state and one
 * input and returns the next state and one effect. Vectors, re-synchronisation and randomness come from the
 * caller (core-network's AkaVectorSource, crypto.randomBytes), so this file does no I/O.
 *
 * Flow: start → [AKA-Identity ×≤3] → need-vector → AKA-Challenge → Success | Failure, with at most one
 * Synchronization-Failure → resync → need-vector → AKA-Challenge detour.
 */

export type EapAkaServerConfig = {
  readonly method: EapAkaMethod;
  /** EAP-AKA' only: the access network name bound into CK'/IK' and sent in AT_KDF_INPUT (RFC 9048 §3.1). */
  readonly networkName?: string;
  /** Responses accepted before giving up, including discarded ones: bounds a peer that never finishes. */
  readonly maxResponses?: number;
};

type IdLevel = 'any' | 'fullauth' | 'permanent';
const LEVELS: readonly IdLevel[] = ['any', 'fullauth', 'permanent'];
const LEVEL_ATTRIBUTE = {
  any: 'any-id-req',
  fullauth: 'fullauth-id-req',
  permanent: 'permanent-id-req',
} as const satisfies Record<IdLevel, AkaAttribute['type']>;

type Settings = {
  readonly method: EapAkaMethod;
  readonly networkName: Buffer | undefined;
  readonly maxResponses: number;
};

type Common = {
  readonly settings: Settings;
  /** Identifier of the last request sent; a response must echo it (RFC 3748 §4.1). */
  readonly identifier: number;
  readonly responses: number;
  /** Raw AKA-Identity requests and responses, in order, for AT_CHECKCODE. */
  readonly transcript: readonly Buffer[];
};

type Subscriber = { readonly identity: Buffer; readonly imsi: string; readonly resynced: boolean };

type Challenge = {
  readonly rand: Buffer;
  /** null for a decoy challenge (unknown IMSI): no response can succeed. */
  readonly xres: Buffer | null;
  readonly kAut: Buffer;
  readonly msk: Buffer;
  readonly emsk: Buffer;
  readonly checkcode: Buffer;
};

export type EapAkaServerState =
  | (Common & { readonly phase: 'identity'; readonly level: IdLevel; readonly request: Buffer })
  | (Common & Subscriber & { readonly phase: 'vector' })
  | (Common & Subscriber & Challenge & { readonly phase: 'challenge' })
  | (Common & { readonly phase: 'done' });

/** For the caller's audit log only: the peer sees the same EAP-Failure whatever the reason. */
export type EapAkaFailureReason =
  | 'rejected'
  | 'client_error'
  | 'bad_mac'
  | 'bad_res'
  | 'bad_checkcode'
  | 'malformed'
  | 'unexpected_message'
  | 'too_many_responses'
  | 'no_permanent_identity'
  | 'repeated_sync_failure';

export type EapAkaEffect =
  | { readonly kind: 'send'; readonly packet: Buffer }
  /** Fetch a vector for this IMSI (null when unknown, barred or unassigned) and call `supplyVector`. */
  | { readonly kind: 'need-vector'; readonly imsi: string }
  /** Re-synchronise with this AUTS, then fetch a fresh vector (null if AUTS failed) and call `supplyVector`. */
  | { readonly kind: 'resync'; readonly imsi: string; readonly rand: Buffer; readonly auts: Buffer }
  | {
      readonly kind: 'success';
      readonly packet: Buffer;
      readonly imsi: string;
      readonly identity: Buffer;
      readonly msk: Buffer;
      readonly emsk: Buffer;
    }
  | { readonly kind: 'failure'; readonly packet: Buffer; readonly reason: EapAkaFailureReason }
  /** A stale or duplicate response, or nothing was expected: ignore it (RFC 3748 §4.1). */
  | { readonly kind: 'discard' };

export type EapAkaStep = { readonly state: EapAkaServerState; readonly effect: EapAkaEffect };

const DEFAULT_MAX_RESPONSES = 8;
/** AT_KDF value 1: the TS 33.402 Annex A.2 KDF with HMAC-SHA-256 (RFC 9048 §3.2). */
const KDF_HMAC_SHA256 = 1;
/** Random bytes a decoy challenge consumes: RAND, AUTN, CK, IK. */
export const EAP_AKA_DECOY_RANDOM_BYTES = 64;

const nextIdentifier = (identifier: number): number => (identifier + 1) & 0xff;

function settingsFrom(config: EapAkaServerConfig): Settings {
  const maxResponses = config.maxResponses ?? DEFAULT_MAX_RESPONSES;
  if (!Number.isInteger(maxResponses) || maxResponses < 1) throw new RangeError('maxResponses must be ≥ 1');
  if (config.method === 'aka') return { method: 'aka', networkName: undefined, maxResponses };
  const name = Buffer.from(config.networkName ?? '', 'utf8');
  if (name.length === 0 || name.length > 255)
    throw new RangeError("EAP-AKA' needs a network name (1–255 bytes)");
  return { method: 'aka-prime', networkName: name, maxResponses };
}

function common(state: Common, changes: Partial<Common> = {}): Common {
  const { settings, identifier, responses, transcript } = { ...state, ...changes };
  return { settings, identifier, responses, transcript };
}

function finish(state: Common, reason: EapAkaFailureReason): EapAkaStep {
  const { bytes } = encodeEap({ code: 'failure', identifier: state.identifier });
  return { state: { ...common(state), phase: 'done' }, effect: { kind: 'failure', packet: bytes, reason } };
}

function identityRequest(state: Common, level: IdLevel): EapAkaStep {
  const identifier = nextIdentifier(state.identifier);
  const { bytes } = encodeEap({
    code: 'request',
    identifier,
    body: {
      type: state.settings.method,
      subtype: 'identity',
      attributes: [{ type: LEVEL_ATTRIBUTE[level] }],
    },
  });
  return {
    state: { ...common(state, { identifier }), phase: 'identity', level, request: bytes },
    effect: { kind: 'send', packet: bytes },
  };
}

function askForVector(state: Common, identity: Buffer, imsi: string): EapAkaStep {
  return {
    state: { ...common(state), phase: 'vector', identity, imsi, resynced: false },
    effect: { kind: 'need-vector', imsi },
  };
}

/**
 * Identity privacy (RFC 4187 §4.1.6): start from the least revealing request the situation allows and
 * escalate only as far as needed. Pseudonyms and fast re-authentication are not supported yet, so a
 * pseudonym needs the permanent identity and a re-authentication identity needs a full-auth one.
 */
function requiredLevel(kind: AkaIdentity['kind'] | undefined): IdLevel {
  if (kind === 'reauth') return 'fullauth';
  if (kind === 'pseudonym') return 'permanent';
  return 'any';
}

function escalate(level: IdLevel, kind: AkaIdentity['kind']): IdLevel | undefined {
  const required = kind === 'reauth' ? 'fullauth' : 'permanent';
  return LEVELS[Math.max(LEVELS.indexOf(level) + 1, LEVELS.indexOf(required))];
}

/**
 * Starts a conversation after the EAP-Response/Identity (`identifier` is its identifier). A permanent
 * identity there is used as is (RFC 4187 §7 then takes it for MK), so no AKA-Identity round is needed.
 */
export function startEapAka(
  config: EapAkaServerConfig,
  input: { readonly identifier: number; readonly identity?: Uint8Array },
): EapAkaStep {
  const state: Common = {
    settings: settingsFrom(config),
    identifier: input.identifier & 0xff,
    responses: 0,
    transcript: [],
  };
  const parsed = input.identity ? parseAkaIdentity(state.settings.method, input.identity) : undefined;
  if (parsed?.kind === 'permanent' && input.identity)
    return askForVector(state, Buffer.from(input.identity), parsed.imsi);
  return identityRequest(state, requiredLevel(parsed?.kind));
}

function checkVector(vector: AkaVector): AkaVector {
  const sizes = [vector.rand, vector.autn, vector.ck, vector.ik].map((b) => b.length);
  if (sizes.some((size) => size !== 16)) throw new RangeError('vector RAND/AUTN/CK/IK must be 16 bytes');
  if (vector.xres.length < 4 || vector.xres.length > 16) throw new RangeError('XRES must be 4–16 bytes');
  return vector;
}

/** A challenge indistinguishable on the wire from a real one, so an unknown IMSI fails like a wrong SIM. */
function decoyVector(random: Uint8Array): AkaVector {
  if (random.length < EAP_AKA_DECOY_RANDOM_BYTES) throw new RangeError('supplyVector needs 64 random bytes');
  const part = (i: number): Buffer => Buffer.from(random.subarray(i * 16, i * 16 + 16));
  return { rand: part(0), autn: part(1), ck: part(2), ik: part(3), xres: Buffer.alloc(0) };
}

function sessionKeys(
  settings: Settings,
  identity: Buffer,
  v: AkaVector,
): { kAut: Buffer; msk: Buffer; emsk: Buffer } {
  if (settings.method === 'aka' || !settings.networkName) return deriveAkaKeys(identity, v.ik, v.ck);
  const { ckPrime, ikPrime } = deriveCkIkPrime(v.ck, v.ik, settings.networkName, v.autn.subarray(0, 6));
  return deriveAkaPrimeKeys(identity, ckPrime, ikPrime);
}

function challengeAttributes(settings: Settings, v: AkaVector, checkcode: Buffer): AkaAttribute[] {
  const kdf: AkaAttribute[] = settings.networkName
    ? [
        { type: 'kdf', code: KDF_HMAC_SHA256 },
        { type: 'kdf-input', value: settings.networkName },
      ]
    : [];
  return [
    { type: 'rand', value: v.rand },
    { type: 'autn', value: v.autn },
    ...kdf,
    { type: 'checkcode', value: checkcode },
    { type: 'mac', value: Buffer.alloc(16) },
  ];
}

function signedChallenge(
  settings: Settings,
  identifier: number,
  attributes: AkaAttribute[],
  kAut: Buffer,
): Buffer {
  const { method } = settings;
  const body = { type: method, subtype: 'challenge', attributes } as const;
  const { bytes, macOffset } = encodeEap({ code: 'request', identifier, body });
  // challengeAttributes always ends with AT_MAC, so the offset is defined.
  return signPacket(method, kAut, bytes, macOffset ?? bytes.length - 16);
}

/**
 * Answers a `need-vector` or `resync` effect. Pass `null` for an unknown, barred or unassigned SIM and always
 * pass 64 fresh random bytes: the reply is then a decoy challenge, so the peer cannot tell whether the IMSI
 * exists (issue 4: errors never reveal it).
 */
export function supplyVector(
  state: EapAkaServerState,
  vector: AkaVector | null,
  random: Uint8Array,
): EapAkaStep {
  if (state.phase !== 'vector') throw new Error('supplyVector called without a pending vector request');
  const v = vector ? checkVector(vector) : decoyVector(random);
  const { settings } = state;
  const { kAut, msk, emsk } = sessionKeys(settings, state.identity, v);
  const checkcode = computeCheckcode(settings.method, state.transcript);
  const identifier = nextIdentifier(state.identifier);
  const packet = signedChallenge(settings, identifier, challengeAttributes(settings, v, checkcode), kAut);
  const { identity, imsi, resynced } = state;
  const xres = vector ? vector.xres : null;
  return {
    state: {
      ...common(state, { identifier }),
      phase: 'challenge',
      identity,
      imsi,
      resynced,
      rand: v.rand,
      xres,
      kAut,
      msk,
      emsk,
      checkcode,
    },
    effect: { kind: 'send', packet },
  };
}

type AkaResponse = { readonly subtype: AkaSubtype; readonly attributes: readonly AkaAttribute[] };

function onIdentity(
  state: Extract<EapAkaServerState, { phase: 'identity' }>,
  msg: AkaResponse,
  raw: Buffer,
): EapAkaStep {
  if (msg.subtype !== 'identity') return finish(state, 'unexpected_message');
  const identity = attributeBytes(msg.attributes, 'identity');
  if (!identity) return finish(state, 'malformed');
  const next = common(state, { transcript: [...state.transcript, state.request, raw] });
  const parsed = parseAkaIdentity(state.settings.method, identity);
  if (parsed.kind === 'permanent') return askForVector(next, identity, parsed.imsi);
  const level = escalate(state.level, parsed.kind);
  return level ? identityRequest(next, level) : finish(next, 'no_permanent_identity');
}

type ChallengeState = Extract<EapAkaServerState, { phase: 'challenge' }>;

function onSyncFailure(state: ChallengeState, msg: AkaResponse): EapAkaStep {
  const auts = attributeBytes(msg.attributes, 'auts');
  if (!auts) return finish(state, 'malformed');
  // One re-synchronisation per conversation: a second AUTS means the SQN did not converge or a peer is probing.
  if (state.resynced) return finish(state, 'repeated_sync_failure');
  const { identity, imsi } = state;
  return {
    state: { ...common(state), phase: 'vector', identity, imsi, resynced: true },
    effect: { kind: 'resync', imsi, rand: state.rand, auts },
  };
}

const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** Every check runs whatever the others found, so timing does not say which one failed. */
function challengeFailure(
  state: ChallengeState,
  msg: AkaResponse,
  decoded: DecodedEap,
  raw: Buffer,
): EapAkaFailureReason | undefined {
  const res = resAttribute(msg.attributes);
  const kdfs = attributeCodes(msg.attributes, 'kdf');
  const kdfOk =
    kdfs.every((k) => k === KDF_HMAC_SHA256) && (state.settings.method === 'aka-prime' || kdfs.length === 0);
  if (!res || decoded.macOffset === undefined || !kdfOk) return 'malformed';
  const macOk = verifyAtMac(state.settings.method, state.kAut, raw, decoded.macOffset);
  const peerCheckcode = attributeBytes(msg.attributes, 'checkcode');
  const checkOk = peerCheckcode === undefined || sameBytes(peerCheckcode, state.checkcode);
  const expected = state.xres ?? state.rand;
  const resOk = sameBytes(res.value, expected) && res.bits === expected.length * 8 && state.xres !== null;
  if (!macOk) return 'bad_mac';
  if (!checkOk) return 'bad_checkcode';
  return resOk ? undefined : 'bad_res';
}

function onChallenge(state: ChallengeState, msg: AkaResponse, decoded: DecodedEap, raw: Buffer): EapAkaStep {
  if (msg.subtype === 'authentication-reject') return finish(state, 'rejected');
  if (msg.subtype === 'synchronization-failure') return onSyncFailure(state, msg);
  if (msg.subtype !== 'challenge') return finish(state, 'unexpected_message');
  const reason = challengeFailure(state, msg, decoded, raw);
  if (reason) return finish(state, reason);
  const { bytes } = encodeEap({ code: 'success', identifier: state.identifier });
  const { imsi, identity, msk, emsk } = state;
  return {
    state: { ...common(state), phase: 'done' },
    effect: { kind: 'success', packet: bytes, imsi, identity, msk, emsk },
  };
}

function decodeOrNull(raw: Buffer): DecodedEap | null {
  try {
    return decodeEap(raw);
  } catch (error) {
    if (error instanceof EapCodecError) return null;
    throw error;
  }
}

/** Feeds one EAP-Response from the peer into the conversation. */
export function receiveEapAka(state: EapAkaServerState, bytes: Uint8Array): EapAkaStep {
  if (state.phase === 'done' || state.phase === 'vector') return { state, effect: { kind: 'discard' } };
  const counted = { ...state, responses: state.responses + 1 };
  if (counted.responses > state.settings.maxResponses) return finish(counted, 'too_many_responses');
  const raw = Buffer.from(bytes);
  const decoded = decodeOrNull(raw);
  if (!decoded) return finish(counted, 'malformed');
  const { packet } = decoded;
  if (packet.identifier !== state.identifier) return { state: counted, effect: { kind: 'discard' } };
  if (packet.code !== 'response' || packet.body.type !== state.settings.method) {
    return finish(counted, 'unexpected_message');
  }
  const msg = packet.body;
  if (msg.subtype === 'client-error') return finish(counted, 'client_error');
  return counted.phase === 'identity'
    ? onIdentity(counted, msg, raw)
    : onChallenge(counted, msg, decoded, raw);
}
