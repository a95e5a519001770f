/**
 * Stable error codes of APK Signature Scheme v2/v3 verification. They are an API: the app store stores and
 * shows them, so a code is never renamed or reused. Each maps to one or more of apksig's ApkVerifier.Issue
 * values (named in the comments) so a refusal can be compared with apksigner's.
 */
export const APK_SIGNATURE_ERRORS = [
  /** The ZIP end of central directory could not be used (codes of EocdError, passed through). */
  'zip_no_eocd',
  'zip64_unsupported',
  'zip_multi_disk',
  'zip_cd_out_of_bounds',
  /** Reading the source failed (truncated file, I/O error). */
  'read_failed',
  /** No APK Signing Block, or one with neither a v2 nor a v3 block (apksig: only v1 or unsigned). */
  'apk_not_signed_v2_v3',
  /**
   * The APK carries an APK Signature Scheme v3.1 block (0x1b93ad61), which this verifier does not check yet:
   * Android 13+ would verify it and prefer its signer, so an unchecked one could hide the signer that devices
   * see. Refused until v3.1 is verified.
   */
  'v31_unsupported',
  /** The APK Signing Block's sizes, magic-adjacent fields or ID-value pairs are inconsistent. */
  'signing_block_malformed',
  /** A cap of `SigningLimits` was exceeded (block size, pairs, signers, certificates, lineage nodes). */
  'limit_exceeded',
  /** A v2/v3 block's length-prefixed structure is broken (V2/V3_SIG_MALFORMED_SIGNER(S), …). */
  'scheme_block_malformed',
  /** V2/V3_SIG_NO_SIGNERS. */
  'no_signers',
  /** V2/V3_SIG_NO_SIGNATURES. */
  'no_signatures',
  /** V2/V3_SIG_NO_SUPPORTED_SIGNATURES: every signature uses an unknown algorithm (or one too new for minSdk). */
  'no_supported_algorithm',
  /** V2/V3_SIG_DID_NOT_VERIFY, V2/V3_SIG_VERIFY_EXCEPTION. */
  'signature_invalid',
  /** V2/V3_SIG_SIG_ALG_MISMATCH_BETWEEN_SIGNATURES_AND_DIGESTS_RECORDS. */
  'algorithms_mismatch',
  /** V2/V3_SIG_NO_CERTIFICATES. */
  'no_certificates',
  /** V2/V3_SIG_MALFORMED_CERTIFICATE. */
  'certificate_malformed',
  /** V2/V3_SIG_MALFORMED_PUBLIC_KEY. */
  'public_key_malformed',
  /** V2/V3_SIG_PUBLIC_KEY_MISMATCH_BETWEEN_CERTIFICATE_AND_SIGNATURES_RECORD. */
  'public_key_mismatch',
  /** V2/V3_SIG_APK_DIGEST_DID_NOT_VERIFY, V2/V3_SIG_MISSING_APK_DIGEST… */
  'digest_mismatch',
  /** V3_SIG_INVALID_SDK_VERSIONS, V3_MIN/MAX_SDK_VERSION_MISMATCH_BETWEEN_SIGNER_AND_SIGNED_DATA_RECORD. */
  'sdk_versions_invalid',
  /** V3_INCONSISTENT_SDK_VERSIONS, V3_MISSING_SDK_VERSIONS: the v3 signers do not cover [minSdk, maxSdk]. */
  'sdk_versions_missing',
  /** V3_SIG_MALFORMED_LINEAGE: the proof-of-rotation lineage does not parse or a link does not verify. */
  'lineage_invalid',
  /** V3_SIG_POR_CERT_MISMATCH, V3_INCONSISTENT_LINEAGES. */
  'lineage_mismatch',
  /** V2_SIG_MISSING_APK_SIG_REFERENCED: a v2 signer says the APK had a v3 block, and it is gone. */
  'v3_stripped',
] as const;

export type ApkSignatureErrorCode = (typeof APK_SIGNATURE_ERRORS)[number];

/** Thrown inside the verifier, caught per scheme and turned into an entry of `errors`. */
export class ApkSignatureError extends Error {
  constructor(
    readonly code: ApkSignatureErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApkSignatureError';
  }
}
