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
  TYPE_STRING,
  type ResValue,
} from './res-chunk.js';

/*
 * Just enough of resources.arsc (ResourceTypes.h ResTable_header, ResTable_package, ResTable_type,
 * ResTable_entry) to resolve a manifest attribute that is a reference (versionName="@string/v",
 * debuggable="@bool/d"). `resolve` gives the value in the default configuration (a ResTable_config of all
 * zeros), as `aapt dump badging` does. A device picks the best-matching configuration (a -v28 or -night
 * variant can win over the default: ResTable_config::isBetterThan), so `resolveAll` also reports every
 * configuration's value and whether any non-default configuration took part, for the fields where the store
 * must assume the worst.
 */

export type ResolvedValue = ResValue & { string: string | null };

export type ResolvedVariants = {
  /** The values in every configuration, references followed through every configuration. */
  values: ResolvedValue[];
  /** Some resource along the way has a value in a non-default configuration, or could not be resolved. */
  qualified: boolean;
};

export type ResourceTable = {
  /** The value of resource `id` in the default configuration, references followed; null when there is none. */
  resolve(id: number): ResolvedValue | null;
  /** The values of resource `id` in every configuration, references followed. */
  resolveAll(id: number): ResolvedVariants;
};

const MAX_CHUNKS = 200_000;
const MAX_STRINGS = 2_000_000;
const MAX_REFERENCE_DEPTH = 8;
/**
 * Caps on the work one table does for its callers (a manifest has a bounded number of references, and each
 * lookup probes every configuration of its type): beyond them, arsc_limit.
 */
const MAX_RESOLUTIONS = 10_000;
const MAX_PROBES = 2_000_000;
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
function limit(message: string): never {
  throw new ManifestError('arsc_limit', message);
}

type TypeChunk = { offset: number; headerSize: number; size: number; isDefault: boolean };
type Found = { value: ResValue; isDefault: boolean };

export function parseResourceTable(bytes: Uint8Array): ResourceTable {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = readChunk(buf, 0, buf.length, 'arsc_malformed');
  if (table.type !== RES_TABLE_TYPE)
    malformed(`not a resource table (chunk type 0x${table.type.toString(16)})`);
  if (table.headerSize < 12) malformed('a resource table header too short');

  let values: StringPool | undefined;
  /** package id → type id → the type chunks, in every configuration. */
  const packages = new Map<number, Map<number, TypeChunk[]>>();
  let chunks = 0;
  const count = () => {
    if (++chunks > MAX_CHUNKS) limit(`more than ${MAX_CHUNKS} chunks`);
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
        if (c.type === RES_TABLE_TYPE_TYPE) {
          const typeId = buf.readUInt8(p + 8);
          const list = types.get(typeId) ?? [];
          list.push({
            offset: p,
            headerSize: c.headerSize,
            size: c.size,
            isDefault: isDefaultConfig(buf, c),
          });
          types.set(typeId, list);
        }
        p += c.size;
      }
    }
    pos += chunk.size;
  }

  let resolutions = 0;
  let probes = 0;
  const cache = new Map<number, Found[]>();
  /** Resource `id` in every configuration that defines it; each id is looked up once. */
  const lookup = (id: number): Found[] => {
    const cached = cache.get(id);
    if (cached) return cached;
    const chunksOfType = packages.get(id >>> 24)?.get((id >>> 16) & 0xff) ?? [];
    probes += chunksOfType.length;
    if (probes > MAX_PROBES) limit(`more than ${MAX_PROBES} entry lookups`);
    const found: Found[] = [];
    for (const t of chunksOfType) {
      const value = entryValue(buf, t, id & 0xffff);
      if (value) found.push({ value, isDefault: t.isDefault });
    }
    cache.set(id, found);
    return found;
  };
  const resolution = () => {
    if (++resolutions > MAX_RESOLUTIONS) limit(`more than ${MAX_RESOLUTIONS} resolutions`);
  };
  const withString = (value: ResValue): ResolvedValue => ({
    ...value,
    string: value.dataType === TYPE_STRING && values ? values.get(value.data) : null,
  });

  return {
    resolve(id) {
      resolution();
      // The first default-configuration value (several default chunks of one type: the first defining it).
      const inDefault = (i: number) => lookup(i).find((f) => f.isDefault)?.value ?? null;
      let value = inDefault(id);
      for (let depth = 0; value && value.dataType === TYPE_REFERENCE; depth++) {
        if (depth >= MAX_REFERENCE_DEPTH) return null;
        value = inDefault(value.data);
      }
      return value ? withString(value) : null;
    },
    resolveAll(id) {
      resolution();
      // Breadth-first over references, each id once: a loop or a long chain counts as qualified (unresolved).
      const out: ResolvedValue[] = [];
      let qualified = false;
      const seen = new Set<number>();
      let frontier = [id];
      for (let depth = 0; frontier.length > 0; depth++) {
        if (depth > MAX_REFERENCE_DEPTH) return { values: out, qualified: true };
        const next: number[] = [];
        for (const i of frontier) {
          if (seen.has(i)) {
            qualified = true;
            continue;
          }
          seen.add(i);
          const found = lookup(i);
          if (found.length === 0) qualified = true;
          for (const f of found) {
            if (!f.isDefault) qualified = true;
            if (f.value.dataType === TYPE_REFERENCE) next.push(f.value.data);
            else out.push(withString(f.value));
          }
        }
        frontier = next;
      }
      return { values: out, qualified };
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
    // ResTable_sparseTypeEntry: (idx u16, offset/4 u16) pairs, sorted by idx; the platform binary-searches
    // them (LoadedArsc.cpp GetEntryOffset, std::lower_bound), and so do we: a scan would cost a crafted table
    // of millions of entries that much per lookup.
    if (indexAt + entryCount * 4 > end) malformed('a sparse entry index runs past its chunk');
    let lo = 0;
    let hi = entryCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (buf.readUInt16LE(indexAt + mid * 4) < index) lo = mid + 1;
      else hi = mid;
    }
    if (lo < entryCount && buf.readUInt16LE(indexAt + lo * 4) === index)
      offset = buf.readUInt16LE(indexAt + lo * 4 + 2) * 4;
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
