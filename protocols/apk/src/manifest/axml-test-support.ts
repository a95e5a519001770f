/*
 * Test support (not exported from the package): a writer of binary XML and of a one-package resources.arsc,
 * following ResourceTypes.h, so tests can hand aapt and our parser the same bytes. What the bytes mean is
 * checked against aapt, never against this writer's own idea of them.
 */

export const ANDROID_NS = 'http://schemas.android.com/apk/res/android';

export type XAttr = {
  /** In the android namespace (with a resource id), or in none. */
  android: boolean;
  name: string;
  id?: number;
  dataType: number;
  data?: number;
  string?: string;
};
export type XElement = { name: string; attributes: XAttr[]; children: XElement[]; text?: string };

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const pad4 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);

function chunk(type: number, header: Buffer, body: Buffer): Buffer {
  const headerSize = 8 + header.length;
  return Buffer.concat([u16(type), u16(headerSize), u32(headerSize + body.length), header, body]);
}

/** ResStringPool_header + offsets + strings (short strings only: one-unit lengths). */
export function stringPool(strings: string[], utf8: boolean): Buffer {
  const encoded = strings.map((s) => {
    if (utf8) {
      const bytes = Buffer.from(s, 'utf8');
      return Buffer.concat([Buffer.from([s.length, bytes.length]), bytes, Buffer.from([0])]);
    }
    return Buffer.concat([u16(s.length), Buffer.from(s, 'utf16le'), u16(0)]);
  });
  const offsets: Buffer[] = [];
  let at = 0;
  for (const e of encoded) {
    offsets.push(u32(at));
    at += e.length;
  }
  const data = pad4(Buffer.concat(encoded));
  const header = Buffer.concat([
    u32(strings.length),
    u32(0),
    u32(utf8 ? 0x100 : 0),
    u32(28 + strings.length * 4),
    u32(0),
  ]);
  return chunk(0x0001, header, Buffer.concat([...offsets, data]));
}

/** A RES_XML_TYPE document: string pool (attribute names with ids first), resource map, android namespace, tree. */
export function writeAxml(root: XElement, opts: { utf8?: boolean } = {}): Buffer {
  const withIds: { name: string; id: number }[] = [];
  const others: string[] = [];
  const walk = (e: XElement) => {
    for (const a of e.attributes) {
      if (a.id !== undefined && !withIds.some((w) => w.name === a.name))
        withIds.push({ name: a.name, id: a.id });
    }
    e.children.forEach(walk);
  };
  walk(root);
  const strings = withIds.map((w) => w.name);
  const index = (s: string) => {
    let i = strings.indexOf(s);
    if (i < 0) {
      others.push(s);
      strings.push(s);
      i = strings.length - 1;
    }
    return i;
  };
  index('android');
  index(ANDROID_NS);
  const nodes: Buffer[] = [];
  const node = (type: number, ext: Buffer) => chunk(type, Buffer.concat([u32(1), u32(0xffffffff)]), ext);
  nodes.push(node(0x0100, Buffer.concat([u32(index('android')), u32(index(ANDROID_NS))])));
  const emit = (e: XElement) => {
    const attrs = e.attributes.map((a) => {
      const ns = a.android ? index(ANDROID_NS) : 0xffffffff;
      const data = a.string !== undefined ? index(a.string) : (a.data ?? 0);
      const raw = a.string !== undefined ? index(a.string) : 0xffffffff;
      return Buffer.concat([
        u32(ns),
        u32(index(a.name)),
        u32(raw),
        u16(8),
        Buffer.from([0, a.dataType]),
        u32(data),
      ]);
    });
    const ext = Buffer.concat([
      u32(0xffffffff),
      u32(index(e.name)),
      u16(20),
      u16(20),
      u16(attrs.length),
      u16(0),
      u16(0),
      u16(0),
      ...attrs,
    ]);
    nodes.push(node(0x0102, ext));
    // RES_XML_CDATA_TYPE: ResXMLTree_cdataExt { data: the string, typedData: Res_value (size 8, TYPE_NULL) }.
    if (e.text !== undefined)
      nodes.push(node(0x0104, Buffer.concat([u32(index(e.text)), u16(8), Buffer.from([0, 0]), u32(0)])));
    e.children.forEach(emit);
    nodes.push(node(0x0103, Buffer.concat([u32(0xffffffff), u32(index(e.name))])));
  };
  emit(root);
  nodes.push(node(0x0101, Buffer.concat([u32(index('android')), u32(index(ANDROID_NS))])));
  const pool = stringPool(strings, opts.utf8 ?? true);
  const map = chunk(0x0180, Buffer.alloc(0), Buffer.concat(withIds.map((w) => u32(w.id))));
  return chunk(0x0003, Buffer.alloc(0), Buffer.concat([pool, map, ...nodes]));
}

