import { encodeEap, type AkaAttribute, type AkaSubtype, type EapAkaMethod } from './eap-aka-codec.js';
import type { AkaIdentity } from './eap-aka-identity.js';
import type { ReauthSecrets } from './eap-aka-reauth.js';

/** The EAP-AKA server reducer's configuration, state, effects and the small steps every phase shares. */

export type EapAkaServerConfig = {
  readonly method: EapAkaMethod;
  /** EAP-AKA' only: the access network name bound into CK'/IK' and sent in AT_KDF_INPUT (RFC 9048 §3.1). */
  readonly networkName?: string;
  /** Responses accepted before giving up, including discarded ones: bounds a peer that never finishes. */
  readonly maxResponses?: number;
  /** Pseudonyms and fast re-authentication; unset: every identity must be (or become) the permanent one. */
  readonly privacy?: { readonly maxReauths?: number };
};

export type IdLevel = 'any' | 'fullauth' | 'permanent';
export const LEVELS: readonly IdLevel[] = ['any', 'fullauth', 'permanent'];
export const LEVEL_ATTRIBUTE = {
  any: 'any-id-req',
  fullauth: 'fullauth-id-req',
  permanent: 'permanent-id-req',
} as const satisfies Record<IdLevel, AkaAttribute['type']>;

export type Settings = {
  readonly method: EapAkaMethod;
  readonly networkName: Buffer | undefined;
  readonly maxResponses: number;
  /** Fast re-authentications allowed after one full authentication; null: no privacy identities at all. */
  readonly maxReauths: number | null;
};

export type Common = {
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

export type Subscriber = {
  readonly identity: Buffer;
  readonly imsi: string;
  readonly resynced: boolean;
  readonly presented: PresentedIdentity | null;
};

export type Challenge = {
  readonly rand: Buffer;
  /** null for a decoy challenge (unknown IMSI): no response can succeed. */
  readonly xres: Buffer | null;
  readonly kAut: Buffer;
  readonly msk: Buffer;
  readonly emsk: Buffer;
  readonly checkcode: Buffer;
  readonly issued: Issued | null;
};

export type Issued = { readonly pseudonym: string; readonly reauth: IssuedReauth };

/** A re-authentication identity handed to the peer, with what its next fast re-authentication needs. */
export type IssuedReauth = ReauthSecrets & { readonly identity: string; readonly counter: number };

export type Reauth = {
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

export const DEFAULT_MAX_RESPONSES = 8;
/** AT_KDF value 1: the TS 33.402 Annex A.2 KDF with HMAC-SHA-256 (RFC 9048 §3.2). */
export const KDF_HMAC_SHA256 = 1;
/** Random bytes a decoy challenge consumes: RAND, AUTN, CK, IK. */
export const EAP_AKA_DECOY_RANDOM_BYTES = 64;
/** Random bytes `supplyVector` and `supplyIdentity` may consume: a decoy, IV, NONCE_S and two new identities. */
export const EAP_AKA_RANDOM_BYTES = EAP_AKA_DECOY_RANDOM_BYTES + 64;
export const DEFAULT_MAX_REAUTHS = 16;

export const nextIdentifier = (identifier: number): number => (identifier + 1) & 0xff;

export function settingsFrom(config: EapAkaServerConfig): Settings {
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

export function common(state: Common, changes: Partial<Common> = {}): Common {
  const { settings, identifier, responses, transcript } = { ...state, ...changes };
  return { settings, identifier, responses, transcript };
}

export function finish(state: Common, reason: EapAkaFailureReason): EapAkaStep {
  const { bytes } = encodeEap({ code: 'failure', identifier: state.identifier });
  return { state: { ...common(state), phase: 'done' }, effect: { kind: 'failure', packet: bytes, reason } };
}

export function identityRequest(state: Common, level: IdLevel): EapAkaStep {
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

export function askForVector(
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

export function lookup(
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
export function requiredLevel(kind: AkaIdentity['kind'] | undefined): IdLevel {
  if (kind === 'reauth') return 'fullauth';
  if (kind === 'pseudonym') return 'permanent';
  return 'any';
}

export function escalate(level: IdLevel, kind: AkaIdentity['kind']): IdLevel | undefined {
  const required = kind === 'reauth' ? 'fullauth' : 'permanent';
  return LEVELS[Math.max(LEVELS.indexOf(level) + 1, LEVELS.indexOf(required))];
}

export type AkaResponse = { readonly subtype: AkaSubtype; readonly attributes: readonly AkaAttribute[] };
