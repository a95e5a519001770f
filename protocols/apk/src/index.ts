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
export { ZipError, type ZipErrorCode } from './zip/zip-error.js';
export {
  openZip,
  checkEntryName,
  DEFAULT_ZIP_LIMITS,
  type ZipArchive,
  type ZipEntry,
  type ZipLimits,
  type ZipMethod,
} from './zip/zip-archive.js';
export { ManifestError, type ManifestErrorCode } from './manifest/manifest-error.js';
export {
  parseAxml,
  DEFAULT_AXML_LIMITS,
  type AxmlAttribute,
  type AxmlElement,
  type AxmlLimits,
} from './manifest/axml.js';
export type { ResValue } from './manifest/res-chunk.js';
export {
  parseResourceTable,
  type ResourceTable,
  type ResolvedValue,
  type ResolvedVariants,
} from './manifest/arsc.js';
export { parseManifest, ATTR, MAX_PERMISSIONS, type ManifestInfo } from './manifest/manifest.js';
export {
  readApkInfo,
  nativeAbis,
  DEFAULT_APK_INFO_LIMITS,
  type ApkInfo,
  type ApkInfoLimits,
} from './manifest/apk-info.js';
export { verifyV1, v1AsReported, type V1Options, type V1Result, type V1ErrorCode } from './v1/v1-verifier.js';
export { parseJarManifest, type JarSection } from './v1/jar-manifest.js';
export { inspectApk, DEFAULT_MIN_SDK, type InspectOptions } from './inspect.js';
export { buildApk, buildApkSync, type BuildApkOptions } from './build/build-apk.js';
export { encodeManifest, ANDROID_ATTR, ANDROID_NS, type ManifestOptions } from './build/manifest-writer.js';
export { writeZip, type ZipInput } from './build/zip-writer.js';
export { signApk, type SignApkOptions, type SigningKey } from './build/apk-signer.js';
export { makeSigner, type MakeSignerOptions, type SignerAlgorithm } from './build/make-signer.js';
export { ApkBuildError, APK_BUILD_ERRORS, type ApkBuildErrorCode } from './build/build-error.js';