export type XResource = {
  type: 'string' | 'bool' | 'xml';
  name: string;
  dataType: number;
  data?: number;
  string?: string;
};

/**
 * A resources.arsc with package 0x7f: type 1 `string`, type 2 `bool`, type 3 `xml` (a file: its value is the
 * path in the archive), entries numbered in order per type (0x7f010000, 0x7f010001, …; 0x7f020000, …). `localized` values go to a second, `fr` configuration placed
 * before the default one, so a reader that ignores configurations picks the wrong value.
 */
export function writeArsc(resources: XResource[], localized: Map<string, XResource> = new Map()): Buffer {
  const values: string[] = [];
  const valueIndex = (s: string) => (values.includes(s) ? values.indexOf(s) : values.push(s) - 1);
  const typeNames = ['string', 'bool', 'xml'] as const;
  const keys: string[] = [];
  const keyIndex = (s: string) => (keys.includes(s) ? keys.indexOf(s) : keys.push(s) - 1);
  const entry = (r: XResource) =>
    Buffer.concat([
      u16(8),
      u16(0),
      u32(keyIndex(r.name)),
      u16(8),
      Buffer.from([0, r.dataType]),
      u32(r.string !== undefined ? valueIndex(r.string) : (r.data ?? 0)),
    ]);
  const typeChunks: Buffer[] = [];
  typeNames.forEach((typeName, t) => {
    const ofType = resources.filter((r) => r.type === typeName);
    const typeId = t + 1;
    typeChunks.push(
      chunk(
        0x0202,
        Buffer.concat([Buffer.from([typeId, 0]), u16(0), u32(ofType.length)]),
        Buffer.concat(ofType.map(() => u32(0))),
      ),
    );
    const typeChunk = (config: Buffer, list: (XResource | undefined)[]) => {
      const bodies: Buffer[] = [];
      const offsets: Buffer[] = [];
      let at = 0;
      for (const r of list) {
        if (!r) {
          offsets.push(u32(0xffffffff));
          continue;
        }
        const e = entry(r);
        offsets.push(u32(at));
        bodies.push(e);
        at += e.length;
      }
      const headerSize = 8 + 12 + config.length;
      const entriesStart = headerSize + list.length * 4;
      return chunk(
        0x0201,
        Buffer.concat([Buffer.from([typeId, 0]), u16(0), u32(list.length), u32(entriesStart), config]),
        Buffer.concat([...offsets, ...bodies]),
      );
    };
    const fr = Buffer.alloc(64);
    fr.writeUInt32LE(64, 0);
    fr.write('fr', 8, 'latin1');
    if (ofType.some((r) => localized.has(r.name)))
      typeChunks.push(
        typeChunk(
          fr,
          ofType.map((r) => localized.get(r.name)),
        ),
      );
    const defaultConfig = Buffer.alloc(64);
    defaultConfig.writeUInt32LE(64, 0);
    if (ofType.length > 0) typeChunks.push(typeChunk(defaultConfig, ofType));
  });
  const typeStrings = stringPool([...typeNames], false);
  const keyStrings = stringPool(keys, false);
  const name = Buffer.alloc(256);
  name.write('org.pakawaaz.test', 'utf16le');
  const packageHeaderSize = 288;
  const packageHeader = Buffer.concat([
    u32(0x7f),
    name,
    u32(packageHeaderSize),
    u32(typeNames.length),
    u32(packageHeaderSize + typeStrings.length),
    u32(keys.length),
    u32(0),
  ]);
  const pkg = chunk(0x0200, packageHeader, Buffer.concat([typeStrings, keyStrings, ...typeChunks]));
  const valuePool = stringPool(values, true);
  return chunk(0x0002, u32(1), Buffer.concat([valuePool, pkg]));
}
