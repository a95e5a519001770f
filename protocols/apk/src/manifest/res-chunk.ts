import { ManifestError, type ManifestErrorCode } from './manifest-error.js';

/*
 * The building blocks Android's binary XML and resource table share, as frameworks/base
 * libs/androidfw/include/androidfw/ResourceTypes.h declares them: ResChunk_header, ResStringPool_header and
 * Res_value. All little-endian.
 */

// ResourceTypes.h, ResChunk_header types.
export const RES_STRING_POOL_TYPE = 0x0001;
export const RES_TABLE_TYPE = 0x0002;
export const RES_XML_TYPE = 0x0003;
export const RES_XML_START_NAMESPACE_TYPE = 0x0100;
export const RES_XML_END_NAMESPACE_TYPE = 0x0101;
export const RES_XML_START_ELEMENT_TYPE = 0x0102;
export const RES_XML_END_ELEMENT_TYPE = 0x0103;
export const RES_XML_CDATA_TYPE = 0x0104;
export const RES_XML_RESOURCE_MAP_TYPE = 0x0180;
export const RES_TABLE_PACKAGE_TYPE = 0x0200;
export const RES_TABLE_TYPE_TYPE = 0x0201;

// ResourceTypes.h, Res_value::dataType.
export const TYPE_NULL = 0x00;
export const TYPE_REFERENCE = 0x01;
export const TYPE_STRING = 0x03;
export const TYPE_FIRST_INT = 0x10;
export const TYPE_INT_BOOLEAN = 0x12;
export const TYPE_LAST_INT = 0x1f;

/** Res_value: what an attribute or a table entry holds. */
export type ResValue = { dataType: number; data: number };

export type Chunk = { type: number; headerSize: number; size: number; offset: number };

/**
 * The chunk at `offset`, checked to lie within [offset, end): ResChunk_header's headerSize is at least its own
 * 8 bytes and at most the chunk's size (ResourceTypes.cpp validate_chunk refuses the same).
 */
export function readChunk(buf: Buffer, offset: number, end: number, code: ManifestErrorCode): Chunk {
  if (offset + 8 > end) throw new ManifestError(code, `a chunk header at ${offset} runs past its container`);
  const type = buf.readUInt16LE(offset);
  const headerSize = buf.readUInt16LE(offset + 2);
  const size = buf.readUInt32LE(offset + 4);
  if (headerSize < 8 || headerSize > size || offset + size > end)
    throw new ManifestError(
      code,
      `chunk 0x${type.toString(16)} at ${offset} does not fit (${headerSize}/${size})`,
    );
  return { type, headerSize, size, offset };
}

const UTF8_FLAG = 0x100;
const utf8 = new TextDecoder('utf-8');

/**
 * A ResStringPool, decoded lazily: a pool may declare many strings, and we read only those we look up (caps
 * on count and bytes come from the chunk size, checked up front).
 */
export class StringPool {
  private readonly cache = new Map<number, string>();
  private readonly utf8: boolean;
  private readonly stringsStart: number;
  private readonly indexStart: number;
  private readonly end: number;
  readonly count: number;

  constructor(
    private readonly buf: Buffer,
    chunk: Chunk,
    maxStrings: number,
    private readonly code: ManifestErrorCode,
  ) {
    if (chunk.headerSize < 28) throw new ManifestError(code, 'a string pool header is too short');
    const o = chunk.offset;
    this.count = buf.readUInt32LE(o + 8);
    const styleCount = buf.readUInt32LE(o + 12);
    const flags = buf.readUInt32LE(o + 16);
    const stringsStart = buf.readUInt32LE(o + 20);
    if (this.count > maxStrings)
      throw new ManifestError(
        code === 'axml_malformed' ? 'axml_limit' : 'arsc_limit',
        `${this.count} strings`,
      );
    if (chunk.headerSize + (this.count + styleCount) * 4 > chunk.size)
      throw new ManifestError(code, 'a string pool index runs past its chunk');
    if (this.count > 0 && (stringsStart < chunk.headerSize || stringsStart >= chunk.size))
      throw new ManifestError(code, 'a string pool data offset is outside its chunk');
    this.utf8 = (flags & UTF8_FLAG) !== 0;
    this.stringsStart = o + stringsStart;
    this.indexStart = o + chunk.headerSize;
    this.end = o + chunk.size;
  }

  get(index: number): string {
    if (index < 0 || index >= this.count)
      throw new ManifestError(this.code, `string ${index} is not in the pool`);
    const cached = this.cache.get(index);
    if (cached !== undefined) return cached;
    const at = this.stringsStart + this.buf.readUInt32LE(this.indexStart + index * 4);
    const value = this.utf8 ? this.decodeUtf8(at) : this.decodeUtf16(at);
    this.cache.set(index, value);
    return value;
  }

  private need(at: number, length: number): void {
    if (at + length > this.end) throw new ManifestError(this.code, 'a string runs past its pool');
  }

  /** ResourceTypes.cpp decodeLength: 1 or 2 units, the high bit of the first marks the long form. */
  private decodeUtf16(at: number): string {
    this.need(at, 2);
    let length = this.buf.readUInt16LE(at);
    let p = at + 2;
    if (length & 0x8000) {
      this.need(p, 2);
      length = ((length & 0x7fff) << 16) | this.buf.readUInt16LE(p);
      p += 2;
    }
    this.need(p, length * 2);
    return this.buf.toString('utf16le', p, p + length * 2);
  }

  /** UTF-8 strings carry their UTF-16 length, then their byte length, each 1 or 2 bytes. */
  private decodeUtf8(at: number): string {
    let p = at;
    this.need(p, 1);
    p += (this.buf[p] ?? 0) & 0x80 ? 2 : 1;
    this.need(p, 1);
    let bytes = this.buf[p] ?? 0;
    if (bytes & 0x80) {
      this.need(p, 2);
      bytes = ((bytes & 0x7f) << 8) | (this.buf[p + 1] ?? 0);
      p += 2;
    } else p += 1;
    this.need(p, bytes);
    return utf8.decode(this.buf.subarray(p, p + bytes));
  }
}

export function readResValue(buf: Buffer, at: number): ResValue {
  return { dataType: buf.readUInt8(at + 3), data: buf.readUInt32LE(at + 4) };
}
