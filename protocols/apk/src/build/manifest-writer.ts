import { ApkBuildError } from './build-error.js';
import { u16, u32 } from './bytes.js';

/** What the generated AndroidManifest.xml declares. */
export type ManifestOptions = {
  /** The application id, e.g. `pk.gov.eoffice` (PackageParser: two or more Java-identifier segments). */
  package: string;
  /** android:versionCode, 0 … 2^31-1 (a Java int; versionCodeMajor is not written). */
  versionCode: number;
  versionName: string;
  minSdk: number;
  targetSdk: number;
  /** `<uses-permission android:name=…>`, in this order. */
  permissions?: string[];
  /** `<application android:debuggable>`; omitted when undefined. */
  debuggable?: boolean;
  /** `<application android:usesCleartextTraffic>`; omitted when undefined. */
  usesCleartextTraffic?: boolean;
  /** `<application android:label>` as a literal string; omitted when undefined. */
  label?: string;
  /** Encode the string pool as UTF-8 (aapt2's default for manifests) or UTF-16. Default UTF-8. */
  utf8?: boolean;
};

export const ANDROID_NS = 'http://schemas.android.com/apk/res/android';

/**
 * Resource ids of the framework attributes written here, from AOSP frameworks/base/core/res/res/values/public.xml
 * (`<public type="attr" name=… id=…>`, stable since the API level that introduced each). aapt resolves manifest
 * attributes by these ids, not by their names, so a wrong id makes the attribute invisible.
 */
export const ANDROID_ATTR = {
  label: 0x01010001,
  name: 0x01010003,
  hasCode: 0x0101000c,
  debuggable: 0x0101000f,
  minSdkVersion: 0x0101020c,
  versionCode: 0x0101021b,
  versionName: 0x0101021c,
  targetSdkVersion: 0x01010270,
  usesCleartextTraffic: 0x010104ec,
} as const;

/* ResourceTypes.h chunk types and Res_value data types. */
const RES_STRING_POOL_TYPE = 0x0001;
const RES_XML_TYPE = 0x0003;
const RES_XML_START_NAMESPACE_TYPE = 0x0100;
const RES_XML_END_NAMESPACE_TYPE = 0x0101;
const RES_XML_START_ELEMENT_TYPE = 0x0102;
const RES_XML_END_ELEMENT_TYPE = 0x0103;
const RES_XML_RESOURCE_MAP_TYPE = 0x0180;
const TYPE_STRING = 0x03;
const TYPE_INT_DEC = 0x10;
const TYPE_INT_BOOLEAN = 0x12;
const UTF8_FLAG = 0x100;
const NO_INDEX = 0xffffffff;

/** Keeps every string's length encodable in the one- or two-unit forms of ResStringPool (≤ 0x7fff). */
const MAX_STRING = 4096;
const MAX_PERMISSIONS = 1024;
/** PackageParser.validateName: segments of [A-Za-z][A-Za-z0-9_]*, at least two for an application. */
const PACKAGE_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;
/** Permission names are package-like too, but one segment is legal (custom permissions). */
const PERMISSION_NAME = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

type Value =
  { kind: 'string'; value: string } | { kind: 'int'; value: number } | { kind: 'bool'; value: boolean };
type Attr = { name: string; id: number | null; value: Value };
type Element = { name: string; attrs: Attr[]; children: Element[] };

function invalid(message: string): never {
  throw new ApkBuildError('build_invalid_manifest', message);
}

function checkString(what: string, s: unknown): string {
  if (typeof s !== 'string' || s.length === 0) invalid(`${what} must be a non-empty string`);
  if (s.length > MAX_STRING) invalid(`${what} is longer than ${MAX_STRING} characters`);
  // A lone surrogate has no UTF-8 form: it would not survive the pool the way it was given.
  if (Buffer.from(s, 'utf8').toString('utf8') !== s || s.includes('\0'))
    invalid(`${what} has a NUL or an unpaired surrogate`);
  return s;
}

function checkInt(what: string, n: unknown, min: number, max: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    invalid(`${what} must be an integer in ${min}…${max}`);
  return n;
}

const str = (name: string, id: number | null, value: string): Attr => ({
  name,
  id,
  value: { kind: 'string', value },
});

