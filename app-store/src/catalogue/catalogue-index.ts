import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MAX_PROOF_HASHES } from '@pakawaaz/transparency-log';
import { canonicalBytes, canonicalJson, type JsonValue } from './canonical-json.js';
import { applyMergePatch, createMergePatch } from './merge-patch.js';

/**
 * An institution's catalogue index (after F-Droid's index-v2: apps keyed by package name, versions keyed by
 * the APK's SHA-256), in RFC 8785 canonical form. Each version carries its inclusion proof in the APK
 * transparency log against one of the index's checkpoints: a proof, once made, stays valid for its
 * checkpoint, so publishing a new index does not rewrite every proof and diffs stay small. The handset checks
 * every checkpoint's signature with the log key it pins, and every proof against its checkpoint; the server
 * can then not show a handset an APK it has not logged for everyone to see.
 */

export const CATALOGUE_FORMAT = 1;
export const CATALOGUE_TRACKS = ['stable', 'beta'] as const;
export type CatalogueTrack = (typeof CATALOGUE_TRACKS)[number];

/** Caps checked before anything is parsed: an index of every app of an institution is well below these. */
export const MAX_INDEX_BYTES = 16 * 1024 * 1024;
export const MAX_APPS = 5_000;
export const MAX_VERSIONS_PER_APP = 32;
export const MAX_CHECKPOINTS = 256;

export type CatalogueErrorCode =
  | 'catalogue_too_large'
  | 'catalogue_json_invalid'
  | 'catalogue_not_canonical'
  | 'catalogue_index_invalid'
  | 'catalogue_entry_invalid'
  | 'catalogue_diff_invalid'
  | 'catalogue_signature_invalid'
  | 'catalogue_wrong_institution'
  | 'catalogue_rolled_back'
  | 'catalogue_stale'
  | 'catalogue_index_mismatch'
  | 'catalogue_checkpoint_invalid'
  | 'catalogue_inclusion_invalid';

