import { signApk, type SigningKey } from './apk-signer.js';
import { ApkBuildError } from './build-error.js';
import { encodeManifest, type ManifestOptions } from './manifest-writer.js';
import { writeZip, type ZipInput } from './zip-writer.js';

export type BuildApkOptions = {
  manifest: ManifestOptions;
  /** More entries after AndroidManifest.xml, e.g. `lib/arm64-v8a/libx.so`, `assets/…`. */
  entries?: ZipInput[];
  /** Sign with these (v2, and v3 without a lineage). None: the APK stays unsigned. */
  signers?: SigningKey[];
  /** Key rotation, oldest first: v3 is signed by the last, with the lineage (see SignApkOptions). */
  lineage?: SigningKey[];
  /** Default true each. */
  v2?: boolean;
  v3?: boolean;
};

const MANIFEST = 'AndroidManifest.xml';

/**
 * An APK without code (hasCode=false, no classes.dex) made from scratch: the binary manifest, the given
 * entries, aligned as zipalign would, signed with APK Signature Scheme v2/v3. No Android SDK needed.
 */
export function buildApk(options: BuildApkOptions): Promise<Buffer> {
  // A refusal is a rejection, never a synchronous throw.
  return new Promise((resolve) => resolve(buildApkSync(options)));
}

/** buildApk, synchronously (for seeds and scripts that are not async). */
export function buildApkSync(options: BuildApkOptions): Buffer {
  const entries = options.entries ?? [];
  if (!Array.isArray(entries)) throw new ApkBuildError('build_invalid_entry', 'entries must be an array');
  if (entries.some((e) => e?.name === MANIFEST))
    throw new ApkBuildError('build_duplicate_entry', `${MANIFEST} is written from the manifest options`);
  const unsigned = writeZip([{ name: MANIFEST, data: encodeManifest(options.manifest) }, ...entries]);
  const signers = options.signers ?? [];
  if (signers.length === 0 && options.lineage === undefined) return unsigned;
  return signApk(unsigned, {
    signers,
    ...(options.lineage !== undefined && { lineage: options.lineage }),
    ...(options.v2 !== undefined && { v2: options.v2 }),
    ...(options.v3 !== undefined && { v3: options.v3 }),
  });
}
