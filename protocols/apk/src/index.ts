/** APK inspection (see package.json). The public face: each part exports from here. */
export { bufferSource, fileSource, type ByteSource, type FileSource } from './byte-source.js';
export { readEocd, EocdError, type Eocd } from './zip/eocd.js';
export type { ApkInspection } from './inspection.js';
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
