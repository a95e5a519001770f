import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bufferSource, fileSource } from '../byte-source.js';
import { openZip, type ZipLimits } from './zip-archive.js';
import type { ZipErrorCode } from './zip-error.js';
import { buildZip, type Spec } from './zip-test-support.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const run = promisify(execFile);

const hello = (name = 'hello.txt'): Spec => ({ name, data: Buffer.from('hello, world\n'.repeat(10)) });

async function refusal(zip: Buffer, limits?: Partial<ZipLimits>): Promise<ZipErrorCode | 'opened'> {
  try {
    await openZip(bufferSource(zip), limits);
    return 'opened';
  } catch (err) {
    return (err as { code: ZipErrorCode }).code;
  }
}

describe('openZip on crafted archives', () => {
  it('opens a well-formed archive and reads both methods back', async () => {
    const zip = buildZip([hello('a/b.txt'), { ...hello('stored.bin'), method: 0 }], {
      gap: Buffer.alloc(64, 0x42), // where an APK Signing Block would sit
    });
    const archive = await openZip(bufferSource(zip));
    expect(archive.entries.map((e) => [e.name, e.method])).toEqual([
      ['a/b.txt', 8],
      ['stored.bin', 0],
    ]);
    expect(archive.entriesEnd).toBe(archive.eocd.cdOffset - 64);
    expect((await archive.readEntry('a/b.txt', 1000)).toString()).toBe('hello, world\n'.repeat(10));
    expect((await archive.readEntry('stored.bin', 1000)).length).toBe(130);
  });

  // The writer above is itself checked by an independent reader, so a refusal is never an artefact of it.
  it.skipIf(!existsSync('/usr/bin/unzip'))('writes archives Info-ZIP unzip tests clean', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pakawaaz-zip-'));
    try {
      const path = join(dir, 'x.zip');
      await writeFile(path, buildZip([hello('a/b.txt'), { ...hello('c.txt'), method: 0 }]));
      const { stdout } = await run('/usr/bin/unzip', ['-t', path]);
      expect(stdout).toContain('No errors detected');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['../evil.so', 'zip_path_traversal'],
    ['lib/../../evil.so', 'zip_path_traversal'],
    ['/etc/passwd', 'zip_absolute_path'],
    ['C:/evil.dll', 'zip_absolute_path'],
    ['lib\\x86\\evil.so', 'zip_backslash'],
    ['evil\0.so', 'zip_bad_name'],
    ['classes.dex\r', 'zip_bad_name'],
    ['a//b', 'zip_bad_name'],
    ['./a', 'zip_bad_name'],
    ['', 'zip_bad_name'],
    [Buffer.from([0x61, 0xff, 0x62]), 'zip_bad_name'],
  ] as const)('refuses the name %j with %s', async (name, code) => {
    expect(await refusal(buildZip([hello('ok.txt'), { ...hello(), name }]))).toBe(code);
  });

  it('refuses duplicate names', async () => {
    expect(await refusal(buildZip([hello('AndroidManifest.xml'), hello('AndroidManifest.xml')]))).toBe(
      'zip_duplicate_name',
    );
  });

  it('refuses a central record that points at another entry, or data running into the directory', async () => {
    // b.txt's record points at a.txt's local header: caught by the name check, as libziparchive does.
    expect(await refusal(buildZip([hello('a.txt'), { ...hello('b.txt'), cd: { offset: 0 } }]))).toBe(
      'zip_local_mismatch',
    );
    const long = { csize: 5000, usize: 5000 };
    expect(await refusal(buildZip([{ ...hello('a.txt'), method: 0, cd: long, local: long }]))).toBe(
      'zip_overlap',
    );
  });

  it('refuses a real overlap: two consistent entries sharing bytes', async () => {
    // b.txt's local header is placed inside a.txt's stored data; both headers are genuine.
    const inner = buildZip([{ ...hello('b.txt'), method: 0 }]).subarray(0, 30 + 5 + 130);
    const outer = { name: 'a.txt', data: Buffer.concat([Buffer.alloc(8), inner]), method: 0 };
    const zip = buildZip([outer, { ...hello('b.txt'), method: 0, cd: { offset: 30 + 5 + 8 } }]);
    // The second local header (written by buildZip after a.txt) is not referenced; b points inside a.
    expect(await refusal(zip)).toBe('zip_overlap');
  });

  it('refuses local header / central directory disagreements', async () => {
    expect(await refusal(buildZip([{ ...hello(), local: { method: 0 } }]))).toBe('zip_local_mismatch');
    expect(await refusal(buildZip([{ ...hello(), local: { flags: 0x0800 } }]))).toBe('zip_local_mismatch');
    expect(await refusal(buildZip([{ ...hello(), local: { crc: 1 } }]))).toBe('zip_local_mismatch');
    expect(await refusal(buildZip([{ ...hello(), local: { usize: 1 } }]))).toBe('zip_local_mismatch');
    expect(await refusal(buildZip([{ ...hello(), local: { name: Buffer.from('other.txt') } }]))).toBe(
      'zip_local_mismatch',
    );
  });

  it('checks a data descriptor against the central directory', async () => {
    const data = Buffer.from('described'.repeat(20));
    const descriptor = (crc: number) => {
      const d = Buffer.alloc(16);
      d.writeUInt32LE(0x08074b50, 0);
      d.writeUInt32LE(crc, 4);
      d.writeUInt32LE(deflateRawSync(data).length, 8);
      d.writeUInt32LE(data.length, 12);
      return d;
    };
    const spec = (crc: number): Spec => ({
      name: 'd.txt',
      data,
      flags: 0x0008,
      local: { crc: 0, csize: 0, usize: 0 },
      trailer: descriptor(crc),
    });
    const good = await openZip(bufferSource(buildZip([spec(crc32(data))])));
    expect((await good.readEntry('d.txt', 1000)).equals(data)).toBe(true);
    expect(await refusal(buildZip([spec(crc32(data) ^ 1)]))).toBe('zip_local_mismatch');
  });

  it('refuses unsupported methods, encryption, ZIP64 sizes, wrong entry counts', async () => {
    expect(await refusal(buildZip([{ ...hello(), method: 12 }]))).toBe('zip_unsupported_method');
    expect(await refusal(buildZip([{ ...hello(), flags: 0x0001 }]))).toBe('zip_encrypted');
    expect(await refusal(buildZip([{ ...hello(), cd: { usize: 0xffffffff } }]))).toBe('zip64_unsupported');
    expect(await refusal(buildZip([{ ...hello(), cd: { disk: 0xffff } }]))).toBe('zip64_unsupported');
    expect(await refusal(buildZip([{ ...hello(), cd: { disk: 1 } }]))).toBe('zip_multi_disk');
    expect(await refusal(buildZip([hello('a'), hello('b')], { entriesField: 3 }))).toBe('zip_cd_malformed');
    expect(await refusal(buildZip([hello('a'), hello('b')], { entriesField: 1 }))).toBe('zip_cd_malformed');
  });

  it('refuses a truncated file', async () => {
    const zip = buildZip([hello('a.txt'), hello('b.txt')]);
    expect(await refusal(zip.subarray(0, zip.length - 5))).toBe('zip_no_eocd');
    expect(await refusal(zip.subarray(0, 100))).toBe('zip_no_eocd');
    // The EOCD survives but the directory it points at does not (cut out of the middle).
    const cut = Buffer.concat([zip.subarray(0, 40), zip.subarray(zip.length - 22)]);
    expect(await refusal(cut)).toMatch(/^zip_(cd_out_of_bounds|truncated)$/);
  });

  it('refuses a zip bomb from its declared sizes, quickly', async () => {
    const bomb = { name: 'bomb.bin', data: Buffer.alloc(10 * 1024 * 1024) };
    const zip = buildZip([bomb]);
    expect(zip.length).toBeLessThan(20_000);
    const started = Date.now();
    expect(await refusal(zip)).toBe('zip_ratio');
    expect(Date.now() - started).toBeLessThan(500);
    expect(await refusal(zip, { maxEntryUncompressedSize: 1024 * 1024 })).toBe('zip_too_large');
    expect(
      await refusal(buildZip([bomb, { ...bomb, name: 'b2' }]), {
        maxTotalUncompressedSize: 15e6,
        maxCompressionRatio: 2000,
      }),
    ).toBe('zip_too_large');
  });

  it('stops inflating a bomb that lies about its size, and checks the CRC', async () => {
    const zeros = Buffer.alloc(10 * 1024 * 1024);
    const liar = buildZip([{ name: 'bomb.bin', data: zeros, cd: { usize: 1000 }, local: { usize: 1000 } }]);
    const archive = await openZip(bufferSource(liar));
    const started = Date.now();
    await expect(archive.readEntry('bomb.bin', 1 << 30)).rejects.toMatchObject({ code: 'zip_size_mismatch' });
    expect(Date.now() - started).toBeLessThan(500);
    await expect(archive.readEntry('bomb.bin', 10)).rejects.toMatchObject({ code: 'zip_entry_too_large' });
    await expect(archive.readEntry('nope', 10)).rejects.toMatchObject({ code: 'zip_entry_not_found' });

    const badCrc = await openZip(bufferSource(buildZip([{ ...hello(), cd: { crc: 7 }, local: { crc: 7 } }])));
    await expect(badCrc.readEntry('hello.txt', 1000)).rejects.toMatchObject({ code: 'zip_crc_mismatch' });
    const corrupt = buildZip([hello()]);
    corrupt[30 + 9] = 0x07; // the first byte of the deflate stream: final block of type 3, which is invalid
    const broken = await openZip(bufferSource(corrupt));
    await expect(broken.readEntry('hello.txt', 1000)).rejects.toMatchObject({ code: 'zip_bad_deflate' });
  });

  it('enforces the entry and name caps', async () => {
    const many = buildZip(Array.from({ length: 30 }, (_, i) => hello(`f${i}`)));
    expect(await refusal(many, { maxEntries: 20 })).toBe('zip_too_many_entries');
    expect(await refusal(buildZip([hello('x'.repeat(300))]), { maxNameLength: 255 })).toBe(
      'zip_name_too_long',
    );
  });
});

