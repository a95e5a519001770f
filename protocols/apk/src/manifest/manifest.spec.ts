import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../byte-source.js';
import { openZip } from '../zip/zip-archive.js';
import { ZipError } from '../zip/zip-error.js';
import { buildZip } from '../zip/zip-test-support.js';
import { readApkInfo } from './apk-info.js';
import { parseResourceTable } from './arsc.js';
import { parseAxml } from './axml.js';
import { writeArsc, writeAxml, type XAttr, type XElement, type XResource } from './axml-test-support.js';
import { parseManifest } from './manifest.js';
import { ManifestError, type ManifestErrorCode } from './manifest-error.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const T_REF = 0x01;
const T_STRING = 0x03;
const T_INT = 0x10;
const T_BOOL = 0x12;

const el = (name: string, attributes: XAttr[], children: XElement[] = []): XElement => ({
  name,
  attributes,
  children,
});
const pkg: XAttr = { android: false, name: 'package', dataType: T_STRING, string: 'org.pakawaaz.t' };

function code(f: () => unknown): ManifestErrorCode | 'parsed' {
  try {
    f();
    return 'parsed';
  } catch (err) {
    return (err as { code: ManifestErrorCode }).code;
  }
}

async function corpusManifest(): Promise<Buffer> {
  const archive = await openZip(bufferSource(readFileSync(`${FIXTURES}golden-aligned-v1v2v3-out.apk`)));
  return archive.readEntry('AndroidManifest.xml', 1 << 20);
}

