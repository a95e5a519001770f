import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bufferSource, fileSource } from '../byte-source.js';
import { openZip, type ZipArchive } from '../zip/zip-archive.js';
import { buildZip, type Spec } from '../zip/zip-test-support.js';
import { parseJarManifest } from './jar-manifest.js';
import { v1AsReported, verifyV1 } from './v1-verifier.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

type Verdict = { file: string; verifies: boolean; v1: boolean; v2: boolean; v3: boolean; signers: string };
const verdicts: Verdict[] = readFileSync(join(FIXTURES, 'apksigner-verdicts.tsv'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => {
    const [file = '', verifies, v1, v2, v3, signers = ''] = line.split('\t');
    return {
      file,
      verifies: verifies === 'true',
      v1: v1 === 'true',
      v2: v2 === 'true',
      v3: v3 === 'true',
      signers,
    };
  });

/** Files whose v1 outcome we do not compare, and why. */
const NOT_COMPARED: Record<string, string> = {
  // Our ZIP policy refuses these before any signature is looked at (apksigner accepts them with v1).
  'v1-only-with-nul-in-entry-name.apk': 'zip_bad_name',
  'weird-compression-method.apk': 'zip_unsupported_method',
  'v1-only-with-cr-in-entry-name.apk': 'zip_bad_name',
  // apksigner refuses it for an APK-level rule (targetSandboxVersion 2 needs v2+), not for its v1 signature.
  'v1-only-targetSandboxVersion-2.apk': 'v1 verifies; the APK-level rule belongs to inspectApk',
};

async function v1Of(file: string, v: Verdict) {
  const source = await fileSource(join(FIXTURES, file));
  try {
    const archive = await openZip(source);
    const found = new Set<number>([...(v.v2 ? [2] : []), ...(v.v3 ? [3] : [])]);
    return await verifyV1(archive, { foundSchemes: found });
  } catch (err) {
    return { verified: false, signers: [], errors: [(err as { code: string }).code] };
  } finally {
    await source.close();
  }
}

/*
 * apksigner (--min-sdk-version 28) reports v1 only where neither v2 nor v3 verified: there, its v1 verdict and
 * signer digests must be ours; where it refuses the APK, our v1 must not verify either (a broken v1 signature,
 * or a .SF naming a stripped v2/v3 signature). Where v2 or v3 verified, apksigner does not say.
 */
describe('verifyV1 agrees with apksigner on the apksig corpus', () => {
  const compared = verdicts.filter((v) => !NOT_COMPARED[v.file] && (!v.verifies || (!v.v2 && !v.v3)));

  it('compares the v1-only part of the corpus', () => {
    expect(compared.filter((v) => v.verifies).length).toBeGreaterThan(70);
  });

  it.each(compared)('$file', async (v) => {
    const result = await v1Of(v.file, v);
    if (v.verifies) {
      expect(result).toEqual({ verified: true, signers: v.signers.split(','), errors: [] });
      expect(v1AsReported(result, v.v2, v.v3)).toBe(v.v1);
    } else {
      expect(result.verified).toBe(false);
    }
  });
});

async function repack(file: string, change: (specs: Spec[]) => Spec[]): Promise<ZipArchive> {
  const archive = await openZip(bufferSource(readFileSync(join(FIXTURES, file))));
  const specs: Spec[] = [];
  for (const e of archive.entries)
    specs.push({ name: e.name, data: await archive.readEntry(e.name, 1 << 24), method: e.method });
  return openZip(bufferSource(buildZip(change(specs))));
}

describe('verifyV1 on tampered APKs', () => {
  const file = 'v1-only-with-rsa-2048.apk';
  const none = { foundSchemes: new Set<number>() };

  it('verifies the APK repacked unchanged', async () => {
    expect((await verifyV1(await repack(file, (s) => s), none)).verified).toBe(true);
  });

  it('refuses a changed entry, an added entry, a removed signature file', async () => {
    const changed = await repack(file, (specs) =>
      specs.map((s) =>
        s.name === 'classes.dex' ? { ...s, data: Buffer.concat([s.data, Buffer.from([0])]) } : s,
      ),
    );
    expect(await verifyV1(changed, none)).toMatchObject({ verified: false, errors: ['v1_entry_digest'] });
    const added = await repack(file, (specs) => [
      ...specs,
      { name: 'assets/extra.txt', data: Buffer.from('x') },
    ]);
    expect(await verifyV1(added, none)).toMatchObject({
      verified: false,
      errors: ['v1_entry_not_in_manifest'],
    });
    const unsigned = await repack(file, (specs) => specs.filter((s) => !String(s.name).endsWith('.SF')));
    expect(await verifyV1(unsigned, none)).toMatchObject({ verified: false, errors: ['v1_no_signatures'] });
  });

  it('refuses a .SF changed after signing', async () => {
    const forged = await repack(file, (specs) =>
      specs.map((s) =>
        String(s.name).endsWith('.SF') ? { ...s, data: Buffer.concat([s.data, Buffer.from('\r\n')]) } : s,
      ),
    );
    expect(await verifyV1(forged, none)).toMatchObject({ verified: false, errors: ['v1_did_not_verify'] });
  });
});

describe('parseJarManifest', () => {
  it('joins continuation lines and keeps each section byte range', () => {
    const text =
      'Manifest-Version: 1.0\r\nCreated-By: t\r\n\r\nName: a/very/long/na\r\n me.txt\r\nSHA-256-Digest: AAAA\r\n\r\nName: b\nSHA1-Digest: BB\n\n';
    const { main, sections } = parseJarManifest(Buffer.from(text));
    expect(main).toMatchObject({ start: 0, size: 40 });
    expect(sections.map((s) => s.name)).toEqual(['a/very/long/name.txt', 'b']);
    expect(sections[0]).toMatchObject({ start: 40, size: 55 });
    expect(text.slice(40, 40 + (sections[0]?.size ?? 0)).endsWith('AAAA\r\n\r\n')).toBe(true);
    expect(text.slice(sections[1]?.start, (sections[1]?.start ?? 0) + (sections[1]?.size ?? 0))).toBe(
      'Name: b\nSHA1-Digest: BB\n\n',
    );
  });
});

describe('verifyV1 on damaged signature files', () => {
  it('returns a verdict, never throws, whatever bytes of META-INF/ are changed', async () => {
    const archive = await openZip(
      bufferSource(readFileSync(join(FIXTURES, 'v1-only-with-signed-attrs.apk'))),
    );
    const specs: Spec[] = [];
    for (const e of archive.entries)
      specs.push({ name: e.name, data: await archive.readEntry(e.name, 1 << 24), method: e.method });
    let counter = 0;
    const random = () =>
      createHash('sha256').update(`pakawaaz/apk/v1/damage/${counter++}`).digest().readUInt32LE(0) / 2 ** 32;
    const thrown: string[] = [];
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const damaged = specs.map((s) => ({ ...s }));
      const targets = damaged.filter((s) => String(s.name).startsWith('META-INF/'));
      const target = targets[Math.floor(random() * targets.length)];
      if (!target) continue;
      const data = Buffer.from(target.data);
      for (let k = 0; k <= i % 3; k++) data[Math.floor(random() * data.length)] = Math.floor(random() * 256);
      target.data = data;
      try {
        const result = await verifyV1(await openZip(bufferSource(buildZip(damaged))), {
          foundSchemes: new Set(),
        });
        if (!result.verified) refused++;
      } catch (err) {
        thrown.push(String(err));
      }
    }
    expect(thrown).toEqual([]);
    expect(refused).toBeGreaterThan(100);
  });
});
