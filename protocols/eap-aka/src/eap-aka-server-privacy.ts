import type { DecodedEap } from './eap-aka-codec.js';
import type { AkaAttribute } from './eap-aka-codec.js';
import { encodeEap } from './eap-aka-codec.js';
import { encryptAttributes } from './eap-aka-encr.js';
import { computeCheckcode } from './eap-aka-keys.js';
import { checkReauthResponse, reauthKeys, reauthRequest } from './eap-aka-reauth.js';
import {
  askForVector,
  common,
  escalate,
  finish,
  identityRequest,
  nextIdentifier,
  requiredLevel,
  EAP_AKA_RANDOM_BYTES,
  type AkaResponse,
  type EapAkaServerState,
  type EapAkaStep,
  type Issued,
  type KnownIdentity,
  type PresentedIdentity,
  type Settings,
} from './eap-aka-server-state.js';

/**
 * Identity privacy in the EAP-AKA server reducer (RFC 4187 §4.1.1.7, §5; RFC 9048 §3.3): resolving pseudonyms
 * and re-authentication identities, minting new ones, and the fast re-authentication exchange.
 */

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
export function newIdentity(
  settings: Settings,
  kind: 'pseudonym' | 'reauth',
  random: Buffer,
  seen: Buffer,
): string {
  const username = PRIVACY_PREFIX[settings.method][kind] + random.toString('hex');
  if (kind === 'pseudonym') return username;
  const text = seen.toString('latin1');
  const at = text.lastIndexOf('@');
  return at >= 0 && at < text.length - 1 ? `${username}@${text.slice(at + 1)}` : username;
}

/** AT_IV and AT_ENCR_DATA carrying the next pseudonym and re-authentication identity (RFC 4187 §9.3). */
export function issuedAttributes(kEncr: Buffer, iv: Buffer, issued: Issued): AkaAttribute[] {
  const inner: AkaAttribute[] = [
    { type: 'next-pseudonym', value: Buffer.from(issued.pseudonym, 'utf8') },
    { type: 'next-reauth-id', value: Buffer.from(issued.reauth.identity, 'utf8') },
  ];
  return [
    { type: 'iv', value: iv },
    { type: 'encr-data', value: encryptAttributes(kEncr, iv, inner) },
  ];
}

type ReauthState = Extract<EapAkaServerState, { phase: 'reauth' }>;

export function onReauth(state: ReauthState, msg: AkaResponse, decoded: DecodedEap, raw: Buffer): EapAkaStep {
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
