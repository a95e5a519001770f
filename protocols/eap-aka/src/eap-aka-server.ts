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
import { encryptAttributes } from './eap-aka-encr.js';
import { checkReauthResponse, reauthKeys, reauthRequest, type ReauthSecrets } from './eap-aka-reauth.js';
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
 * Synchronization-Failure → resync → need-vector → AKA-Challenge detour. With `privacy` on, a pseudonym or
 * re-authentication identity becomes a `lookup` effect first: a known pseudonym goes straight to the
 * challenge (the IMSI never crosses the link), a known re-authentication identity to AKA-Reauthentication
 * (no vector), an unknown one to the next AT_*_ID_REQ (RFC 4187 §4.1.4–§4.1.6). Every full authentication
 * hands out a new pseudonym and re-authentication identity in AT_ENCR_DATA, every fast one a new
 * re-authentication identity; the caller stores them only on success.
 */

export type EapAkaServerConfig = {
  readonly method: EapAkaMethod;
  /** EAP-AKA' only: the access network name bound into CK'/IK' and sent in AT_KDF_INPUT (RFC 9048 §3.1). */
  readonly networkName?: string;
  /** Responses accepted before giving up, including discarded ones: bounds a peer that never finishes. */
  readonly maxResponses?: number;
  /** Pseudonyms and fast re-authentication; unset: every identity must be (or become) the permanent one. */
  readonly privacy?: { readonly maxReauths?: number };
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
  /** Fast re-authentications allowed after one full authentication; null: no privacy identities at all. */
  readonly maxReauths: number | null;
};

type Common = {
  readonly settings: Settings;
  /** Identifier of the last request sent; a response must echo it (RFC 3748 §4.1). */
  readonly identifier: number;
  readonly responses: number;
  /** Raw AKA-Identity requests and responses, in order, for AT_CHECKCODE. */
  readonly transcript: readonly Buffer[];
};

/** The pseudonym or re-authentication identity a conversation was resolved from: it must still be unused. */
export type PresentedIdentity = {
  readonly kind: 'pseudonym' | 'reauth';
  readonly identity: Buffer;
  /** The re-authentication counter the store held (0 for a pseudonym). */
  readonly counter: number;
};

type Subscriber = {
  readonly identity: Buffer;
  readonly imsi: string;
  readonly resynced: boolean;
  readonly presented: PresentedIdentity | null;
};

type Challenge = {
  readonly rand: Buffer;
  /** null for a decoy challenge (unknown IMSI): no response can succeed. */
  readonly xres: Buffer | null;
  readonly kAut: Buffer;
  readonly msk: Buffer;
  readonly emsk: Buffer;
  readonly checkcode: Buffer;
  readonly issued: Issued | null;
};

type Issued = { readonly pseudonym: string; readonly reauth: IssuedReauth };

/** A re-authentication identity handed to the peer, with what its next fast re-authentication needs. */
export type IssuedReauth = ReauthSecrets & { readonly identity: string; readonly counter: number };

type Reauth = {
  readonly identity: Buffer;
  readonly imsi: string;
  readonly presented: PresentedIdentity;
  readonly secrets: ReauthSecrets;
  readonly counter: number;
  readonly nonceS: Buffer;
  readonly checkcode: Buffer;
  readonly nextReauthId: string | null;
};

export type EapAkaServerState =
  | (Common & { readonly phase: 'identity'; readonly level: IdLevel; readonly request: Buffer })
  | (Common & {
      readonly phase: 'lookup';
      readonly kind: 'pseudonym' | 'reauth';
      readonly identity: Buffer;
      /** The AT_*_ID_REQ level answered, or null for EAP-Response/Identity. */
      readonly level: IdLevel | null;
    })
  | (Common & Subscriber & { readonly phase: 'vector' })
  | (Common & Subscriber & Challenge & { readonly phase: 'challenge' })
  | (Common & Reauth & { readonly phase: 'reauth' })
  | (Common & { readonly phase: 'done' });

/** What the caller must store (and check) when a conversation with `privacy` on succeeds. */
export type EapAkaPrivacyOutcome = {
  /** Consume this identity atomically; if it is gone (used elsewhere meanwhile), fail the conversation. */
  readonly used: PresentedIdentity | null;
  /** The new pseudonym's username (full authentication only; the peer adds its realm). */
  readonly pseudonym: string | null;
  readonly reauth: IssuedReauth | null;
  readonly fast: boolean;
};

/** What the caller's store knows about a pseudonym or re-authentication identity. */
export type KnownIdentity =
  | { readonly kind: 'pseudonym'; readonly imsi: string }
  | ({ readonly kind: 'reauth'; readonly imsi: string; readonly counter: number } & ReauthSecrets);

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
  | 'repeated_sync_failure'
  | 'bad_counter'
  /** The caller found the pseudonym or re-authentication identity used elsewhere meanwhile. */
  | 'identity_reused';

