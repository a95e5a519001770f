import {
  decryptAttributes,
  EapCodecError,
  computeCheckcode,
  deriveAkaKeys,
  deriveAkaPrimeKeys,
  deriveCkIkPrime,
  verifyAtMac,
  type AkaAttribute,
  type EapAkaMethod,
} from '@pakawaaz/eap-aka';
import { authenticate, type Usim } from './usim.js';

/**
 * The peer's half of an AKA-Challenge (RFC 4187 §9.3, RFC 9048 §3), in the order a reference peer
 * (wpa_supplicant's eap_aka.c) checks it: AT_CHECKCODE, then AKA'’s KDF and network name, then the USIM,
 * then AT_MAC with the keys the USIM's CK/IK give. Every refusal names why, for tests and the lab's logs;
 * on the wire it is only an Authentication-Reject or a Client-Error.
 */

/** Why the peer answered what it did (never sent: the server only sees the subtype). */
export type PeerNote =
  | 'bad-checkcode'
  | 'missing-attribute'
  | 'no-network-name'
  | 'unexpected-network-name'
  | 'no-supported-kdf'
  | 'kdf-negotiation'
  | 'usim-mac-failure'
  | 'usim-sync-failure'
  | 'amf-separation-bit'
  | 'bad-mac'
  | 'too-many-identity-requests'
  | 'unsupported-subtype'
  | 'method-mismatch'
  | 'retransmission'
  | 'bad-encrypted-data'
  | 'no-reauth-identity'
  | 'counter-too-small';

export type ChallengeReply = {
  readonly subtype:
    'challenge' | 'authentication-reject' | 'synchronization-failure' | 'client-error' | 'reauthentication';
  readonly attributes: readonly AkaAttribute[];
  /** Present when the reply carries AT_MAC (a challenge or re-authentication response). */
  readonly kAut?: Buffer;
  /** Appended to the packet for AT_MAC: NONCE_S in a re-authentication response (RFC 4187 §9.8). */
  readonly macExtra?: Buffer;
  readonly note?: PeerNote;
};

export type ChallengeInput = {
  readonly method: EapAkaMethod;
  readonly identity: Buffer;
  readonly usim: Usim;
  /** AKA-Identity requests and responses so far, for AT_CHECKCODE. */
  readonly transcript: readonly Buffer[];
  readonly networkName: Buffer | undefined;
  readonly echoKdf: boolean;
  /** The raw request and the offset of its AT_MAC value. */
  readonly raw: Buffer;
  readonly macOffset: number | undefined;
  readonly attributes: readonly AkaAttribute[];
};

/** What a verified challenge gives for later fast re-authentications, and the identities it handed out. */
export type Learned = {
  readonly kEncr: Buffer;
  readonly kAut: Buffer;
  /** MK (EAP-AKA) or K_re (EAP-AKA'). */
  readonly master: Buffer;
  readonly nextPseudonym: Buffer | undefined;
  readonly nextReauthId: Buffer | undefined;
};

export type ChallengeOutcome = {
  readonly reply: ChallengeReply;
  /** The USIM after RUN AUTHENTICATE: the card keeps an accepted SQN whatever EAP does next. */
  readonly usim: Usim;
  readonly keys?: { readonly msk: Buffer; readonly emsk: Buffer };
  readonly learned?: Learned;
};

/** AT_KDF 1: HMAC-SHA-256 per TS 33.402 Annex A.2, the only KDF RFC 9048 defines. */
const KDF_HMAC_SHA256 = 1;
/** AT_CLIENT_ERROR_CODE 0: "unable to process packet" (RFC 4187 §10.20). */
const UNABLE_TO_PROCESS = 0;

const reject = (note: PeerNote): ChallengeReply => ({
  subtype: 'authentication-reject',
  attributes: [],
  note,
});
export const clientError = (note: PeerNote): ChallengeReply => ({
  subtype: 'client-error',
  attributes: [{ type: 'client-error-code', code: UNABLE_TO_PROCESS }],
  note,
});

export function bytes(
  attributes: readonly AkaAttribute[],
  type:
    | 'rand'
    | 'autn'
    | 'mac'
    | 'checkcode'
    | 'kdf-input'
    | 'iv'
    | 'encr-data'
    | 'next-pseudonym'
    | 'next-reauth-id'
    | 'nonce-s',
) {
  for (const a of attributes) if (a.type === type && 'value' in a) return a.value;
  return undefined;
}

const kdfs = (attributes: readonly AkaAttribute[]): number[] =>
  attributes.flatMap((a) => (a.type === 'kdf' ? [a.code] : []));

/**
 * RFC 9048 §3.2: use the first AT_KDF if supported, else pick one the server also offered, else fail as
 * for a bad AUTN.
 */
