import { crc32, deflateRawSync } from 'node:zlib';

/* Test support (not exported from the package). */

/*
 * A minimal ZIP writer (APPNOTE 4.3.7 local header, 4.3.12 central header, 4.3.16 EOCD) whose every field can
 * be overridden per entry, so each test can break exactly one rule.
 */
export type Spec = {
  name: string | Buffer;
  data: Buffer;
  method?: number;
  flags?: number;
  /** Overrides of what the central directory / local header say. */
  cd?: Partial<{
    name: Buffer;
    crc: number;
    csize: number;
    usize: number;
    offset: number;
    method: number;
    disk: number;
  }>;
  local?: Partial<{ name: Buffer; crc: number; csize: number; usize: number; method: number; flags: number }>;
  /** Bytes written after the data (a data descriptor). */
  trailer?: Buffer;
};

export function buildZip(specs: Spec[], opts: { entriesField?: number; gap?: Buffer } = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const s of specs) {
    const method = s.method ?? 8;
    const flags = s.flags ?? 0;
    const name = typeof s.name === 'string' ? Buffer.from(s.name) : s.name;
    const body = method === 8 ? deflateRawSync(s.data) : s.data;
    const crc = crc32(s.data);
    const l = s.local ?? {};
    const lname = l.name ?? name;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(l.flags ?? flags, 6);
    local.writeUInt16LE(l.method ?? method, 8);
    local.writeUInt32LE(l.crc ?? crc, 14);
    local.writeUInt32LE(l.csize ?? body.length, 18);
    local.writeUInt32LE(l.usize ?? s.data.length, 22);
    local.writeUInt16LE(lname.length, 26);
    const c = s.cd ?? {};
    const cname = c.name ?? name;
    const cdh = Buffer.alloc(46);
    cdh.writeUInt32LE(0x02014b50, 0);
    cdh.writeUInt16LE(20, 4);
    cdh.writeUInt16LE(20, 6);
    cdh.writeUInt16LE(flags, 8);
    cdh.writeUInt16LE(c.method ?? method, 10);
    cdh.writeUInt32LE(c.crc ?? crc, 16);
    cdh.writeUInt32LE(c.csize ?? body.length, 20);
    cdh.writeUInt32LE(c.usize ?? s.data.length, 24);
    cdh.writeUInt16LE(cname.length, 28);
    cdh.writeUInt16LE(c.disk ?? 0, 34);
    cdh.writeUInt32LE(c.offset ?? offset, 42);
    central.push(cdh, cname);
    const trailer = s.trailer ?? Buffer.alloc(0);
    parts.push(local, lname, body, trailer);
    offset += 30 + lname.length + body.length + trailer.length;
  }
  if (opts.gap) {
    parts.push(opts.gap);
    offset += opts.gap.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(opts.entriesField ?? specs.length, 8);
  eocd.writeUInt16LE(opts.entriesField ?? specs.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, eocd]);
}
