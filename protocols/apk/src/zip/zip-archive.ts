import { promisify } from 'node:util';
import { crc32, inflateRaw } from 'node:zlib';
import type { ByteSource } from '../byte-source.js';
import { EocdError, readEocd, type Eocd } from './eocd.js';
import { ZipError } from './zip-error.js';

/*
 * A ZIP reader for archives we do not trust (PKWARE APPNOTE.TXT 6.3.x, the sections cited below). It reads
 * only what the central directory declares and checks every entry against its local header, the way Android's
 * own libziparchive (system/libziparchive/zip_archive.cc) and apksig's ZipUtils/LocalFileRecord do — so that
 * what we inspect is what the device will install — and it refuses the tricks archive tools tolerate:
 * traversal names, duplicates (PackageParser refuses them: two readers could pick different copies), overlapping
 * entries, encryption, and zip bombs (caps on declared sizes and ratio, enforced again while inflating).
 */

export type ZipLimits = {
  /** Central directory records. */
  maxEntries: number;
  /** Bytes of the central directory itself (names, extras and comments included). */
  maxCentralDirectorySize: number;
  /** Bytes of one entry name. */
  maxNameLength: number;
  /** Declared uncompressed size of one entry. */
  maxEntryUncompressedSize: number;
  /** Sum of the declared uncompressed sizes. */
  maxTotalUncompressedSize: number;
  /** Uncompressed : compressed, for entries of at least `ratioMinSize` bytes uncompressed. */
  maxCompressionRatio: number;
  ratioMinSize: number;
};

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 20_000,
  maxCentralDirectorySize: 32 * 1024 * 1024,
  maxNameLength: 1024,
  maxEntryUncompressedSize: 512 * 1024 * 1024,
  maxTotalUncompressedSize: 1024 * 1024 * 1024,
  maxCompressionRatio: 100,
  ratioMinSize: 1024 * 1024,
};

/** APPNOTE 4.4.5: the only methods Android installs (libziparchive refuses the rest). */
export type ZipMethod = 0 | 8;
export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;

export type ZipEntry = {
  name: string;
  method: ZipMethod;
  /** General purpose bit flags (APPNOTE 4.4.4). */
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  localHeaderOffset: number;
  /** Where the entry's (compressed) data starts: after the local header, its name and its extra field. */
  dataOffset: number;
  /** One past the last byte the entry occupies: its data and, when bit 3 is set, its data descriptor. */
  endOffset: number;
};

export type ZipArchive = {
  readonly eocd: Eocd;
  /** In central directory order. */
  readonly entries: readonly ZipEntry[];
  /** One past the last byte of the last entry: an APK Signing Block, if any, lies in [entriesEnd, cdOffset). */
  readonly entriesEnd: number;
  entry(name: string): ZipEntry | undefined;
  /**
   * The entry's uncompressed bytes, refused (`zip_entry_too_large`) when it declares more than `maxBytes`;
   * the inflater stops at the declared size, and size and CRC-32 are checked.
   */
  readEntry(name: string, maxBytes: number): Promise<Buffer>;
};

// APPNOTE 4.3.7 / 4.3.12 / 4.3.9.3.
const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_SIZE = 30;
const CENTRAL_SIGNATURE = 0x02014b50;
const CENTRAL_SIZE = 46;
const DESCRIPTOR_SIGNATURE = 0x08074b50;

// APPNOTE 4.4.4: bit 0 encrypted, bit 3 sizes and CRC in a data descriptor, bit 6 strong encryption, bit 11
// UTF-8 names, bit 13 encrypted central directory.
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_CD_ENCRYPTED = 0x2000;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const inflateRawAsync = promisify(inflateRaw);

function fail(code: ZipError['code'], message: string): never {
  throw new ZipError(code, message);
}

async function readRange(source: ByteSource, offset: number, length: number, what: string): Promise<Buffer> {
  if (offset + length > source.size) fail('zip_truncated', `${what} runs past the end of the file`);
  return source.read(offset, length);
}

/**
 * Names as Android will see them must be plain relative paths: no traversal, no absolute or drive paths, no
 * backslashes (a second separator on Windows tools), no control characters (libziparchive refuses NUL; a CR
 * or LF in a name lets two names look alike in JAR manifests, see apksig's V1SchemeVerifier).
 */