function tree(o: ManifestOptions): Element {
  if (typeof o !== 'object' || o === null) invalid('manifest options must be an object');
  const pkg = checkString('package', o.package);
  if (!PACKAGE_NAME.test(pkg)) invalid(`package ${JSON.stringify(pkg)} is not a valid application id`);
  const versionCode = checkInt('versionCode', o.versionCode, 0, 0x7fffffff);
  const versionName = checkString('versionName', o.versionName);
  const minSdk = checkInt('minSdk', o.minSdk, 1, 10000);
  const targetSdk = checkInt('targetSdk', o.targetSdk, 1, 10000);
  const permissions = o.permissions ?? [];
  if (!Array.isArray(permissions) || permissions.length > MAX_PERMISSIONS)
    invalid(`permissions must be an array of at most ${MAX_PERMISSIONS}`);
  for (const p of permissions) {
    if (!PERMISSION_NAME.test(checkString('permission', p)))
      invalid(`permission ${JSON.stringify(p)} is invalid`);
  }
  for (const key of ['debuggable', 'usesCleartextTraffic'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') invalid(`${key} must be a boolean`);
  }
  const A = ANDROID_ATTR;
  const application: Attr[] = [];
  if (o.label !== undefined) application.push(str('label', A.label, checkString('label', o.label)));
  // No classes.dex is written: hasCode=false tells the package manager not to look for one.
  application.push({ name: 'hasCode', id: A.hasCode, value: { kind: 'bool', value: false } });
  if (o.debuggable !== undefined)
    application.push({ name: 'debuggable', id: A.debuggable, value: { kind: 'bool', value: o.debuggable } });
  if (o.usesCleartextTraffic !== undefined)
    application.push({
      name: 'usesCleartextTraffic',
      id: A.usesCleartextTraffic,
      value: { kind: 'bool', value: o.usesCleartextTraffic },
    });
  return {
    name: 'manifest',
    attrs: [
      { name: 'versionCode', id: A.versionCode, value: { kind: 'int', value: versionCode } },
      str('versionName', A.versionName, versionName),
      // `package` is in no namespace and has no resource id (aapt2 writes it so).
      str('package', null, pkg),
    ],
    children: [
      {
        name: 'uses-sdk',
        attrs: [
          { name: 'minSdkVersion', id: A.minSdkVersion, value: { kind: 'int', value: minSdk } },
          { name: 'targetSdkVersion', id: A.targetSdkVersion, value: { kind: 'int', value: targetSdk } },
        ],
        children: [],
      },
      ...permissions.map((p) => ({ name: 'uses-permission', attrs: [str('name', A.name, p)], children: [] })),
      { name: 'application', attrs: application, children: [] },
    ],
  };
}

function chunk(type: number, header: Buffer, body: Buffer): Buffer {
  const headerSize = 8 + header.length;
  return Buffer.concat([u16(type), u16(headerSize), u32(headerSize + body.length), header, body]);
}

/**
 * ResStringPool string lengths (ResourceTypes.cpp decodeLength): UTF-8 uses one byte, or two with the high bit
 * of the first set; UTF-16 one unit, or two with the high bit of the first set.
 */
function utf8Length(n: number): Buffer {
  return n > 0x7f ? Buffer.from([(n >> 8) | 0x80, n & 0xff]) : Buffer.from([n]);
}
function utf16Length(n: number): Buffer {
  return n > 0x7fff ? Buffer.concat([u16((n >> 16) | 0x8000), u16(n & 0xffff)]) : u16(n);
}

/** ResStringPool_header, the uint32 offsets, the strings (each NUL-terminated), padded to 4 bytes; no styles. */
function stringPool(strings: string[], utf8: boolean): Buffer {
  const encoded = strings.map((s) => {
    if (!utf8) return Buffer.concat([utf16Length(s.length), Buffer.from(s, 'utf16le'), u16(0)]);
    const bytes = Buffer.from(s, 'utf8');
    // The UTF-8 form carries both lengths: in UTF-16 units, then in bytes.
    return Buffer.concat([utf8Length(s.length), utf8Length(bytes.length), bytes, Buffer.from([0])]);
  });
  const offsets: Buffer[] = [];
  let at = 0;
  for (const e of encoded) {
    offsets.push(u32(at));
    at += e.length;
  }
  let data = Buffer.concat(encoded);
  data = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
  const headerSize = 28;
  const header = Buffer.concat([
    u32(strings.length),
    u32(0), // styleCount
    u32(utf8 ? UTF8_FLAG : 0),
    u32(headerSize + strings.length * 4), // stringsStart
    u32(0), // stylesStart
  ]);
  return chunk(RES_STRING_POOL_TYPE, header, Buffer.concat([...offsets, data]));
}

/**
 * The binary AndroidManifest.xml (ResourceTypes.h ResXMLTree): an RES_XML_TYPE chunk holding the string pool,
 * the resource map, then the android namespace around the element tree. The resource map is parallel to the
 * start of the string pool — entry i is the resource id of string i — so the attribute names that have ids come
 * first, in the order of the map (how aapt2's XmlFlattener lays them out).
 */
export function encodeManifest(options: ManifestOptions): Buffer {
  const root = tree(options);
  const ids: Array<{ name: string; id: number }> = [];
  const collect = (e: Element): void => {
    for (const a of e.attrs)
      if (a.id !== null && !ids.some((x) => x.id === a.id)) ids.push({ name: a.name, id: a.id });
    e.children.forEach(collect);
  };
  collect(root);
  ids.sort((a, b) => a.id - b.id);
  const strings = ids.map((x) => x.name);
  const index = (s: string): number => {
    // Attribute names with ids are matched above; any other string (values too) goes after them, once.
    const at = strings.indexOf(s, ids.length);
    if (at >= 0) return at;
    strings.push(s);
    return strings.length - 1;
  };
  const nameIndex = (a: Attr): number =>
    a.id === null ? index(a.name) : ids.findIndex((x) => x.id === a.id);

  const prefix = index('android');
  const uri = index(ANDROID_NS);
  // ResXMLTree_node: lineNumber (one element a line, as if pretty-printed), comment (none).
  let line = 1;
  const node = (type: number, ext: Buffer): Buffer =>
    chunk(type, Buffer.concat([u32(line), u32(NO_INDEX)]), ext);
  const nodes: Buffer[] = [node(RES_XML_START_NAMESPACE_TYPE, Buffer.concat([u32(prefix), u32(uri)]))];
  const emit = (e: Element): void => {
    // aapt2 sorts attributes by resource id; the id-less `package` goes first (no namespace sorts first).
    const attrs = [...e.attrs].sort((a, b) => (a.id ?? -1) - (b.id ?? -1));
    const encoded = attrs.map((a) => {
      const ns = a.id === null ? NO_INDEX : uri;
      let raw = NO_INDEX;
      let type: number;
      let data: number;
      if (a.value.kind === 'string') {
        raw = data = index(a.value.value);
        type = TYPE_STRING;
      } else if (a.value.kind === 'int') {
        type = TYPE_INT_DEC;
        data = a.value.value;
      } else {
        // Res_value: a boolean is 0 or -1 (all bits set), as aapt writes "true".
        type = TYPE_INT_BOOLEAN;
        data = a.value.value ? 0xffffffff : 0;
      }
      // ResXMLTree_attribute: ns, name, rawValue, Res_value{size 8, res0 0, dataType, data}.
      return Buffer.concat([u32(ns), u32(nameIndex(a)), u32(raw), u16(8), Buffer.from([0, type]), u32(data)]);
    });
    // ResXMLTree_attrExt: ns, name, attributeStart 20, attributeSize 20, count, id/class/style index (none).
    const ext = Buffer.concat([
      u32(NO_INDEX),
      u32(index(e.name)),
      u16(20),
      u16(20),
      u16(encoded.length),
      u16(0),
      u16(0),
      u16(0),
      ...encoded,
    ]);
    line++;
    nodes.push(node(RES_XML_START_ELEMENT_TYPE, ext));
    e.children.forEach(emit);
    nodes.push(node(RES_XML_END_ELEMENT_TYPE, Buffer.concat([u32(NO_INDEX), u32(index(e.name))])));
  };
  emit(root);
  nodes.push(node(RES_XML_END_NAMESPACE_TYPE, Buffer.concat([u32(prefix), u32(uri)])));
  // The pool is written last, once every string has its index.
  const pool = stringPool(strings, options.utf8 ?? true);
  const map = chunk(RES_XML_RESOURCE_MAP_TYPE, Buffer.alloc(0), Buffer.concat(ids.map((x) => u32(x.id))));
  return chunk(RES_XML_TYPE, Buffer.alloc(0), Buffer.concat([pool, map, ...nodes]));
}
