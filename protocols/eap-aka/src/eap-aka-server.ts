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
  type DecodedEap,
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
import { issuedAttributes, newIdentity, onReauth } from './eap-aka-server-privacy.js';
import {
  askForVector,
  common,
  EAP_AKA_DECOY_RANDOM_BYTES,
  EAP_AKA_RANDOM_BYTES,
  escalate,
  finish,
  identityRequest,
  KDF_HMAC_SHA256,
  lookup,
  nextIdentifier,
  requiredLevel,
  settingsFrom,
  type AkaResponse,
  type Common,
  type EapAkaFailureReason,
  type EapAkaPrivacyOutcome,
  type EapAkaServerConfig,
  type EapAkaServerState,
  type EapAkaStep,
  type Issued,
  type Settings,
} from './eap-aka-server-state.js';

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

export { supplyIdentity } from './eap-aka-server-privacy.js';
export {
  EAP_AKA_DECOY_RANDOM_BYTES,
  EAP_AKA_RANDOM_BYTES,
  type EapAkaEffect,
  type EapAkaFailureReason,
  type EapAkaServerConfig,
  type EapAkaServerState,
  type EapAkaStep,
} from './eap-aka-server-state.js';
