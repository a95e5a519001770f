import type { ByteSource } from './byte-source.js';
import type { ApkInspection } from './inspection.js';
import { readApkInfo, type ApkInfoLimits } from './manifest/apk-info.js';
import { ManifestError } from './manifest/manifest-error.js';
import { verifyApkSignatures, type SigningLimits } from './signing/verify.js';
import { v1AsReported, verifyV1, type V1Result } from './v1/v1-verifier.js';
import { openZip, type ZipArchive, type ZipLimits } from './zip/zip-archive.js';
import { ZipError } from './zip/zip-error.js';

/**
 * The oldest Android release (API level) the inspection verifies for, unless told otherwise: Android 9, the
 * first with APK Signature Scheme v3. Issued handsets run newer releases; what an older one would check (v1
 * beside v2) does not matter to them, and apksigner judges the same way with `--min-sdk-version 28`.
 */
export const DEFAULT_MIN_SDK = 28;

export type InspectOptions = {
  minSdk?: number;
  zipLimits?: Partial<ZipLimits>;
  manifestLimits?: Partial<ApkInfoLimits>;
  signingLimits?: Partial<SigningLimits>;
};

const NO_V1: V1Result = { verified: false, signers: [], errors: [] };

const NOTHING = {
  package: null,
  versionCode: null,
  versionName: null,
  minSdk: null,
  targetSdk: null,
  permissions: [],
  debuggable: false,
  usesCleartextTraffic: null,
  // Nothing readable: nothing proves cleartext off.
  cleartextTraffic: { permitted: true, domains: [], decidedBy: 'platform-default' },
  nativeAbis: [],
} satisfies Partial<ApkInspection>;

/**
 * Everything the store needs to know about an APK, read through `source` with bounded memory: the ZIP
 * checked first (a refusal there stops everything), then the manifest, the v2/v3 signatures and v1 as
 * apksigner reports it. `verified` is our policy: v2 or v3 verified, the manifest readable, no error. Never
 * throws for what the file holds; only a failing `source` (I/O) rejects.
 */
export async function inspectApk(source: ByteSource, options: InspectOptions = {}): Promise<ApkInspection> {
  const minSdk = options.minSdk ?? DEFAULT_MIN_SDK;
  let archive: ZipArchive;
  try {
    archive = await openZip(source, options.zipLimits);
  } catch (err) {
    if (!(err instanceof ZipError)) throw err;
    return refused({ errors: [err.code] });
  }
  const errors: string[] = [];
  let info: Partial<ApkInspection> = NOTHING;
  try {
    info = await readApkInfo(archive, options.manifestLimits);
  } catch (err) {
    if (err instanceof ManifestError || err instanceof ZipError) errors.push(err.code);
    else throw err;
  }
  const sig = await verifyApkSignatures(source, { minSdk, limits: options.signingLimits });
  const v2v3 = sig.schemes.v2 || sig.schemes.v3;
  // apksig falls back to v1 only when the APK has no v2/v3 signature at all: one that fails refuses the APK.
  // So v1 is read (every entry hashed) only then — never for an APK whose verdict v2/v3 already decided.
  const v1 =
    sig.present.v2 || sig.present.v3 ? NO_V1 : await verifyV1(archive, { foundSchemes: new Set<number>() });
  const v1Reported = v1AsReported(v1, false, false); // NO_V1 (never verified) whenever v2/v3 is present
  errors.push(...sig.errors);
  // v1's own problems matter only where it is what apksigner would judge by: no v2 or v3 signature.
  if (!v2v3 && v1.errors.length > 0 && !v1.errors.includes('v1_no_manifest')) errors.push(...v1.errors);
  const unique = [...new Set(errors)];
  return {
    ...NOTHING,
    ...info,
    schemes: { v1: v1Reported, v2: sig.schemes.v2, v3: sig.schemes.v3 },
    signers: v2v3 ? sig.signers : v1Reported ? v1.signers : [],
    lineage: sig.lineage,
    verified: v2v3 && unique.length === 0,
    errors: unique,
  };
}

function refused(part: Pick<ApkInspection, 'errors'>): ApkInspection {
  return {
    ...NOTHING,
    schemes: { v1: false, v2: false, v3: false },
    signers: [],
    lineage: [],
    verified: false,
    errors: part.errors,
  };
}