export function checkEntryName(raw: Buffer): string {
  let name: string;
  try {
    name = utf8.decode(raw);
  } catch {
    fail('zip_bad_name', 'an entry name is not valid UTF-8');
  }
  if (name.length === 0) fail('zip_bad_name', 'an entry has an empty name');
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f)
      fail('zip_bad_name', `entry name ${JSON.stringify(name)} has a control character`);
  }
  if (name.includes('\\')) fail('zip_backslash', `entry name ${JSON.stringify(name)} has a backslash`);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name))
    fail('zip_absolute_path', `entry name ${JSON.stringify(name)} is absolute`);
  const segments = name.split('/');
  // A trailing slash marks a directory entry (APPNOTE 4.4.17.1); empty segments elsewhere are not paths.
  if (segments.at(-1) === '') segments.pop();
  for (const segment of segments) {
    if (segment === '..') fail('zip_path_traversal', `entry name ${JSON.stringify(name)} climbs out with ..`);
    if (segment === '' || segment === '.')
      fail('zip_bad_name', `entry name ${JSON.stringify(name)} has an empty or "." segment`);
  }
  return name;
}

type Central = Omit<ZipEntry, 'dataOffset' | 'endOffset'> & { rawName: Buffer };

function parseCentralDirectory(cd: Buffer, eocd: Eocd, limits: ZipLimits): Central[] {
  const out: Central[] = [];
  const seen = new Set<string>();
  let total = 0;
  let pos = 0;
  while (pos < cd.length) {
    if (out.length >= eocd.entries)
      fail(
        'zip_cd_malformed',
        `the central directory holds more than the ${eocd.entries} entries the EOCD states`,
      );
    if (pos + CENTRAL_SIZE > cd.length) fail('zip_truncated', 'a central directory record is cut short');
    if (cd.readUInt32LE(pos) !== CENTRAL_SIGNATURE)
      fail('zip_cd_malformed', `no central directory record signature at CD offset ${pos}`);
    const flags = cd.readUInt16LE(pos + 8);
    const method = cd.readUInt16LE(pos + 10);
    const crc = cd.readUInt32LE(pos + 16);
    const compressedSize = cd.readUInt32LE(pos + 20);
    const uncompressedSize = cd.readUInt32LE(pos + 24);
    const nameLength = cd.readUInt16LE(pos + 28);
    const extraLength = cd.readUInt16LE(pos + 30);
    const commentLength = cd.readUInt16LE(pos + 32);
    const diskStart = cd.readUInt16LE(pos + 34);
    const localHeaderOffset = cd.readUInt32LE(pos + 42);
    const recordEnd = pos + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (recordEnd > cd.length) fail('zip_truncated', 'a central directory record runs past the directory');
    // APPNOTE 4.4.8/4.4.9/4.4.16: 0xFFFFFFFF defers to a ZIP64 extra field, which we do not accept.
    if (
      compressedSize === 0xffffffff ||
      uncompressedSize === 0xffffffff ||
      localHeaderOffset === 0xffffffff ||
      diskStart === 0xffff
    )
      fail('zip64_unsupported', 'a ZIP64 entry');
    if (diskStart !== 0) fail('zip_multi_disk', 'an entry on another disk');
    if (out.length >= limits.maxEntries)
      fail('zip_too_many_entries', `more than ${limits.maxEntries} entries`);
    if (nameLength > limits.maxNameLength)
      fail('zip_name_too_long', `an entry name of ${nameLength} bytes (cap ${limits.maxNameLength})`);
    const rawName = Buffer.from(cd.subarray(pos + CENTRAL_SIZE, pos + CENTRAL_SIZE + nameLength));
    const name = checkEntryName(rawName);
    if (seen.has(name)) fail('zip_duplicate_name', `entry ${JSON.stringify(name)} appears twice`);
    seen.add(name);
    if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_CD_ENCRYPTED))
      fail('zip_encrypted', `entry ${JSON.stringify(name)} is encrypted`);
    if (method !== METHOD_STORED && method !== METHOD_DEFLATED)
      fail('zip_unsupported_method', `entry ${JSON.stringify(name)} uses compression method ${method}`);
    if (method === METHOD_STORED && compressedSize !== uncompressedSize)
      fail('zip_size_mismatch', `stored entry ${JSON.stringify(name)} has different sizes`);
    if (uncompressedSize > limits.maxEntryUncompressedSize)
      fail('zip_too_large', `entry ${JSON.stringify(name)} declares ${uncompressedSize} bytes`);
    total += uncompressedSize;
    if (total > limits.maxTotalUncompressedSize)
      fail('zip_too_large', `the entries declare more than ${limits.maxTotalUncompressedSize} bytes in all`);
    if (
      uncompressedSize >= limits.ratioMinSize &&
      uncompressedSize > compressedSize * limits.maxCompressionRatio
    )
      fail(
        'zip_ratio',
        `entry ${JSON.stringify(name)} inflates ${compressedSize} bytes to ${uncompressedSize} (cap ${limits.maxCompressionRatio}:1)`,
      );
    out.push({
      name,
      rawName,
      method,
      flags,
      compressedSize,
      uncompressedSize,
      crc32: crc,
      localHeaderOffset,
    });
    pos = recordEnd;
  }
  if (out.length !== eocd.entries)
    fail(
      'zip_cd_malformed',
      `the central directory holds ${out.length} entries, the EOCD states ${eocd.entries}`,
    );
  return out;
}

