/** APK inspection (see package.json). The public face: each part exports from here. */
export { bufferSource, fileSource, type ByteSource, type FileSource } from './byte-source.js';
export { readEocd, EocdError, type Eocd } from './zip/eocd.js';
export type { ApkInspection } from './inspection.js';
export {
  verifyApkSignatures,
  DEFAULT_SIGNING_LIMITS,
  type ApkSignatureOptions,
  type ApkSignatureVerdict,
  type SigningLimits,
} from './signing/verify.js';
export {
  APK_SIGNATURE_ERRORS,
  ApkSignatureError,
  type ApkSignatureErrorCode,
} from './signing/apk-signature-errors.js';