describe('parseAxml', () => {
  it('reads an aapt-compiled manifest from the corpus into its tree', async () => {
    const root = parseAxml(await corpusManifest());
    expect(root.name).toBe('manifest');
    expect(root.children.map((c) => c.name)).toEqual(['uses-sdk', 'application']);
    const versionCode = root.attributes.find((a) => a.name === 'versionCode');
    expect(versionCode).toMatchObject({ resourceId: 0x0101021b, value: { dataType: T_INT, data: 10 } });
  });

  it('refuses what is not binary XML, or is cut short', async () => {
    const manifest = await corpusManifest();
    expect(code(() => parseAxml(Buffer.from('<manifest/>')))).toBe('axml_malformed');
    expect(code(() => parseAxml(manifest.subarray(0, manifest.length - 40)))).toBe('axml_malformed');
    expect(code(() => parseAxml(manifest.subarray(0, 6)))).toBe('axml_malformed');
    const lying = Buffer.from(manifest);
    lying.writeUInt32LE(lying.length + 4096, 4); // the document claims more than there is
    expect(code(() => parseAxml(lying))).toBe('axml_malformed');
  });

  it('refuses a string index outside the pool', () => {
    const doc = writeAxml(el('manifest', [pkg]));
    // The `package` attribute's value index is the last u32 of its ResXMLTree_attribute: point it far away.
    const root = parseAxml(doc);
    expect(root.attributes[0]?.string).toBe('org.pakawaaz.t');
    const at = doc.indexOf(Buffer.from([8, 0, 0, T_STRING])) + 4;
    doc.writeUInt32LE(0x00ffffff, at);
    expect(code(() => parseAxml(doc))).toBe('axml_malformed');
  });

  it('caps nesting depth, chunk count and string count', () => {
    let deep = el('leaf', []);
    for (let i = 0; i < 100; i++) deep = el('n', [], [deep]);
    expect(code(() => parseAxml(writeAxml(el('manifest', [pkg], [deep]))))).toBe('axml_limit');
    expect(code(() => parseAxml(writeAxml(el('manifest', [pkg], [deep])), { maxDepth: 200 }))).toBe('parsed');
    const wide = el(
      'manifest',
      [pkg],
      Array.from({ length: 50 }, () => el('x', [])),
    );
    expect(code(() => parseAxml(writeAxml(wide), { maxChunks: 40 }))).toBe('axml_limit');
    expect(code(() => parseAxml(writeAxml(wide), { maxStrings: 3 }))).toBe('axml_limit');
  });

  it('stops a deep document at the depth cap, quickly', () => {
    const started = Date.now();
    let deep = el('z', []);
    for (let i = 0; i < 2000; i++) deep = el('z', [], [deep]);
    expect(code(() => parseAxml(writeAxml(deep)))).toBe('axml_limit');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('parseManifest', () => {
  const manifest = (attrs: XAttr[], children: XElement[] = []) =>
    writeAxml(el('manifest', [pkg, ...attrs], children));

  it('identifies framework attributes by resource id, not by name (PackageParser reads R.styleable)', () => {
    const bytes = manifest([
      { android: true, name: 'versionCode', id: 0x01010001, dataType: T_INT, data: 7 }, // the name lies
      { android: true, name: 'vc', id: 0x0101021b, dataType: T_INT, data: 99 },
    ]);
    expect(parseManifest(bytes).versionCode).toBe(99);
  });

  it('refuses a document whose root is not <manifest>', () => {
    expect(code(() => parseManifest(writeAxml(el('resources', [pkg]))))).toBe('manifest_invalid');
  });

  it('without a resource table: a referenced versionName is null, a referenced debuggable counts as true', () => {
    const bytes = manifest(
      [{ android: true, name: 'versionName', id: 0x0101021c, dataType: T_REF, data: 0x7f010000 }],
      [
        el('application', [
          { android: true, name: 'debuggable', id: 0x0101000f, dataType: T_REF, data: 0x7f020000 },
          { android: true, name: 'usesCleartextTraffic', id: 0x010104ec, dataType: T_REF, data: 0x7f020001 },
        ]),
      ],
    );
    expect(parseManifest(bytes)).toMatchObject({
      versionName: null,
      debuggable: true,
      usesCleartextTraffic: true,
    });
    const table = parseResourceTable(
      writeArsc([
        { type: 'string', name: 'v', dataType: T_STRING, string: '1.0' },
        { type: 'bool', name: 'd', dataType: T_BOOL, data: 0 },
        { type: 'bool', name: 'c', dataType: T_BOOL, data: 0 },
      ]),
    );
    expect(parseManifest(bytes, table)).toMatchObject({
      versionName: '1.0',
      debuggable: false,
      usesCleartextTraffic: false,
    });
  });

  it('reports usesCleartextTraffic as declared, null when absent', () => {
    const app = (v: number) =>
      manifest(
        [],
        [el('application', [{ android: true, name: 'u', id: 0x010104ec, dataType: T_BOOL, data: v }])],
      );
    expect(parseManifest(app(0xffffffff)).usesCleartextTraffic).toBe(true);
    expect(parseManifest(app(0)).usesCleartextTraffic).toBe(false);
    expect(parseManifest(manifest([])).usesCleartextTraffic).toBeNull();
  });
});

describe('parseResourceTable', () => {
  it('follows references between resources, and gives up on a loop', () => {
    const table = parseResourceTable(
      writeArsc([
        { type: 'string', name: 'a', dataType: T_REF, data: 0x7f010001 },
        { type: 'string', name: 'b', dataType: T_STRING, string: 'end' },
        { type: 'string', name: 'loop', dataType: T_REF, data: 0x7f010002 },
      ]),
    );
    expect(table.resolve(0x7f010000)?.string).toBe('end');
    expect(table.resolve(0x7f010002)).toBeNull();
    expect(table.resolve(0x7f010009)).toBeNull();
    expect(table.resolve(0x01010000)).toBeNull();
  });

  it('refuses a table that is not one', () => {
    expect(code(() => parseResourceTable(writeAxml(el('manifest', [pkg]))))).toBe('arsc_malformed');
    const arsc = writeArsc([{ type: 'string', name: 'a', dataType: T_STRING, string: 'x' }]);
    expect(code(() => parseResourceTable(arsc.subarray(0, arsc.length - 10)))).toBe('arsc_malformed');
  });
});

describe('readApkInfo', () => {
  it('reads resources.arsc only when the manifest refers into it', async () => {
    const garbage = { name: 'resources.arsc', data: Buffer.from('not a table'), method: 0 };
    const plain = buildZip([
      { name: 'AndroidManifest.xml', data: writeAxml(el('manifest', [pkg])) },
      garbage,
    ]);
    expect((await readApkInfo(await openZip(bufferSource(plain)))).package).toBe('org.pakawaaz.t');
    const referring = writeAxml(
      el('manifest', [
        pkg,
        { android: true, name: 'versionName', id: 0x0101021c, dataType: T_REF, data: 0x7f010000 },
      ]),
    );
    const zip = buildZip([{ name: 'AndroidManifest.xml', data: referring }, garbage]);
    await expect(readApkInfo(await openZip(bufferSource(zip)))).rejects.toMatchObject({
      code: 'arsc_malformed',
    });
  });

  it('refuses an archive without a manifest, and caps the manifest size', async () => {
    const empty = buildZip([{ name: 'classes.dex', data: Buffer.from('dex') }]);
    await expect(readApkInfo(await openZip(bufferSource(empty)))).rejects.toMatchObject({
      code: 'manifest_missing',
    });
    const big = buildZip([{ name: 'AndroidManifest.xml', data: writeAxml(el('manifest', [pkg])) }]);
    await expect(
      readApkInfo(await openZip(bufferSource(big)), { maxManifestSize: 16 }),
    ).rejects.toMatchObject({
      code: 'zip_entry_too_large',
    });
  });
});

/** A seeded byte stream (SHA-256 in counter mode): the same mutations on every run. */
function seeded(seed: string): () => number {
  let counter = 0;
  return () => createHash('sha256').update(`${seed}/${counter++}`).digest().readUInt32LE(0) / 2 ** 32;
}

function mutate(bytes: Buffer, flips: number, random: () => number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < flips; i++) out[Math.floor(random() * out.length)] = Math.floor(random() * 256);
  return out;
}

describe('damaged input', () => {
  it('a damaged manifest or resource table fails with a ManifestError, or parses — never anything else', async () => {
    const archive = await openZip(bufferSource(readFileSync(`${FIXTURES}golden-aligned-v1v2v3-out.apk`)));
    const manifest = await archive.readEntry('AndroidManifest.xml', 1 << 20);
    const arsc = await archive.readEntry('resources.arsc', 1 << 22);
    const random = seeded('pakawaaz/apk/manifest/damage/v1');
    const unexpected: string[] = [];
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      for (const run of [
        () => parseManifest(mutate(manifest, 1 + (i % 4), random)),
        () => parseResourceTable(mutate(arsc, 1 + (i % 4), random)).resolve(0x7f020000 + (i % 3)),
      ]) {
        try {
          run();
        } catch (err) {
          if (err instanceof ManifestError) refused++;
          else unexpected.push(String(err));
        }
      }
    }
    expect(unexpected).toEqual([]);
    expect(refused).toBeGreaterThan(100); // the damage does reach the checks
  });

  it('a damaged APK fails with a ZipError or ManifestError, or reads — never anything else', async () => {
    const apk = readFileSync(`${FIXTURES}golden-aligned-v1v2v3-out.apk`);
    const random = seeded('pakawaaz/apk/zip/damage/v1');
    const unexpected: string[] = [];
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      try {
        const archive = await openZip(bufferSource(mutate(apk, 1 + (i % 3), random)));
        await readApkInfo(archive);
        for (const e of archive.entries) await archive.readEntry(e.name, 1 << 24);
      } catch (err) {
        if (err instanceof ZipError || err instanceof ManifestError) refused++;
        else unexpected.push(String(err));
      }
    }
    expect(unexpected).toEqual([]);
    expect(refused).toBeGreaterThan(50);
  });
});

/** Raw little-endian pieces, to splice chunks the writer does not produce. */
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
const rawChunk = (type: number, header: Buffer, body: Buffer) =>
  Buffer.concat([u16(type), u16(8 + header.length), u32(8 + header.length + body.length), header, body]);

/** writeAxml's document as [string pool, resource map, first node (namespace), the rest]. */
function split(doc: Buffer): { pool: Buffer; map: Buffer; first: Buffer; rest: Buffer } {
  const next = (at: number) => doc.subarray(at, at + doc.readUInt32LE(at + 4));
  const pool = next(8);
  const map = next(8 + pool.length);
  const first = next(8 + pool.length + map.length);
  return { pool, map, first, rest: doc.subarray(8 + pool.length + map.length + first.length) };
}
const xmlDoc = (...parts: Buffer[]) => rawChunk(0x0003, Buffer.alloc(0), Buffer.concat(parts));

describe('review fixes: string pool and resource map placement (ResXMLTree::setTo)', () => {
  const doc = writeAxml(
    el(
      'manifest',
      [pkg],
      [el('application', [{ android: true, name: 'debuggable', id: 0x0101000f, dataType: T_BOOL, data: 1 }])],
    ),
  );
  const { pool, map, first, rest } = split(doc);
  // The same ids with debuggable's zeroed: a reader that lets this map win no longer sees android:debuggable.
  const ids = Array.from({ length: (map.length - 8) / 4 }, (_, i) => map.readUInt32LE(8 + i * 4));
  const hiding = rawChunk(
    0x0180,
    Buffer.alloc(0),
    Buffer.concat(ids.map((id) => u32(id === 0x0101000f ? 0 : id))),
  );

  it('reads the honest document, spliced back together unchanged', () => {
    expect(xmlDoc(pool, map, first, rest).equals(doc)).toBe(true);
    expect(parseManifest(xmlDoc(pool, map, first, rest)).debuggable).toBe(true);
  });

  it('refuses a resource map after the first node, which Android never reads', () => {
    expect(code(() => parseAxml(xmlDoc(pool, map, first, hiding, rest)))).toBe('axml_header_misplaced');
  });

  it('refuses a second resource map or string pool before the nodes, and either one after them', () => {
    expect(code(() => parseAxml(xmlDoc(pool, map, hiding, first, rest)))).toBe('axml_header_misplaced');
    expect(code(() => parseAxml(xmlDoc(pool, map, pool, first, rest)))).toBe('axml_header_misplaced');
    expect(code(() => parseAxml(xmlDoc(pool, first, map, rest)))).toBe('axml_header_misplaced');
    expect(code(() => parseAxml(xmlDoc(pool, map, first, rest, pool)))).toBe('axml_header_misplaced');
  });
});

describe('review fixes: attribute raw values and the package name', () => {
  /** Offsets of the ResXMLTree_attribute records with no namespace and a TYPE_STRING value. */
  const plainStringAttributes = (doc: Buffer) => {
    const at: number[] = [];
    for (let i = 0; i + 20 <= doc.length; i += 4)
      if (doc.readUInt32LE(i) === 0xffffffff && doc.readUInt16LE(i + 12) === 8 && doc[i + 15] === T_STRING)
        at.push(i);
    return at;
  };
  const decoy: XAttr = { android: false, name: 'x-decoy', dataType: T_STRING, string: 'gov.mandatory.bank' };

  it('refuses an attribute whose raw string and typed string differ', () => {
    const doc = writeAxml(el('manifest', [pkg, decoy]));
    const [pkgAt, decoyAt] = plainStringAttributes(doc);
    expect(parseManifest(doc).package).toBe('org.pakawaaz.t');
    doc.writeUInt32LE(doc.readUInt32LE(decoyAt! + 8), pkgAt! + 8); // rawValue → the decoy's string
    expect(code(() => parseManifest(doc))).toBe('axml_attribute_mismatch');
  });

  it('reads package from the raw string, as XmlBlock.Parser.getAttributeValue does', () => {
    const doc = writeAxml(el('manifest', [pkg, decoy]));
    const [pkgAt, decoyAt] = plainStringAttributes(doc);
    // The typed value becomes an integer, the raw string stays: Android's package is the raw string.
    doc[pkgAt! + 15] = T_INT;
    expect(parseManifest(doc).package).toBe('org.pakawaaz.t');
    doc.writeUInt32LE(doc.readUInt32LE(decoyAt! + 8), pkgAt! + 8);
    expect(parseManifest(doc).package).toBe('gov.mandatory.bank');
  });

  it('refuses a package name Android refuses (FrameworkParsingPackageUtils.validateName)', () => {
    const withPackage = (name: string) => writeAxml(el('manifest', [{ ...pkg, string: name }]));
    for (const ok of ['a.b', 'org.pakawaaz.t', 'A_1.b2_', 'com.x_.Y'])
      expect(parseManifest(withPackage(ok)).package).toBe(ok);
    for (const bad of ['app', 'a..b', '.a.b', 'a.b.', '1a.b', 'a._b', 'a.b-c', 'a.b c', 'org.é.x', ''])
      expect([bad, code(() => parseManifest(withPackage(bad)))]).toEqual([bad, 'manifest_package_invalid']);
    const asReference = writeAxml(
      el('manifest', [{ android: false, name: 'package', dataType: T_REF, data: 0x7f010000 }]),
    );
    expect(code(() => parseManifest(asReference))).toBe('manifest_package_invalid');
  });
});

describe('review fixes: qualified resource configurations', () => {
  /** writeArsc's `fr` configuration turned into "v28" (sdkVersion 28, no language): a platform-version variant. */
  const v28 = (arsc: Buffer) => {
    const fr = arsc.indexOf(Buffer.from('fr', 'latin1'));
    arsc.fill(0, fr, fr + 2);
    arsc.writeUInt16LE(28, fr - 8 + 24); // ResTable_config.sdkVersion
    return arsc;
  };
  const app = el('application', [
    { android: true, name: 'debuggable', id: 0x0101000f, dataType: T_REF, data: 0x7f020000 },
    { android: true, name: 'usesCleartextTraffic', id: 0x010104ec, dataType: T_REF, data: 0x7f020000 },
  ]);
  const doc = writeAxml(el('manifest', [pkg], [app]));
  const off: XResource = { type: 'bool', name: 'd', dataType: T_BOOL, data: 0 };

  it('counts a policy boolean with a -v28 variant as true, whatever the default says', () => {
    expect(parseManifest(doc, parseResourceTable(writeArsc([off])))).toMatchObject({
      debuggable: false,
      usesCleartextTraffic: false,
    });
    const qualified = v28(writeArsc([off], new Map([['d', { ...off, data: 0xffffffff }]])));
    expect(parseManifest(doc, parseResourceTable(qualified))).toMatchObject({
      debuggable: true,
      usesCleartextTraffic: true,
    });
    // Even a variant that agrees: we do not model which configuration a device picks.
    const agreeing = v28(writeArsc([off], new Map([['d', off]])));
    expect(parseManifest(doc, parseResourceTable(agreeing)).debuggable).toBe(true);
  });

  it('reports a referenced permission in every configuration, versionName in the default one', () => {
    const name: XResource = {
      type: 'string',
      name: 'p',
      dataType: T_STRING,
      string: 'android.permission.CAMERA',
    };
    const version: XResource = { type: 'string', name: 'v', dataType: T_STRING, string: '1.0' };
    const table = parseResourceTable(
      writeArsc(
        [name, version],
        new Map([
          ['p', { ...name, string: 'android.permission.READ_SMS' }],
          ['v', { ...version, string: '1.0-fr' }],
        ]),
      ),
    );
    const bytes = writeAxml(
      el(
        'manifest',
        [pkg, { android: true, name: 'versionName', id: 0x0101021c, dataType: T_REF, data: 0x7f010001 }],
        [
          el('uses-permission', [
            { android: true, name: 'name', id: 0x01010003, dataType: T_REF, data: 0x7f010000 },
          ]),
        ],
      ),
    );
    expect(parseManifest(bytes, table)).toMatchObject({
      versionName: '1.0',
      permissions: ['android.permission.CAMERA', 'android.permission.READ_SMS'],
    });
  });
});

describe('review fixes: bounded work', () => {
  const permission = (data: number) =>
    el('uses-permission', [{ android: true, name: 'name', id: 0x01010003, dataType: T_REF, data }]);
  const manifestWith = (permissions: number) =>
    writeAxml(
      el(
        'manifest',
        [pkg],
        Array.from({ length: permissions }, () => permission(0x7f010001)),
      ),
    );

  /** One sparse type chunk (type 1 of package 0x7f) of `entries` index pairs, none for entry 1. */
  function sparseTable(entries: number): Buffer {
    const config = Buffer.alloc(64);
    config.writeUInt32LE(64, 0);
    const index = Buffer.alloc(entries * 4);
    for (let i = 0; i < entries; i++) index.writeUInt16LE(0xfff0, i * 4);
    const headerSize = 8 + 12 + 64;
    const type = rawChunk(
      0x0201,
      Buffer.concat([Buffer.from([1, 0x01]), u16(0), u32(entries), u32(headerSize + entries * 4), config]),
      index,
    );
    const packageHeader = Buffer.concat([
      u32(0x7f),
      Buffer.alloc(256),
      u32(0),
      u32(0),
      u32(0),
      u32(0),
      u32(0),
    ]);
    return rawChunk(0x0002, u32(1), rawChunk(0x0200, packageHeader, type));
  }

  it('resolves 1,000 referenced permissions against a 16 MB sparse table quickly', async () => {
    const apk = buildZip([
      { name: 'AndroidManifest.xml', data: manifestWith(1000) },
      { name: 'resources.arsc', data: sparseTable(4_000_000), method: 0 },
    ]);
    const started = Date.now();
    const info = await readApkInfo(await openZip(bufferSource(apk)));
    expect(Date.now() - started).toBeLessThan(5000); // ~40 s with a scan of the sparse index per lookup
    expect(info.permissions).toEqual([]);
  });

  it('caps <uses-permission> elements', () => {
    expect(code(() => parseManifest(manifestWith(1000)))).toBe('parsed');
    expect(code(() => parseManifest(manifestWith(1001)))).toBe('manifest_too_many_permissions');
  });

  it('caps the resolutions one table makes', () => {
    const table = parseResourceTable(writeArsc([{ type: 'bool', name: 'd', dataType: T_BOOL, data: 0 }]));
    for (let i = 0; i < 10_000; i++) table.resolve(0x7f020000);
    expect(code(() => table.resolve(0x7f020000))).toBe('arsc_limit');
  });
});

describe('review fixes: one <uses-sdk>', () => {
  it('refuses a second <uses-sdk> (ParsingPackageUtils keeps the last, aapt the first)', () => {
    const sdk = (v: number) =>
      el('uses-sdk', [{ android: true, name: 'targetSdkVersion', id: 0x01010270, dataType: T_INT, data: v }]);
    expect(parseManifest(writeAxml(el('manifest', [pkg], [sdk(35)]))).targetSdk).toBe(35);
    expect(code(() => parseManifest(writeAxml(el('manifest', [pkg], [sdk(35), sdk(22)]))))).toBe(
      'manifest_duplicate_uses_sdk',
    );
  });
});