/** APPNOTE 4.3.7: the local header must repeat what the central directory says (libziparchive checks the same). */
async function resolveLocal(source: ByteSource, c: Central, cdOffset: number): Promise<ZipEntry> {
  const where = `entry ${JSON.stringify(c.name)}`;
  if (c.localHeaderOffset + LOCAL_SIZE > cdOffset)
    fail('zip_overlap', `${where}: its local header is not before the central directory`);
  const header = await readRange(source, c.localHeaderOffset, LOCAL_SIZE, `${where}'s local header`);
  if (header.readUInt32LE(0) !== LOCAL_SIGNATURE)
    fail('zip_local_mismatch', `${where}: no local file header at ${c.localHeaderOffset}`);
  const flags = header.readUInt16LE(6);
  const method = header.readUInt16LE(8);
  const nameLength = header.readUInt16LE(26);
  const extraLength = header.readUInt16LE(28);
  if (flags !== c.flags) fail('zip_local_mismatch', `${where}: local flags ${flags}, central ${c.flags}`);
  if (method !== c.method)
    fail('zip_local_mismatch', `${where}: local method ${method}, central ${c.method}`);
  const nameOffset = c.localHeaderOffset + LOCAL_SIZE;
  if (nameOffset + nameLength > cdOffset)
    fail('zip_overlap', `${where}: its local name runs into the directory`);
  const localName = await readRange(source, nameOffset, nameLength, `${where}'s local name`);
  if (!localName.equals(c.rawName))
    fail('zip_local_mismatch', `${where}: the local header names another file`);
  const hasDescriptor = (flags & FLAG_DATA_DESCRIPTOR) !== 0;
  if (!hasDescriptor) {
    if (
      header.readUInt32LE(14) !== c.crc32 ||
      header.readUInt32LE(18) !== c.compressedSize ||
      header.readUInt32LE(22) !== c.uncompressedSize
    )
      fail('zip_local_mismatch', `${where}: local CRC or sizes differ from the central directory`);
  }
  const dataOffset = nameOffset + nameLength + extraLength;
  let endOffset = dataOffset + c.compressedSize;
  if (endOffset > cdOffset) fail('zip_overlap', `${where}: its data runs into the central directory`);
  if (hasDescriptor) {
    // APPNOTE 4.3.9: CRC and sizes follow the data, with an optional signature; they must match the directory.
    const length = Math.min(16, cdOffset - endOffset);
    if (length < 12) fail('zip_overlap', `${where}: its data descriptor runs into the central directory`);
    const d = await readRange(source, endOffset, length, `${where}'s data descriptor`);
    const signed = length === 16 && d.readUInt32LE(0) === DESCRIPTOR_SIGNATURE;
    const at = signed ? 4 : 0;
    if (
      d.readUInt32LE(at) !== c.crc32 ||
      d.readUInt32LE(at + 4) !== c.compressedSize ||
      d.readUInt32LE(at + 8) !== c.uncompressedSize
    )
      fail('zip_local_mismatch', `${where}: the data descriptor differs from the central directory`);
    endOffset += signed ? 16 : 12;
  }
  const { rawName: _rawName, ...rest } = c;
  return { ...rest, dataOffset, endOffset };
}

