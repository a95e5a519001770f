import { randomBytes } from 'node:crypto';
import {
  attributeCodes,
  deriveAkaPrimeReauthKeys,
  deriveAkaReauthKeys,
  encryptAttributes,
  verifyAtMac,
  type AkaAttribute,
  type EapAkaMethod,
} from '@pakawaaz/eap-aka';
import { bytes, checkcodeProblem, clientError, encrypted, type ChallengeReply } from './eap-aka-challenge.js';

/**
 * The peer's half of fast re-authentication (RFC 4187 §5, §9.7–§9.8; RFC 9048 §3.3), checked in
 * wpa_supplicant's order: AT_CHECKCODE, a re-authentication identity to answer for, AT_MAC, the encrypted
 * AT_COUNTER and AT_NONCE_S. A counter not above the last one gets AT_COUNTER_TOO_SMALL, and the identity is
 * then dropped, so the full authentication that follows starts afresh.
 */

/** What the peer keeps from its last full authentication to re-authenticate without the USIM. */
export type PeerReauth = {
  readonly identity: Buffer;
  readonly counter: number;
  readonly kEncr: Buffer;
  readonly kAut: Buffer;
  /** MK (EAP-AKA) or K_re (EAP-AKA'). */
  readonly master: Buffer;
};

export type ReauthInput = {
  readonly method: EapAkaMethod;
  readonly reauth: PeerReauth | undefined;
  readonly transcript: readonly Buffer[];
  readonly raw: Buffer;
  readonly macOffset: number | undefined;
  readonly attributes: readonly AkaAttribute[];
};

export type ReauthOutcome = {
  readonly reply: ChallengeReply;
  readonly keys?: { readonly msk: Buffer; readonly emsk: Buffer };
  /** The re-authentication state afterwards: the next identity with this counter, or none. */
  readonly reauth: PeerReauth | undefined;
};

function reply(
  input: ReauthInput,
  kEncr: Buffer,
  kAut: Buffer,
  counter: number,
  tooSmall: boolean,
  nonceS: Buffer,
) {
  const iv = randomBytes(16);
  const inner: AkaAttribute[] = [
    ...(tooSmall ? [{ type: 'counter-too-small' } as const] : []),
    { type: 'counter', code: counter },
  ];
  const checkcode = bytes(input.attributes, 'checkcode');
  const attributes: AkaAttribute[] = [
    { type: 'iv', value: iv },
    { type: 'encr-data', value: encryptAttributes(kEncr, iv, inner) },
    ...(checkcode === undefined ? [] : [{ type: 'checkcode', value: checkcode } as const]),
    { type: 'mac', value: Buffer.alloc(16) },
  ];
  return { subtype: 'reauthentication', attributes, kAut, macExtra: nonceS } as const;
}

export function answerReauth(input: ReauthInput): ReauthOutcome {
  const { reauth } = input;
  const early = checkcodeProblem(input);
  if (early) return { reply: early, reauth };
  if (!reauth) return { reply: clientError('no-reauth-identity'), reauth };
  if (input.macOffset === undefined || !verifyAtMac(input.method, reauth.kAut, input.raw, input.macOffset))
    return { reply: clientError('bad-mac'), reauth };
  const inner = encrypted(reauth.kEncr, input.attributes);
  const nonceS = inner && bytes(inner, 'nonce-s');
  const [counter] = inner ? attributeCodes(inner, 'counter') : [];
  if (!inner || !nonceS || counter === undefined) return { reply: clientError('bad-encrypted-data'), reauth };
  if (counter <= reauth.counter)
    return {
      reply: { ...reply(input, reauth.kEncr, reauth.kAut, counter, true, nonceS), note: 'counter-too-small' },
      reauth: undefined,
    };
  const keys =
    input.method === 'aka'
      ? deriveAkaReauthKeys(reauth.identity, counter, nonceS, reauth.master)
      : deriveAkaPrimeReauthKeys(reauth.master, reauth.identity, counter, nonceS);
  const next = bytes(inner, 'next-reauth-id');
  return {
    reply: reply(input, reauth.kEncr, reauth.kAut, counter, false, nonceS),
    keys,
    reauth: next ? { ...reauth, identity: next, counter } : undefined,
  };
}
