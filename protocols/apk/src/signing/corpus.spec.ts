import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileSource } from '../byte-source.js';
import { verifyApkSignatures } from './verify.js';

/*
 * Every APK of AOSP's apksig test corpus against apksigner's verdict on it (test/fixtures/README.md):
 * `apksigner verify --min-sdk-version 28 -v --print-certs`, recorded in apksigner-verdicts.tsv.
 */
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

type Verdict = { file: string; verifies: boolean; v1: boolean; v2: boolean; v3: boolean; signers: string[] };

const verdicts: Verdict[] = readFileSync(`${FIXTURES}apksigner-verdicts.tsv`, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const [file, verifies, v1, v2, v3, signers] = line.split('\t');
    return {
      file: file!,
      verifies: verifies === 'true',
      v1: v1 === 'true',
      v2: v2 === 'true',
      v3: v3 === 'true',
      signers: signers ? signers.split(',') : [],
    };
  });

/**
 * Where we knowingly differ from apksigner 0.9: it dies with NoSuchAlgorithmException on RSA-PSS (its JCA name
 * "SHA256withRSA/PSS" is not in OpenJDK ≥ 11), a crash of the tool, not a verdict on the APK. Android verifies
 * these (apksig's own tests expect them to verify), and so do we; signatures that do not verify stay refused.
 */
const RSA_PSS_VALID = new Set([
  'v2-only-with-rsa-pss-sha256-1024.apk',
  'v2-only-with-rsa-pss-sha256-3072.apk',
  'v2-only-with-rsa-pss-sha256-8192.apk',
  'v2-only-with-rsa-pss-sha512-2048.apk',
  'v2-only-with-rsa-pss-sha512-4096.apk',
]);

/** apksigner refuses it for having no AndroidManifest.xml: the ZIP/manifest part's refusal, not a signature's. */
const NO_MANIFEST = new Set(['v2-only-empty.apk']);

describe('the apksig corpus, against apksigner --min-sdk-version 28', () => {
  it('covers every fixture', () => {
    const apks = readdirSync(FIXTURES).filter((f) => f.endsWith('.apk'));
    expect(verdicts.map((v) => v.file).sort()).toEqual(apks.sort());
  });

  it.each(verdicts.map((v) => [v.file, v] as const))('%s', async (_file, verdict) => {
    const source = await fileSource(`${FIXTURES}${verdict.file}`);
    try {
      const ours = await verifyApkSignatures(source, { minSdk: 28 });
      if (RSA_PSS_VALID.has(verdict.file) || NO_MANIFEST.has(verdict.file)) {
        expect(ours.errors).toEqual([]);
        expect(ours.schemes).toEqual({ v2: true, v3: false });
        expect(ours.signers).toHaveLength(1);
      } else if (verdict.verifies && (verdict.v2 || verdict.v3)) {
        expect(ours).toMatchObject({
          schemes: { v2: verdict.v2, v3: verdict.v3 },
          signers: verdict.signers,
          errors: [],
        });
      } else {
        // Refused by apksigner, or verified by v1 only: neither v2 nor v3 verifies, with a reason.
        expect(ours.schemes).toEqual({ v2: false, v3: false });
        expect(ours.signers).toEqual([]);
        expect(ours.errors.length).toBeGreaterThan(0);
      }
    } finally {
      await source.close();
    }
  });
});