/**
 * Opens an archive: the EOCD (readEocd), then the central directory within `limits`, then every entry's local
 * header. Throws ZipError (EOCD refusals keep their EocdError code). Entries may sit anywhere before the
 * central directory, in any order, with gaps (the APK Signing Block, zipalign), but never overlap.
 */
export async function openZip(source: ByteSource, limits: Partial<ZipLimits> = {}): Promise<ZipArchive> {
  const lim: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...limits };
  let eocd: Eocd;
  try {
    eocd = await readEocd(source);
  } catch (err) {
    if (err instanceof EocdError) throw new ZipError(err.code, err.message, { cause: err });
    throw err;
  }
  if (eocd.entries > lim.maxEntries)
    fail('zip_too_many_entries', `${eocd.entries} entries (cap ${lim.maxEntries})`);
  if (eocd.cdSize > lim.maxCentralDirectorySize)
    fail('zip_too_large', `a central directory of ${eocd.cdSize} bytes (cap ${lim.maxCentralDirectorySize})`);
  const cd = await readRange(source, eocd.cdOffset, eocd.cdSize, 'the central directory');
  const centrals = parseCentralDirectory(cd, eocd, lim);

  const entries: ZipEntry[] = [];
  for (const c of centrals) entries.push(await resolveLocal(source, c, eocd.cdOffset));

  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  let entriesEnd = 0;
  let previous: ZipEntry | undefined;
  for (const e of byOffset) {
    if (previous && e.localHeaderOffset < previous.endOffset)
      fail('zip_overlap', `entries ${JSON.stringify(previous.name)} and ${JSON.stringify(e.name)} overlap`);
    previous = e;
    entriesEnd = e.endOffset;
  }

  const byName = new Map(entries.map((e) => [e.name, e]));
  return {
    eocd,
    entries,
    entriesEnd,
    entry: (name) => byName.get(name),
    readEntry: (name, maxBytes) => {
      const e = byName.get(name);
      if (!e) return Promise.reject(new ZipError('zip_entry_not_found', `no entry ${JSON.stringify(name)}`));
      return readEntryData(source, e, maxBytes);
    },
  };
}

async function readEntryData(source: ByteSource, e: ZipEntry, maxBytes: number): Promise<Buffer> {
  const where = `entry ${JSON.stringify(e.name)}`;
  if (e.uncompressedSize > maxBytes)
    fail('zip_entry_too_large', `${where} declares ${e.uncompressedSize} bytes (cap ${maxBytes})`);
  // Deflate never needs much more than the input (stored blocks cost 5 bytes per 64 KiB): a bigger
  // compressed size is not a real entry, and reading it would cost memory for nothing.
  if (e.compressedSize > e.uncompressedSize + (e.uncompressedSize >>> 8) + 1024)
    fail('zip_size_mismatch', `${where}: ${e.compressedSize} compressed bytes for ${e.uncompressedSize}`);
  const raw = await readRange(source, e.dataOffset, e.compressedSize, where);
  let data: Buffer;
  if (e.method === METHOD_STORED) {
    data = raw;
  } else {
    try {
      // The inflater itself stops at the declared size (one byte more tells us the declaration lied).
      data = await inflateRawAsync(raw, { maxOutputLength: e.uncompressedSize + 1 });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        fail('zip_size_mismatch', `${where} inflates to more than its declared ${e.uncompressedSize} bytes`);
      throw new ZipError('zip_bad_deflate', `${where}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (data.length !== e.uncompressedSize)
    fail('zip_size_mismatch', `${where} has ${data.length} bytes, declares ${e.uncompressedSize}`);
  if (crc32(data) !== e.crc32) fail('zip_crc_mismatch', `${where}: CRC-32 mismatch`);
  return data;
}
