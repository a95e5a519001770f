import type { EapAkaMethod } from './eap-aka-codec.js';

/**
 * Classifies an EAP-AKA / EAP-AKA' peer identity by its leading digit (RFC 4187 §4.1.1.6, RFC 9048 §3.1 and
 * TS 23.003 §19.3.2): permanent '0' / '6', pseudonym '2' / '7', fast re-authentication '4' / '8'.
 */
export type AkaIdentity =
  | { readonly kind: 'permanent'; readonly imsi: string; readonly realm: string | undefined }
  | { readonly kind: 'pseudonym' | 'reauth' | 'unusable' };

const PREFIXES = {
  aka: { permanent: '0', pseudonym: '2', reauth: '4' },
  'aka-prime': { permanent: '6', pseudonym: '7', reauth: '8' },
} as const satisfies Record<EapAkaMethod, Record<'permanent' | 'pseudonym' | 'reauth', string>>;

/** RFC 7542 §2.2 caps a NAI at 253 octets; longer is never a real SIM identity. */
const MAX_IDENTITY_BYTES = 253;
/** IMSI: MCC (3) + MNC (2–3) + MSIN, at most 15 digits (TS 23.003 §2.2); 6 is the shortest meaningful one. */
const PERMANENT = /^([0-9]{6,15})(?:@([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?))?$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

export function parseAkaIdentity(method: EapAkaMethod, identity: Uint8Array): AkaIdentity {
  if (identity.length === 0 || identity.length > MAX_IDENTITY_BYTES) return { kind: 'unusable' };
  const text = Buffer.from(identity).toString('latin1');
  if (!PRINTABLE_ASCII.test(text)) return { kind: 'unusable' };
  const prefixes = PREFIXES[method];
  if (text.startsWith(prefixes.pseudonym)) return { kind: 'pseudonym' };
  if (text.startsWith(prefixes.reauth)) return { kind: 'reauth' };
  if (!text.startsWith(prefixes.permanent)) return { kind: 'unusable' };
  const match = PERMANENT.exec(text.slice(1));
  if (!match?.[1]) return { kind: 'unusable' };
  return { kind: 'permanent', imsi: match[1], realm: match[2] };
}
