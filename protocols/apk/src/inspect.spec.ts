import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bufferSource, fileSource } from './byte-source.js';
import { inspectApk } from './inspect.js';

/*
 * The whole inspection (ZIP, manifest, v1/v2/v3) on every APK of AOSP's apksig corpus against apksigner's
 * verdict (test/fixtures/README.md: `apksigner verify --min-sdk-version 28 -v --print-certs`).
 */
const FIXTURES = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
const verdicts = readFileSync(`${FIXTURES}apksigner-verdicts.tsv`, 'utf8')
  .trim()
  .split('\n')
  .map((line) => {
    const [file, verifies, v1, v2, v3, signers] = line.split('\t');
    return {
      file: file!,
      verifies: verifies === 'true',
      schemes: { v1: v1 === 'true', v2: v2 === 'true', v3: v3 === 'true' },
      signers: signers ? signers.split(',') : [],
    };
  });

/**
 * Where we knowingly differ. apksigner 0.9 crashes on RSA-PSS (its JCA name is not in OpenJDK ≥ 11) — Android
 * verifies these and so do we. The others are refused by both of us, for another reason: our ZIP policy refuses
 * names with NUL and compression methods other than stored and deflate before any signature is read; an APK
 * without a manifest is refused whatever its signature (apksigner says nothing of the schemes); and apksigner
 * refuses targetSandboxVersion 2 without v2/v3 (we refuse every v1-only APK).
 */
const VERIFIED_BY_US_ONLY = new Set([
  'v2-only-with-rsa-pss-sha256-1024.apk',
  'v2-only-with-rsa-pss-sha256-3072.apk',
  'v2-only-with-rsa-pss-sha256-8192.apk',
  'v2-only-with-rsa-pss-sha512-2048.apk',
  'v2-only-with-rsa-pss-sha512-4096.apk',
]);
const REFUSED_EARLIER = new Map([
  // Signed (v2 verifies), but without an AndroidManifest.xml: apksigner refuses it, and we too.
  ['v2-only-empty.apk', 'manifest_missing'],
  ['v1-only-with-nul-in-entry-name.apk', 'zip_bad_name'],
  ['weird-compression-method.apk', 'zip_unsupported_method'],
  ['v1-only-targetSandboxVersion-2.apk', 'apk_not_signed_v2_v3'],
]);

describe('inspectApk on the apksig corpus, against apksigner', () => {
  it.each(verdicts.map((v) => [v.file, v] as const))('%s', async (file, expected) => {
    const source = await fileSource(`${FIXTURES}${file}`);
    const ours = await inspectApk(source).finally(() => source.close());
    if (VERIFIED_BY_US_ONLY.has(file)) {
      expect(ours).toMatchObject({ verified: true, errors: [], schemes: { v1: false, v2: true } });
      return;
    }
    const earlier = REFUSED_EARLIER.get(file);
    if (earlier) {
      expect(ours.verified).toBe(false);
      expect(ours.errors).toContain(earlier);
      return;
    }
    if (!expected.verifies) {
      // Refused by apksigner: refused by us, with a reason, and no scheme reported.
      expect(ours.verified).toBe(false);
      expect(ours.errors.length).toBeGreaterThan(0);
      expect(ours.schemes).toEqual({ v1: false, v2: false, v3: false });
      return;
    }
    // Verified by apksigner: the same schemes and signers; our policy accepts it unless v1 is all it has.
    expect(ours.schemes).toEqual(expected.schemes);
    expect(ours.signers).toEqual(expected.signers);
    const v2v3 = expected.schemes.v2 || expected.schemes.v3;
    expect(ours.verified).toBe(v2v3);
    expect(ours.errors).toEqual(v2v3 ? [] : ['apk_not_signed_v2_v3']);
  });

  it('reads the manifest of a verified APK', async () => {
    const ours = await inspectApk(bufferSource(await readFile(`${FIXTURES}golden-aligned-v1v2v3-out.apk`)));
    expect(ours.verified).toBe(true);
    expect(ours.package).toMatch(/^[a-z][\w.]*$/);
    expect(ours.versionCode).toEqual(expect.any(Number));
  });

  it('refuses what is not a ZIP file at all, with the ZIP reader’s code', async () => {
    const ours = await inspectApk(bufferSource(Buffer.from('not an apk, just text\n')));
    expect(ours).toMatchObject({ verified: false, package: null, signers: [] });
    expect(ours.errors).toEqual(['zip_no_eocd']);
  });
});