function kdfProblem(input: ChallengeInput): ChallengeReply | undefined {
  if (input.method !== 'aka-prime') return undefined;
  const name = bytes(input.attributes, 'kdf-input');
  if (!name) return reject('no-network-name');
  if (input.networkName && !name.equals(input.networkName)) return reject('unexpected-network-name');
  const offered = kdfs(input.attributes);
  if (offered[0] === KDF_HMAC_SHA256) return undefined;
  if (!offered.includes(KDF_HMAC_SHA256)) return reject('no-supported-kdf');
  // The negotiation response carries AT_KDF alone, unsigned: there are no keys yet.
  return {
    subtype: 'challenge',
    attributes: [{ type: 'kdf', code: KDF_HMAC_SHA256 }],
    note: 'kdf-negotiation',
  };
}

export function checkcodeProblem(
  input: Pick<ChallengeInput, 'attributes' | 'method' | 'transcript'>,
): ChallengeReply | undefined {
  const theirs = bytes(input.attributes, 'checkcode');
  if (theirs === undefined) return undefined;
  return theirs.equals(computeCheckcode(input.method, input.transcript))
    ? undefined
    : clientError('bad-checkcode');
}

function sessionKeys(input: ChallengeInput, autn: Buffer, ck: Buffer, ik: Buffer) {
  if (input.method === 'aka') {
    const keys = deriveAkaKeys(input.identity, ik, ck);
    return { ...keys, master: keys.mk };
  }
  const name = bytes(input.attributes, 'kdf-input') ?? Buffer.alloc(0);
  const { ckPrime, ikPrime } = deriveCkIkPrime(ck, ik, name, autn.subarray(0, 6));
  const keys = deriveAkaPrimeKeys(input.identity, ckPrime, ikPrime);
  return { ...keys, master: keys.kRe };
}

/** AT_ENCR_DATA's attributes, decrypted with K_encr; null when present but undecodable, [] when absent. */
export function encrypted(kEncr: Buffer, attributes: readonly AkaAttribute[]): AkaAttribute[] | null {
  const iv = bytes(attributes, 'iv');
  const data = bytes(attributes, 'encr-data');
  if (!data) return [];
  if (!iv) return null;
  try {
    return decryptAttributes(kEncr, iv, data);
  } catch (error) {
    if (error instanceof EapCodecError) return null;
    throw error;
  }
}

function response(input: ChallengeInput, res: Buffer, kAut: Buffer): ChallengeReply {
  const checkcode = bytes(input.attributes, 'checkcode');
  const echo = input.echoKdf && input.method === 'aka-prime';
  const attributes: AkaAttribute[] = [
    { type: 'res', value: res, bits: res.length * 8 },
    ...(checkcode === undefined ? [] : [{ type: 'checkcode', value: checkcode } as const]),
    ...(echo ? [{ type: 'kdf', code: KDF_HMAC_SHA256 } as const] : []),
    { type: 'mac', value: Buffer.alloc(16) },
  ];
  return { subtype: 'challenge', attributes, kAut };
}

/** Answers one AKA-Challenge request; see the file comment for the order of the checks. */
export function answerChallenge(input: ChallengeInput): ChallengeOutcome {
  const { usim } = input;
  const early = checkcodeProblem(input) ?? kdfProblem(input);
  if (early) return { reply: early, usim };
  const rand = bytes(input.attributes, 'rand');
  const autn = bytes(input.attributes, 'autn');
  if (!rand || !autn || input.macOffset === undefined)
    return { reply: clientError('missing-attribute'), usim };
  const step = authenticate(usim, rand, autn);
  const { result } = step;
  if (result.kind === 'mac-failure') return { reply: reject('usim-mac-failure'), usim };
  if (result.kind === 'sync-failure') {
    const attributes = [{ type: 'auts', value: result.auts } as const];
    return { reply: { subtype: 'synchronization-failure', attributes, note: 'usim-sync-failure' }, usim };
  }
  // RFC 9048 §3 (TS 33.402): CK'/IK' only from a vector made with the AMF separation bit set, never a UMTS one.
  if (input.method === 'aka-prime' && (autn[6]! & 0x80) === 0)
    return { reply: reject('amf-separation-bit'), usim: step.usim };
  const keys = sessionKeys(input, autn, result.ck, result.ik);
  if (!verifyAtMac(input.method, keys.kAut, input.raw, input.macOffset))
    return { reply: clientError('bad-mac'), usim: step.usim };
  const inner = encrypted(keys.kEncr, input.attributes);
  if (!inner) return { reply: clientError('bad-encrypted-data'), usim: step.usim };
  return {
    reply: response(input, result.res, keys.kAut),
    usim: step.usim,
    keys: { msk: keys.msk, emsk: keys.emsk },
    learned: {
      kEncr: keys.kEncr,
      kAut: keys.kAut,
      master: keys.master,
      nextPseudonym: bytes(inner, 'next-pseudonym'),
      nextReauthId: bytes(inner, 'next-reauth-id'),
    },
  };
}
