import { crc32, deflateRawSync } from 'node:zlib';
import { checkEntryName } from '../zip/zip-archive.js';
import { ZipError } from '../zip/zip-error.js';
import { ApkBuildError } from './build-error.js';
import { u16, u32 } from './bytes.js';

export type ZipInput = {
  /** The entry name, `/`-separated (APPNOTE 4.4.17); the rules of the APK reader's checkEntryName apply. */
  name: string;
  data: Buffer;
  /**
   * Deflate (method 8) or store (method 0). Default: stored for native libraries (`.so`, which Android maps in
   * place when extractNativeLibs is false), deflated otherwise.
   */
  compress?: boolean;
  /**
   * Alignment of a stored entry's data in the file. Default 4096 for `.so` (zipalign -p: page-aligned so it can
   * be mmapped), 4 for the rest (zipalign's default). Ignored for deflated entries.
   */
  align?: number;
};

/* APPNOTE 4.3.7 / 4.3.12 / 4.3.16 signatures and fixed sizes. */
const LOCAL_SIGNATURE = 0x04034b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const EOCD_SIGNATURE = 0x06054b50;
const LOCAL_SIZE = 30;
const CENTRAL_SIZE = 46;
/** Beyond these the archive needs ZIP64 (APPNOTE 4.4.1.4), which the APK reader refuses. */
const MAX_ENTRIES = 0xfffe;
const MAX_OFFSET = 0xfffffffe;
/** MS-DOS date of 1981-01-01 00:00 (APPNOTE 4.4.6), fixed so that equal inputs give equal bytes. */
const DOS_DATE = ((1981 - 1980) << 9) | (1 << 5) | 1;
/** APPNOTE 4.4.4 bit 11: the name is UTF-8. */
const FLAG_UTF8 = 0x0800;
/**
 * apksig's alignment extra field (ZipUtils / ApkSigner ALIGNMENT_ZIP_EXTRA_DATA_FIELD_HEADER_ID): id 0xd935,
 * uint16 alignment, then zero padding. A well-formed extra field, unlike zipalign's bare zeros.
 */
const ALIGNMENT_EXTRA_ID = 0xd935;
const ALIGNMENT_EXTRA_MIN = 6;

const isNativeLib = (name: string): boolean => name.endsWith('.so');

/**
 * A ZIP archive of the given entries, in the given order: local header + data per entry, then the central
 * directory and the end record without a comment. Sizes and CRC-32 are in the local headers (no data
 * descriptors), as apksig writes them. Stored entries are aligned through the extra field of their local header.
 */
export function writeZip(inputs: ZipInput[]): Buffer {
  if (inputs.length > MAX_ENTRIES)
    throw new ApkBuildError('build_too_large', `${inputs.length} entries need ZIP64`);
  const seen = new Set<string>();
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const input of inputs) {
    const nameBytes = Buffer.from(input.name, 'utf8');
    try {
      checkEntryName(nameBytes);
    } catch (err) {
      if (err instanceof ZipError) throw new ApkBuildError('build_invalid_entry', err.message);
      throw err;
    }
    if (input.name.endsWith('/') || nameBytes.length > 0xffff || !Buffer.isBuffer(input.data))
      throw new ApkBuildError(
        'build_invalid_entry',
        `entry ${JSON.stringify(input.name)} is not a file with data`,
      );
    if (seen.has(input.name))
      throw new ApkBuildError('build_duplicate_entry', `entry ${JSON.stringify(input.name)} is given twice`);
    seen.add(input.name);

    const compress = input.compress ?? !isNativeLib(input.name);
    const method = compress ? 8 : 0;
    const body = compress ? deflateRawSync(input.data, { level: 9 }) : input.data;
    const crc = crc32(input.data);
    const flags = /[^\x20-\x7e]/.test(input.name) ? FLAG_UTF8 : 0;
    const versionNeeded = compress ? 20 : 10;

    let extra = Buffer.alloc(0);
    if (!compress) {
      const align = input.align ?? (isNativeLib(input.name) ? 4096 : 4);
      if (!Number.isInteger(align) || align < 1 || align > 0xffff)
        throw new ApkBuildError('build_invalid_entry', `alignment ${align} is not in 1…65535`);
      const dataStart = offset + LOCAL_SIZE + nameBytes.length;
      if (align > 1) {
        const pad = ALIGNMENT_EXTRA_MIN + ((align - ((dataStart + ALIGNMENT_EXTRA_MIN) % align)) % align);
        extra = Buffer.alloc(pad);
        extra.writeUInt16LE(ALIGNMENT_EXTRA_ID, 0);
        extra.writeUInt16LE(pad - 4, 2);
        extra.writeUInt16LE(align, 4);
      }
    }

    const local = Buffer.concat([
      u32(LOCAL_SIGNATURE),
      u16(versionNeeded),
      u16(flags),
      u16(method),
      u16(0), // time
      u16(DOS_DATE),
      u32(crc),
      u32(body.length),
      u32(input.data.length),
      u16(nameBytes.length),
      u16(extra.length),
    ]);
    const header = Buffer.concat([
      u32(CENTRAL_SIGNATURE),
      u16(versionNeeded), // version made by: MS-DOS attributes
      u16(versionNeeded),
      u16(flags),
      u16(method),
      u16(0),
      u16(DOS_DATE),
      u32(crc),
      u32(body.length),
      u32(input.data.length),
      u16(nameBytes.length),
      u16(0), // extra: the alignment padding is the local header's business only
      u16(0), // comment
      u16(0), // disk
      u16(0), // internal attributes
      u32(0), // external attributes
      u32(offset),
    ]);
    if (header.length !== CENTRAL_SIZE) throw new Error('central header size');
    parts.push(local, nameBytes, extra, body);
    central.push(header, nameBytes);
    offset += local.length + nameBytes.length + extra.length + body.length;
    if (offset > MAX_OFFSET)
      throw new ApkBuildError('build_too_large', 'the archive would need ZIP64 (≥ 4 GiB)');
  }
  const cd = Buffer.concat(central);
  if (offset + cd.length > MAX_OFFSET)
    throw new ApkBuildError('build_too_large', 'the archive would need ZIP64 (≥ 4 GiB)');
  const eocd = Buffer.concat([
    u32(EOCD_SIGNATURE),
    u16(0),
    u16(0),
    u16(inputs.length),
    u16(inputs.length),
    u32(cd.length),
    u32(offset),
    u16(0),
  ]);
  return Buffer.concat([...parts, cd, eocd]);
}
