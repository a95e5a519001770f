import { compactVerify, importJWK, type JWK } from 'jose';
import { z } from 'zod';
import { canonicalBytes } from './canonical-json.js';
import {
  CATALOGUE_FORMAT,
  CatalogueError,
  parseCanonical,
  sha256Hex,
  type CatalogueErrorCode,
} from './catalogue-index.js';

/**
 * The small signed file a handset fetches first (F-Droid index-v2's entry.json): the catalogue's timestamp,
 * the SHA-256 and size of the full index, and of each diff from an earlier index (keyed by that index's
 * timestamp), so a handset downloads either a diff or the index and trusts neither until its hash matches.
 * Signed as a compact JWS (RFC 7515 §7.1) with the catalogue key: a payload of canonical JSON, a `typ` of its
 * own so no other JWS the key could sign passes for an entry (RFC 8725 §3.11).
 */

export const ENTRY_TYP = 'pakawaaz-catalogue-entry';
export const MAX_ENTRY_BYTES = 64 * 1024;
export const MAX_DIFFS = 64;

const hex256 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const fileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/);

const CatalogueFileSchema = z.strictObject({ name: fileName, sha256: hex256, size: count });

export const CatalogueEntrySchema = z.strictObject({
  format: z.literal(CATALOGUE_FORMAT),
  institution: z.string().min(1).max(128),
  timestamp: count,
  index: z.strictObject({ ...CatalogueFileSchema.shape, numPackages: count }),
  diffs: z.record(z.string().regex(/^(0|[1-9][0-9]{0,15})$/), CatalogueFileSchema),
});

export type CatalogueFile = z.infer<typeof CatalogueFileSchema>;
export type CatalogueEntry = z.infer<typeof CatalogueEntrySchema>;

/**
 * The catalogue key: its private half in the key service or an HSM, so signing is a callback (the platform
 * key service's Signer fits). ES256 signatures are r ‖ s (RFC 7518 §3.4), as JWS wants them.
 */
export type CatalogueSigner = {
  readonly alg: 'ES256' | 'EdDSA';
  readonly kid?: string;
  sign(data: Uint8Array): Promise<Uint8Array>;
};

/** The entry describing an index and its diffs (server side). */
export function catalogueEntry(input: {
  institution: string;
  timestamp: number;
  index: { name: string; bytes: Uint8Array; numPackages: number };
  diffs?: readonly { previousTimestamp: number; name: string; bytes: Uint8Array }[];
}): CatalogueEntry {
  const file = (name: string, bytes: Uint8Array): CatalogueFile => ({
    name,
    sha256: sha256Hex(bytes),
    size: bytes.length,
  });
  const entry = {
    format: CATALOGUE_FORMAT,
    institution: input.institution,
    timestamp: input.timestamp,
    index: { ...file(input.index.name, input.index.bytes), numPackages: input.index.numPackages },
    diffs: Object.fromEntries(
      (input.diffs ?? []).map((d) => [String(d.previousTimestamp), file(d.name, d.bytes)]),
    ),
  };
  const parsed = CatalogueEntrySchema.safeParse(entry);
  if (!parsed.success) throw new CatalogueError('catalogue_entry_invalid', parsed.error.message);
  if (Object.keys(parsed.data.diffs).length > MAX_DIFFS)
    throw new CatalogueError('catalogue_too_large', 'too many diffs');
  return parsed.data;
}

const b64url = (b: Uint8Array | string): string => Buffer.from(b).toString('base64url');

/** Signs an entry into a compact JWS through the signer callback. */
export async function signEntry(entry: CatalogueEntry, signer: CatalogueSigner): Promise<string> {
  const header = { alg: signer.alg, typ: ENTRY_TYP, ...(signer.kid ? { kid: signer.kid } : {}) };
  const input = `${b64url(canonicalBytes(header))}.${b64url(canonicalBytes(entry))}`;
  const signature = await signer.sign(Buffer.from(input, 'ascii'));
  return `${input}.${b64url(signature)}`;
}

