import { ManifestError } from './manifest-error.js';
import {
  readChunk,
  readResValue,
  RES_STRING_POOL_TYPE,
  RES_TABLE_PACKAGE_TYPE,
  RES_TABLE_TYPE,
  RES_TABLE_TYPE_TYPE,
  StringPool,
  TYPE_REFERENCE,
  type ResValue,
} from './res-chunk.js';

/*
 * Just enough of resources.arsc (ResourceTypes.h ResTable_header, ResTable_package, ResTable_type,
 * ResTable_entry) to resolve a manifest attribute that is a reference (versionName="@string/v",
 * debuggable="@bool/d") the way `aapt dump badging` does: the value in the default configuration (a
 * ResTable_config of all zeros). A value that exists only in qualified configurations resolves to nothing.
 */

export type ResolvedValue = ResValue & { string: string | null };

export type ResourceTable = {
  /** The value of resource `id` in the default configuration, references followed; null when there is none. */
  resolve(id: number): ResolvedValue | null;
};

const MAX_CHUNKS = 200_000;
const MAX_STRINGS = 2_000_000;
const MAX_REFERENCE_DEPTH = 8;
const NO_ENTRY = 0xffffffff;
// ResTable_type::flags.
const FLAG_SPARSE = 0x01;
const FLAG_OFFSET16 = 0x02;
// ResTable_entry::flags.
const FLAG_COMPLEX = 0x0001;
const FLAG_COMPACT = 0x0008;

function malformed(message: string): never {
  throw new ManifestError('arsc_malformed', message);
}

type TypeChunk = { offset: number; headerSize: number; size: number };

export function parseResourceTable(bytes: Uint8Array): ResourceTable {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = readChunk(buf, 0, buf.length, 'arsc_malformed');
  if (table.type !== RES_TABLE_TYPE)
    malformed(`not a resource table (chunk type 0x${table.type.toString(16)})`);
  if (table.headerSize < 12) malformed('a resource table header too short');

  let values: StringPool | undefined;
  /** package id → type id → the default-configuration type chunks. */
  const packages = new Map<number, Map<number, TypeChunk[]>>();
  let chunks = 0;
  const count = () => {
    if (++chunks > MAX_CHUNKS) throw new ManifestError('arsc_limit', `more than ${MAX_CHUNKS} chunks`);
  };

  for (let pos = table.headerSize; pos < table.size;) {
    count();
    const chunk = readChunk(buf, pos, table.size, 'arsc_malformed');
    if (chunk.type === RES_STRING_POOL_TYPE && !values) {
      values = new StringPool(buf, chunk, MAX_STRINGS, 'arsc_malformed');
    } else if (chunk.type === RES_TABLE_PACKAGE_TYPE) {
      // ResTable_package: header, id, name[128] (UTF-16), typeStrings, lastPublicType, keyStrings, ...
      if (chunk.headerSize < 8 + 4 + 256 + 16) malformed('a package header too short');
      const id = buf.readUInt32LE(pos + 8);
      const types = packages.get(id) ?? new Map<number, TypeChunk[]>();
      packages.set(id, types);
      for (let p = pos + chunk.headerSize; p < pos + chunk.size;) {
        count();
        const c = readChunk(buf, p, pos + chunk.size, 'arsc_malformed');
        if (c.type === RES_TABLE_TYPE_TYPE && isDefaultConfig(buf, c)) {
          const typeId = buf.readUInt8(p + 8);
          const list = types.get(typeId) ?? [];
          list.push({ offset: p, headerSize: c.headerSize, size: c.size });
          types.set(typeId, list);
        }
        p += c.size;
      }
    }
    pos += chunk.size;
  }

  const lookup = (id: number): ResValue | null => {
    const types = packages.get(id >>> 24);
    const chunksOfType = types?.get((id >>> 16) & 0xff) ?? [];
    for (const t of chunksOfType) {
      const v = entryValue(buf, t, id & 0xffff);
      if (v) return v;
    }
    return null;
  };

  return {
    resolve(id) {
      let value = lookup(id);
      for (let depth = 0; value && value.dataType === TYPE_REFERENCE; depth++) {
        if (depth >= MAX_REFERENCE_DEPTH) return null;
        value = lookup(value.data);
      }
      if (!value) return null;
      return { ...value, string: value.dataType === 0x03 && values ? values.get(value.data) : null };
    },
  };
}

/** ResTable_type: id u8, flags u8, reserved u16, entryCount u32, entriesStart u32, then a ResTable_config. */
function isDefaultConfig(buf: Buffer, c: { offset: number; headerSize: number }): boolean {
  const config = c.offset + 20;
  if (c.headerSize < 24) malformed('a type chunk header too short');
  const configSize = buf.readUInt32LE(config);
  if (configSize < 4 || 20 + configSize > c.headerSize) malformed('a type chunk configuration does not fit');
  for (let i = 4; i < configSize; i++) if (buf[config + i] !== 0) return false;
  return true;
}

function entryValue(buf: Buffer, t: TypeChunk, index: number): ResValue | null {
  const flags = buf.readUInt8(t.offset + 9);
  const entryCount = buf.readUInt32LE(t.offset + 12);
  const entriesStart = buf.readUInt32LE(t.offset + 16);
  const indexAt = t.offset + t.headerSize;
  const end = t.offset + t.size;
  let offset: number | null = null;
  if (flags & FLAG_SPARSE) {
    // ResTable_sparseTypeEntry: (idx u16, offset/4 u16) pairs, sorted by idx.
    if (indexAt + entryCount * 4 > end) malformed('a sparse entry index runs past its chunk');
    for (let i = 0; i < entryCount; i++) {
      if (buf.readUInt16LE(indexAt + i * 4) === index) {
        offset = buf.readUInt16LE(indexAt + i * 4 + 2) * 4;
        break;
      }
    }
  } else if (flags & FLAG_OFFSET16) {
    if (index >= entryCount) return null;
    if (indexAt + entryCount * 2 > end) malformed('an entry index runs past its chunk');
    const o = buf.readUInt16LE(indexAt + index * 2);
    offset = o === 0xffff ? null : o * 4;
  } else {
    if (index >= entryCount) return null;
    if (indexAt + entryCount * 4 > end) malformed('an entry index runs past its chunk');
    const o = buf.readUInt32LE(indexAt + index * 4);
    offset = o === NO_ENTRY ? null : o;
  }
  if (offset === null) return null;
  const at = t.offset + entriesStart + offset;
  if (at + 8 > end) malformed('an entry runs past its chunk');
  const entryFlags = buf.readUInt16LE(at + 2);
  if (entryFlags & FLAG_COMPACT) {
    // Compact entry: key u16, flags u16 (dataType in the high byte), data u32.
    return { dataType: entryFlags >>> 8, data: buf.readUInt32LE(at + 4) };
  }
  if (entryFlags & FLAG_COMPLEX) return null; // a bag (style, array, plural): never a scalar manifest value
  const size = buf.readUInt16LE(at);
  if (size < 8 || at + size + 8 > end) malformed('an entry value runs past its chunk');
  return readResValue(buf, at + size);
}