export class CatalogueError extends Error {
  override readonly name = 'CatalogueError';
  constructor(
    readonly code: CatalogueErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const hex256 = z.string().regex(/^[0-9a-f]{64}$/);
const base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);
const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Android package names (PackageParser's validateName): dot-separated Java-like segments, two at least. */
const packageName = z
  .string()
  .max(255)
  .regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/);
const decimal = z.string().regex(/^(0|[1-9][0-9]{0,15})$/);

export const LogInclusionSchema = z.strictObject({
  leafIndex: count,
  treeSize: count.min(1),
  proof: z.array(base64Hash).max(MAX_PROOF_HASHES),
});

export const CatalogueVersionSchema = z.strictObject({
  versionCode: count,
  versionName: z.string().max(128),
  apkSha256: hex256,
  size: count.min(1),
  /** SHA-256 of each signing certificate (apksigner's "certificate SHA-256 digest"), as the APK declares. */
  signers: z.array(hex256).min(1).max(8),
  minSdk: z.int().min(1).max(1000),
  permissions: z.array(z.string().min(1).max(256)).max(1024),
  track: z.enum(CATALOGUE_TRACKS),
  mandatory: z.boolean(),
  log: LogInclusionSchema,
});

export const CatalogueAppSchema = z.strictObject({
  name: z.string().min(1).max(256),
  versions: z.record(hex256, CatalogueVersionSchema),
});

export const CatalogueIndexSchema = z.strictObject({
  format: z.literal(CATALOGUE_FORMAT),
  institution: z.string().min(1).max(128),
  /** Milliseconds since the epoch; the entry's timestamp and the handset's rollback check. */
  timestamp: count,
  /** The APK log's origin (its checkpoints' first line). */
  logOrigin: z.string().min(1).max(1024),
  /** Checkpoint notes keyed by their tree size. */
  checkpoints: z.record(decimal, z.string().max(8192)),
  apps: z.record(packageName, CatalogueAppSchema),
});

export type LogInclusion = z.infer<typeof LogInclusionSchema>;
export type CatalogueVersion = z.infer<typeof CatalogueVersionSchema>;
export type CatalogueApp = z.infer<typeof CatalogueAppSchema>;
export type CatalogueIndex = z.infer<typeof CatalogueIndexSchema>;

/**
 * The log leaf of an APK version: what the log commits to, canonical JSON so the handset rebuilds it from the
 * index entry bit for bit. The APK's hash names the bytes; the package, version code and signer digests tie
 * them to what the handset will install, so a logged APK cannot be re-labelled in the index.
 */
export function apkLogLeaf(
  packageName: string,
  v: Pick<CatalogueVersion, 'versionCode' | 'apkSha256' | 'signers'>,
): Buffer {
  return canonicalBytes({
    type: 'pakawaaz-apk/1',
    package: packageName,
    versionCode: v.versionCode,
    apkSha256: v.apkSha256,
    signers: [...v.signers].sort(),
  });
}

/** An inclusion proof as the index holds it. */
export function logInclusion(
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
): LogInclusion {
  return { leafIndex, treeSize, proof: proof.map((h) => Buffer.from(h).toString('base64')) };
}

function checkCounts(index: CatalogueIndex): void {
  const apps = Object.values(index.apps);
  if (apps.length > MAX_APPS || Object.keys(index.checkpoints).length > MAX_CHECKPOINTS)
    throw new CatalogueError('catalogue_too_large', 'too many apps or checkpoints');
  for (const app of apps) {
    if (Object.keys(app.versions).length > MAX_VERSIONS_PER_APP)
      throw new CatalogueError('catalogue_too_large', 'too many versions of one app');
    for (const [sha, v] of Object.entries(app.versions))
      if (sha !== v.apkSha256)
        throw new CatalogueError('catalogue_index_invalid', 'a version keyed by another hash');
  }
}

/** The index's canonical bytes, after checking it against the schema (the server publishes these). */
export function encodeIndex(index: CatalogueIndex): Buffer {
  const parsed = CatalogueIndexSchema.safeParse(index);
  if (!parsed.success) throw new CatalogueError('catalogue_index_invalid', parsed.error.message);
  checkCounts(parsed.data);
  return canonicalBytes(parsed.data);
}

/**
 * Parses canonical JSON bytes of at most `max` bytes: one spelling per document, so duplicate members,
 * whitespace and number variants — all of which JSON.parse would silently accept — are refused.
 */
export function parseCanonical(bytes: Uint8Array, max: number): JsonValue {
  if (bytes.length > max) throw new CatalogueError('catalogue_too_large', `more than ${max} bytes`);
  let text: string;
  let value: JsonValue;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // zod's records silently drop a "__proto__" member, so an app of that name would vanish unnoticed: refuse.
    value = JSON.parse(text, (k, v: JsonValue) => {
      if (k === '__proto__') throw new Error('__proto__ member');
      return v;
    }) as JsonValue;
  } catch {
    throw new CatalogueError('catalogue_json_invalid', 'not UTF-8 JSON');
  }
  let canonical: string;
  try {
    canonical = canonicalJson(value);
  } catch {
    throw new CatalogueError('catalogue_json_invalid', 'not representable as canonical JSON');
  }
  if (canonical !== text)
    throw new CatalogueError('catalogue_not_canonical', 'not in RFC 8785 canonical form');
  return value;
}

/** Parses and checks index bytes (handset side). Throws CatalogueError. */
export function parseIndex(bytes: Uint8Array): CatalogueIndex {
  const parsed = CatalogueIndexSchema.safeParse(parseCanonical(bytes, MAX_INDEX_BYTES));
  if (!parsed.success) throw new CatalogueError('catalogue_index_invalid', parsed.error.message);
  checkCounts(parsed.data);
  return parsed.data;
}

/** A catalogue diff: the RFC 7396 merge patch from one index to the next, canonical bytes. */
export function createIndexDiff(previous: CatalogueIndex, next: CatalogueIndex): Buffer {
  const patch = createMergePatch(previous, next) ?? {};
  return canonicalBytes(patch);
}

/**
 * Rebuilds an index from the previous one and a diff: the canonical bytes of the result, which the caller
 * checks against the signed entry's index hash (verifyCatalogue). Throws CatalogueError.
 */
export function applyIndexDiff(previousIndex: Uint8Array, diff: Uint8Array): Buffer {
  const previous = parseIndex(previousIndex);
  const patch = parseCanonical(diff, MAX_INDEX_BYTES);
  const next = CatalogueIndexSchema.safeParse(applyMergePatch(previous, patch));
  if (!next.success)
    throw new CatalogueError('catalogue_diff_invalid', 'the diff does not yield a valid index');
  return encodeIndex(next.data);
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