/** The JWS algorithm a pinned public JWK implies: the handset never takes it from the token. */
function algOf(key: JWK): 'ES256' | 'EdDSA' | undefined {
  if (key.kty === 'EC' && key.crv === 'P-256') return 'ES256';
  if (key.kty === 'OKP' && key.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

export type EntryCheck =
  | { readonly ok: true; readonly entry: CatalogueEntry }
  | { readonly ok: false; readonly code: CatalogueErrorCode; readonly message: string };

const refuse = (code: CatalogueErrorCode, message: string): EntryCheck => ({ ok: false, code, message });

/** What the handset pins and remembers. */
export type EntryPins = {
  /** The catalogue key's public JWK (P-256 or Ed25519), pinned at enrolment. */
  readonly catalogueKey: JWK;
  readonly institution: string;
};

export type EntryState = {
  /** The newest entry timestamp this handset has accepted: an older one is a rollback. */
  readonly lastSeenTimestamp?: number;
  /**
   * The index SHA-256 of that entry: another index under the same timestamp is two views of one moment
   * (a server showing handsets different catalogues), refused as a rollback.
   */
  readonly lastSeenIndexSha256?: string;
  /** With maxAgeMs: an entry older than that is stale (a server freezing the handset on an old view). */
  readonly now?: number;
  readonly maxAgeMs?: number;
};

/**
 * Verifies an entry JWS with the pinned key, then its content: the institution, and the timestamp against
 * the last one seen (equal is a re-fetch of the same index; older, or another index at the same time, is a
 * rollback) and the clock. `state` is required: a handset that forgets what it saw accepts any rollback
 * (`{}` is for its very first fetch). Never throws.
 */
export async function verifyEntry(jws: string, pins: EntryPins, state: EntryState): Promise<EntryCheck> {
  if (typeof jws !== 'string' || jws.length > MAX_ENTRY_BYTES)
    return refuse('catalogue_too_large', 'entry too large');
  const alg = algOf(pins.catalogueKey);
  if (!alg) return refuse('catalogue_signature_invalid', 'the pinned key is neither P-256 nor Ed25519');
  let payload: Uint8Array;
  try {
    const key = await importJWK({ ...pins.catalogueKey, d: undefined, alg }, alg);
    const verified = await compactVerify(jws, key, { algorithms: [alg] });
    if (verified.protectedHeader.typ !== ENTRY_TYP)
      return refuse('catalogue_signature_invalid', 'not a catalogue entry');
    payload = verified.payload;
  } catch {
    return refuse('catalogue_signature_invalid', 'the entry signature does not verify with the pinned key');
  }
  let entry: CatalogueEntry;
  try {
    const parsed = CatalogueEntrySchema.safeParse(parseCanonical(payload, MAX_ENTRY_BYTES));
    if (!parsed.success) return refuse('catalogue_entry_invalid', parsed.error.message);
    entry = parsed.data;
  } catch (e) {
    return e instanceof CatalogueError
      ? refuse(e.code, e.message)
      : refuse('catalogue_entry_invalid', String(e));
  }
  if (Object.keys(entry.diffs).length > MAX_DIFFS) return refuse('catalogue_too_large', 'too many diffs');
  if (entry.institution !== pins.institution)
    return refuse('catalogue_wrong_institution', `a catalogue of ${entry.institution}`);
  if (state.lastSeenTimestamp !== undefined && entry.timestamp < state.lastSeenTimestamp)
    return refuse(
      'catalogue_rolled_back',
      `entry of ${entry.timestamp}, already seen ${state.lastSeenTimestamp}`,
    );
  if (
    state.lastSeenIndexSha256 !== undefined &&
    entry.timestamp === state.lastSeenTimestamp &&
    entry.index.sha256 !== state.lastSeenIndexSha256
  )
    return refuse(
      'catalogue_rolled_back',
      `another index under the timestamp ${entry.timestamp} already seen`,
    );
  if (state.now !== undefined && state.maxAgeMs !== undefined && state.now - entry.timestamp > state.maxAgeMs)
    return refuse('catalogue_stale', `entry of ${entry.timestamp} is older than ${state.maxAgeMs} ms`);
  return { ok: true, entry };
}
