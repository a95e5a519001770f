import {
  attributeBytes,
  attributeCodes,
  encodeEap,
  hasAttribute,
  type AkaAttribute,
  type DecodedEap,
  type EapAkaMethod,
} from './eap-aka-codec.js';
import { decryptAttributes, encryptAttributes } from './eap-aka-encr.js';
import {
  deriveAkaPrimeReauthKeys,
  deriveAkaReauthKeys,
  signPacket,
  verifyAtMac,
  type ReauthKeys,
} from './eap-aka-keys.js';

/**
 * Fast re-authentication (RFC 4187 §5 and §9.7–§9.8, RFC 9048 §3.3): no vector, no SQN — the keys of the last
 * full authentication, a counter that only goes up, and a fresh NONCE_S the peer must MAC its answer over.
 * Pure helpers for eap-aka-server.ts; the reducer owns the state.
 */

/** What the server kept from a full authentication for fast re-authentications (sealed at rest by the caller). */
export type ReauthSecrets = {
  readonly kEncr: Buffer;
  readonly kAut: Buffer;
  /** EAP-AKA: MK (RFC 4187 §7); EAP-AKA': K_re (RFC 9048 §3.3). */
  readonly master: Buffer;
};

export function reauthKeys(
  method: EapAkaMethod,
  secrets: ReauthSecrets,
  identity: Buffer,
  counter: number,
  nonceS: Buffer,
): ReauthKeys {
  return method === 'aka'
    ? deriveAkaReauthKeys(identity, counter, nonceS, secrets.master)
    : deriveAkaPrimeReauthKeys(secrets.master, identity, counter, nonceS);
}

/** EAP-Request/AKA-Reauthentication: AT_IV, AT_ENCR_DATA {COUNTER, NONCE_S, NEXT_REAUTH_ID?}, AT_CHECKCODE, AT_MAC. */
export function reauthRequest(input: {
  readonly method: EapAkaMethod;
  readonly identifier: number;
  readonly secrets: ReauthSecrets;
  readonly counter: number;
  readonly nonceS: Buffer;
  readonly iv: Buffer;
  readonly nextReauthId: string | null;
  readonly checkcode: Buffer;
}): Buffer {
  const inner: AkaAttribute[] = [
    { type: 'counter', code: input.counter },
    { type: 'nonce-s', value: input.nonceS },
    ...(input.nextReauthId === null
      ? []
      : [{ type: 'next-reauth-id', value: Buffer.from(input.nextReauthId, 'utf8') } as const]),
  ];
  const attributes: AkaAttribute[] = [
    { type: 'iv', value: input.iv },
    { type: 'encr-data', value: encryptAttributes(input.secrets.kEncr, input.iv, inner) },
    { type: 'checkcode', value: input.checkcode },
    { type: 'mac', value: Buffer.alloc(16) },
  ];
  const body = { type: input.method, subtype: 'reauthentication', attributes } as const;
  const { bytes, macOffset } = encodeEap({ code: 'request', identifier: input.identifier, body });
  return signPacket(input.method, input.secrets.kAut, bytes, macOffset ?? bytes.length - 16);
}

export type ReauthAnswer =
  | { readonly kind: 'ok' }
  /** The peer saw a counter it already used (§5.5): fall back to full authentication. */
  | { readonly kind: 'counter-too-small' }
  | { readonly kind: 'bad'; readonly reason: 'malformed' | 'bad_mac' | 'bad_counter' | 'bad_checkcode' };

/**
 * Checks EAP-Response/AKA-Reauthentication: AT_MAC over the packet and NONCE_S, then the encrypted AT_COUNTER
 * (the one sent) and an AT_CHECKCODE that, if present, matches. AT_MAC first, so nothing is decrypted for a
 * peer that does not hold K_aut.
 */
export function checkReauthResponse(input: {
  readonly method: EapAkaMethod;
  readonly secrets: ReauthSecrets;
  readonly counter: number;
  readonly nonceS: Buffer;
  readonly checkcode: Buffer;
  readonly attributes: readonly AkaAttribute[];
  readonly decoded: DecodedEap;
  readonly raw: Buffer;
}): ReauthAnswer {
  const { attributes, decoded, raw } = input;
  if (decoded.macOffset === undefined) return { kind: 'bad', reason: 'malformed' };
  if (!verifyAtMac(input.method, input.secrets.kAut, raw, decoded.macOffset, input.nonceS))
    return { kind: 'bad', reason: 'bad_mac' };
  const iv = attributeBytes(attributes, 'iv');
  const data = attributeBytes(attributes, 'encr-data');
  if (!iv || !data) return { kind: 'bad', reason: 'malformed' };
  let inner: AkaAttribute[];
  try {
    inner = decryptAttributes(input.secrets.kEncr, iv, data);
  } catch {
    return { kind: 'bad', reason: 'malformed' };
  }
  const theirs = attributeBytes(attributes, 'checkcode');
  if (theirs !== undefined && !theirs.equals(input.checkcode))
    return { kind: 'bad', reason: 'bad_checkcode' };
  const [counter] = attributeCodes(inner, 'counter');
  if (counter !== input.counter) return { kind: 'bad', reason: 'bad_counter' };
  return hasAttribute(inner, 'counter-too-small') ? { kind: 'counter-too-small' } : { kind: 'ok' };
}
