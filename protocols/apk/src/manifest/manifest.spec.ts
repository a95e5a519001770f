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
import { writeArsc, writeAxml, type XAttr, type XElement } from './axml-test-support.js';
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