/** The AOSP apksig corpus, with the refusals each deliberately broken file earns (aapt refuses the same). */
const EXPECTED_REFUSALS: Record<string, ZipErrorCode> = {
  'incorrect-manifest-size.apk': 'zip_too_large', // MANIFEST.MF declares ~2 GB
  'v1-only-with-cr-in-entry-name.apk': 'zip_bad_name',
  'v1-only-with-nul-in-entry-name.apk': 'zip_bad_name',
  'v1v2v3-with-rsa-2048-lineage-3-signers-invalid-zip.apk': 'zip_cd_out_of_bounds',
  'v2-only-truncated-cd.apk': 'zip_cd_out_of_bounds',
  'v3-only-with-rsa-pkcs1-sha512-8192-digest-mismatch.apk': 'zip_local_mismatch',
  'weird-compression-method.apk': 'zip_unsupported_method',
};

describe('openZip on the apksig corpus', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.apk'));

  it('holds the corpus', () => {
    expect(files.length).toBeGreaterThan(180);
  });

  it.each(files)('%s', async (file) => {
    const source = await fileSource(join(FIXTURES, file));
    try {
      const archive = await openZip(source);
      expect(EXPECTED_REFUSALS[file]).toBeUndefined();
      for (const e of archive.entries) {
        const data = await archive.readEntry(e.name, 64 * 1024 * 1024);
        expect(data.length).toBe(e.uncompressedSize);
      }
      expect(archive.entriesEnd).toBeLessThanOrEqual(archive.eocd.cdOffset);
    } catch (err) {
      expect((err as { code?: string }).code).toBe(EXPECTED_REFUSALS[file]);
    } finally {
      await source.close();
    }
  });
});