export type EapAkaEffect =
  | { readonly kind: 'send'; readonly packet: Buffer }
  /** Look this pseudonym / re-authentication identity up (null: unknown, expired or not allowed) → `supplyIdentity`. */
  | { readonly kind: 'lookup'; readonly of: 'pseudonym' | 'reauth'; readonly identity: Buffer }
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
      /** null unless `privacy` is on. */
      readonly privacy: EapAkaPrivacyOutcome | null;
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
/** Random bytes `supplyVector` and `supplyIdentity` may consume: a decoy, IV, NONCE_S and two new identities. */
export const EAP_AKA_RANDOM_BYTES = EAP_AKA_DECOY_RANDOM_BYTES + 64;
const DEFAULT_MAX_REAUTHS = 16;

const nextIdentifier = (identifier: number): number => (identifier + 1) & 0xff;

function settingsFrom(config: EapAkaServerConfig): Settings {
  const maxResponses = config.maxResponses ?? DEFAULT_MAX_RESPONSES;
  if (!Number.isInteger(maxResponses) || maxResponses < 1) throw new RangeError('maxResponses must be ≥ 1');
  const maxReauths = config.privacy ? (config.privacy.maxReauths ?? DEFAULT_MAX_REAUTHS) : null;
  if (maxReauths !== null && (!Number.isInteger(maxReauths) || maxReauths < 0 || maxReauths > 0xfffe))
    throw new RangeError('maxReauths must be 0–65534');
  if (config.method === 'aka') return { method: 'aka', networkName: undefined, maxResponses, maxReauths };
  const name = Buffer.from(config.networkName ?? '', 'utf8');
  if (name.length === 0 || name.length > 255)
    throw new RangeError("EAP-AKA' needs a network name (1–255 bytes)");
  return { method: 'aka-prime', networkName: name, maxResponses, maxReauths };
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

function askForVector(
  state: Common,
  identity: Buffer,
  imsi: string,
  presented: PresentedIdentity | null = null,
): EapAkaStep {
  return {
    state: { ...common(state), phase: 'vector', identity, imsi, resynced: false, presented },
    effect: { kind: 'need-vector', imsi },
  };
}

function lookup(
  state: Common,
  kind: 'pseudonym' | 'reauth',
  identity: Buffer,
  level: IdLevel | null,
): EapAkaStep {
  return {
    state: { ...common(state), phase: 'lookup', kind, identity, level },
    effect: { kind: 'lookup', of: kind, identity },
  };
}

/**
 * Identity privacy (RFC 4187 §4.1.6): start from the least revealing request the situation allows and
 * escalate only as far as needed: an unknown pseudonym needs the permanent identity, an unknown
 * re-authentication identity a full-authentication one (a pseudonym will do).
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
  const privacy = state.settings.maxReauths !== null;
  if (privacy && input.identity && (parsed?.kind === 'pseudonym' || parsed?.kind === 'reauth'))
    return lookup(state, parsed.kind, Buffer.from(input.identity), null);
  return identityRequest(state, requiredLevel(parsed?.kind));
}

/** Where an unknown pseudonym / re-authentication identity leads: the next AT_*_ID_REQ, or giving up. */
function unknownIdentity(state: Extract<EapAkaServerState, { phase: 'lookup' }>): EapAkaStep {
  const level = state.level === null ? requiredLevel(state.kind) : escalate(state.level, state.kind);
  return level ? identityRequest(state, level) : finish(state, 'no_permanent_identity');
}

/**
 * Answers a `lookup` effect with what the store knows (null: unknown, expired, or the SIM may not sign in —
 * all alike, so the peer learns nothing but that it must identify itself further). `random` as for
 * `supplyVector` (EAP_AKA_RANDOM_BYTES).
 */
export function supplyIdentity(
  state: EapAkaServerState,
  known: KnownIdentity | null,
  random: Uint8Array,
): EapAkaStep {
  if (state.phase !== 'lookup') throw new Error('supplyIdentity called without a pending lookup');
  const { settings } = state;
  if (!known || known.kind !== state.kind || settings.maxReauths === null) return unknownIdentity(state);
  const presented: PresentedIdentity = {
    kind: state.kind,
    identity: state.identity,
    counter: known.kind === 'reauth' ? known.counter : 0,
  };
  if (known.kind === 'pseudonym') return askForVector(state, state.identity, known.imsi, presented);
  // A counter at the limit means the last fast re-authentication handed out no new identity: full auth.
  if (known.counter >= settings.maxReauths) return unknownIdentity(state);
  if (random.length < EAP_AKA_RANDOM_BYTES) throw new RangeError('supplyIdentity needs EAP_AKA_RANDOM_BYTES');
  const part = (i: number): Buffer => Buffer.from(random.subarray(i * 16, i * 16 + 16));
  const counter = known.counter + 1;
  const { kEncr, kAut, master } = known;
  const nextReauthId =
    counter < settings.maxReauths ? newIdentity(settings, 'reauth', part(2), state.identity) : null;
  const checkcode = computeCheckcode(settings.method, state.transcript);
  const identifier = nextIdentifier(state.identifier);
  const secrets = { kEncr, kAut, master };
  const nonceS = part(0);
  const packet = reauthRequest({
    method: settings.method,
    identifier,
    secrets,
    counter,
    nonceS,
    iv: part(1),
    nextReauthId,
    checkcode,
  });
  return {
    state: {
      ...common(state, { identifier }),
      phase: 'reauth',
      identity: state.identity,
      imsi: known.imsi,
      presented,
      secrets,
      counter,
      nonceS,
      checkcode,
      nextReauthId,
    },
    effect: { kind: 'send', packet },
  };
}

const PRIVACY_PREFIX = {
  aka: { pseudonym: '2', reauth: '4' },
  'aka-prime': { pseudonym: '7', reauth: '8' },
} as const;

/**
 * A new pseudonym (username only: RFC 4187 §4.1.1.7 has the peer add its permanent identity's realm) or
 * re-authentication identity (a whole NAI, in the realm the peer used, so it routes back here): the TS
 * 23.003 prefix, then 128 random bits in hex — unguessable, and unrelated to the IMSI.
 */
function newIdentity(settings: Settings, kind: 'pseudonym' | 'reauth', random: Buffer, seen: Buffer): string {
  const username = PRIVACY_PREFIX[settings.method][kind] + random.toString('hex');
  if (kind === 'pseudonym') return username;
  const text = seen.toString('latin1');
  const at = text.lastIndexOf('@');
  return at >= 0 && at < text.length - 1 ? `${username}@${text.slice(at + 1)}` : username;
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
): { kAut: Buffer; msk: Buffer; emsk: Buffer; kEncr: Buffer; master: Buffer } {
  if (settings.method === 'aka' || !settings.networkName) {
    const keys = deriveAkaKeys(identity, v.ik, v.ck);
    return { ...keys, master: keys.mk };
  }
  const { ckPrime, ikPrime } = deriveCkIkPrime(v.ck, v.ik, settings.networkName, v.autn.subarray(0, 6));
  const keys = deriveAkaPrimeKeys(identity, ckPrime, ikPrime);
  return { ...keys, master: keys.kRe };
}

/** AT_IV and AT_ENCR_DATA carrying the next pseudonym and re-authentication identity (RFC 4187 §9.3). */
function issuedAttributes(kEncr: Buffer, iv: Buffer, issued: Issued): AkaAttribute[] {
  const inner: AkaAttribute[] = [
    { type: 'next-pseudonym', value: Buffer.from(issued.pseudonym, 'utf8') },
    { type: 'next-reauth-id', value: Buffer.from(issued.reauth.identity, 'utf8') },
  ];
  return [
    { type: 'iv', value: iv },
    { type: 'encr-data', value: encryptAttributes(kEncr, iv, inner) },
  ];
}

function challengeAttributes(
  settings: Settings,
  v: AkaVector,
  checkcode: Buffer,
  encrypted: AkaAttribute[],
): AkaAttribute[] {
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
    ...encrypted,
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
 * pass fresh random bytes (EAP_AKA_RANDOM_BYTES; 64 do without privacy): the reply is then a decoy challenge —
 * new identities in AT_ENCR_DATA included — so the peer cannot tell whether the IMSI exists (issue 4).
 */
export function supplyVector(
  state: EapAkaServerState,
  vector: AkaVector | null,
  random: Uint8Array,
): EapAkaStep {
  if (state.phase !== 'vector') throw new Error('supplyVector called without a pending vector request');
  const v = vector ? checkVector(vector) : decoyVector(random);
  const { settings } = state;
  const { kAut, msk, emsk, kEncr, master } = sessionKeys(settings, state.identity, v);
  const checkcode = computeCheckcode(settings.method, state.transcript);
  const identifier = nextIdentifier(state.identifier);
  let issued: Issued | null = null;
  if (settings.maxReauths !== null) {
    if (random.length < EAP_AKA_RANDOM_BYTES) throw new RangeError('supplyVector needs EAP_AKA_RANDOM_BYTES');
    const part = (i: number): Buffer => Buffer.from(random.subarray(64 + i * 16, 64 + i * 16 + 16));
    const pseudonym = newIdentity(settings, 'pseudonym', part(1), state.identity);
    const reauthId = newIdentity(settings, 'reauth', part(2), state.identity);
    issued = { pseudonym, reauth: { identity: reauthId, counter: 0, kEncr, kAut, master } };
  }
  const encrypted = issued ? issuedAttributes(kEncr, Buffer.from(random.subarray(64, 80)), issued) : [];
  const attributes = challengeAttributes(settings, v, checkcode, encrypted);
  const packet = signedChallenge(settings, identifier, attributes, kAut);
  const { identity, imsi, resynced, presented } = state;
  const xres = vector ? vector.xres : null;
  return {
    state: {
      ...common(state, { identifier }),
      phase: 'challenge',
      identity,
      imsi,
      resynced,
      presented,
      rand: v.rand,
      xres,
      kAut,
      msk,
      emsk,
      checkcode,
      issued,
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
  // A pseudonym answers AT_ANY_ID_REQ or AT_FULLAUTH_ID_REQ, a re-authentication identity only AT_ANY_ID_REQ.
  const privacy = state.settings.maxReauths !== null;
  const acceptable =
    (parsed.kind === 'pseudonym' && state.level !== 'permanent') ||
    (parsed.kind === 'reauth' && state.level === 'any');
  if (privacy && acceptable && (parsed.kind === 'pseudonym' || parsed.kind === 'reauth'))
    return lookup(next, parsed.kind, identity, state.level);
  const level = escalate(state.level, parsed.kind);
  return level ? identityRequest(next, level) : finish(next, 'no_permanent_identity');
}

type ChallengeState = Extract<EapAkaServerState, { phase: 'challenge' }>;

function onSyncFailure(state: ChallengeState, msg: AkaResponse): EapAkaStep {
  const auts = attributeBytes(msg.attributes, 'auts');
  if (!auts) return finish(state, 'malformed');
  // One re-synchronisation per conversation: a second AUTS means the SQN did not converge or a peer is probing.
  if (state.resynced) return finish(state, 'repeated_sync_failure');
  const { identity, imsi, presented } = state;
  return {
    state: { ...common(state), phase: 'vector', identity, imsi, resynced: true, presented },
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
  const { imsi, identity, msk, emsk, issued, presented } = state;
  const privacy: EapAkaPrivacyOutcome | null =
    state.settings.maxReauths === null
      ? null
      : {
          used: presented,
          pseudonym: issued?.pseudonym ?? null,
          reauth: issued?.reauth ?? null,
          fast: false,
        };
  return {
    state: { ...common(state), phase: 'done' },
    effect: { kind: 'success', packet: bytes, imsi, identity, msk, emsk, privacy },
  };
}

type ReauthState = Extract<EapAkaServerState, { phase: 'reauth' }>;

function onReauth(state: ReauthState, msg: AkaResponse, decoded: DecodedEap, raw: Buffer): EapAkaStep {
  if (msg.subtype !== 'reauthentication') return finish(state, 'unexpected_message');
  const { settings, secrets, counter, nonceS, identity, imsi, presented } = state;
  const answer = checkReauthResponse({
    method: settings.method,
    secrets,
    counter,
    nonceS,
    checkcode: state.checkcode,
    attributes: msg.attributes,
    decoded,
    raw,
  });
  if (answer.kind === 'bad') return finish(state, answer.reason);
  // RFC 4187 §5.5: the peer refused the counter; a full authentication follows, keyed on the same identity.
  if (answer.kind === 'counter-too-small') return askForVector(state, identity, imsi, presented);
  const { msk, emsk } = reauthKeys(settings.method, secrets, identity, counter, nonceS);
  const reauth = state.nextReauthId === null ? null : { identity: state.nextReauthId, counter, ...secrets };
  const { bytes } = encodeEap({ code: 'success', identifier: state.identifier });
  return {
    state: { ...common(state), phase: 'done' },
    effect: {
      kind: 'success',
      packet: bytes,
      imsi,
      identity,
      msk,
      emsk,
      privacy: { used: presented, pseudonym: null, reauth, fast: true },
    },
  };
}

/**
 * Fails a conversation the reducer would have let succeed, when the caller finds the identity it started
 * from was used elsewhere meanwhile (one-time identities across nodes): the peer gets an EAP-Failure.
 */
export function failEapAka(state: EapAkaServerState, reason: EapAkaFailureReason): EapAkaStep {
  return finish(state, reason);
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
  if (state.phase === 'done' || state.phase === 'vector' || state.phase === 'lookup')
    return { state, effect: { kind: 'discard' } };
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
  if (counted.phase === 'identity') return onIdentity(counted, msg, raw);
  if (counted.phase === 'reauth') return onReauth(counted, msg, decoded, raw);
  return onChallenge(counted, msg, decoded, raw);
}
