/**
 * Stable error codes of the APK writer. Callers (tests, the lab, the demo seed) hand it options; a bad option is
 * refused with one of these before any byte is written, never a crash or a half-written APK.
 */
export const APK_BUILD_ERRORS = [
  /** A manifest field is missing, of the wrong type, or out of range (package name, versions, SDKs, strings). */
  'build_invalid_manifest',
  /** A ZIP entry name is empty, absolute, has `..`, a backslash, NUL, or is longer than ZIP allows. */
  'build_invalid_entry',
  /** Two entries with one name (or one that collides with AndroidManifest.xml). */
  'build_duplicate_entry',
  /** The archive would need ZIP64 (≥ 4 GiB, ≥ 65,535 entries), which the APK reader refuses. */
  'build_too_large',
  /** signApk was given bytes that are not an unsigned ZIP ending in a comment-less EOCD (or already signed). */
  'build_invalid_zip',
  /** A signer's key is not RSA or EC P-256, does not match its certificate, or the signer list is empty. */
  'build_invalid_signer',
  /** A lineage is not a chain of distinct signers ending with the (v3) signer. */
  'build_invalid_lineage',
] as const;

export type ApkBuildErrorCode = (typeof APK_BUILD_ERRORS)[number];

export class ApkBuildError extends Error {
  constructor(
    readonly code: ApkBuildErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApkBuildError';
  }
}
