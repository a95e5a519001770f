import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../byte-source.js';
import { readApkInfo } from '../manifest/apk-info.js';
import { verifyApkSignatures } from '../signing/verify.js';
import { openZip } from '../zip/zip-archive.js';
import { signApk, type SigningKey } from './apk-signer.js';
import { buildApk } from './build-apk.js';
import { ApkBuildError, type ApkBuildErrorCode } from './build-error.js';
import { makeSigner } from './make-signer.js';
import { encodeManifest, type ManifestOptions } from './manifest-writer.js';
import { writeZip } from './zip-writer.js';

/*
 * What needs no external tool: refusals with stable codes, determinism, alignment, and agreement with this
 * package's own readers (written independently, themselves checked against aapt and apksigner). Whether the
 * bytes are right is judged by aapt and apksigner in build.tools.spec.ts.
 */
const MANIFEST: ManifestOptions = {
  package: 'pk.gov.eoffice',
  versionCode: 3,
  versionName: '1.0.2',
  minSdk: 24,
  targetSdk: 34,
  permissions: ['android.permission.INTERNET'],
  debuggable: false,
  label: 'e-Office',
};

/** The code of the ApkBuildError `f` throws (or rejects with); anything else is reported as such. */
async function refusal(f: () => unknown): Promise<string> {
  try {
    await f();
    return 'no error';
  } catch (err) {
    return err instanceof ApkBuildError ? err.code : `unexpected ${String(err)}`;
  }
}

describe('APK writer', () => {
  let ec: SigningKey;
  let rsa: SigningKey;
  beforeAll(async () => {
    [ec, rsa] = await Promise.all([
      makeSigner({ algorithm: 'ec-p256', subject: 'CN=unit EC' }),
      makeSigner({ algorithm: 'rsa-2048', subject: 'CN=unit RSA' }),
    ]);
  });

  it('our own readers agree: manifest fields, entries, signatures', async () => {
    const apk = await buildApk({
      manifest: { ...MANIFEST, debuggable: true },
      entries: [{ name: 'lib/x86_64/liba.so', data: Buffer.alloc(100, 1) }],
      signers: [ec],
    });
    const info = await readApkInfo(await openZip(bufferSource(apk)));
    expect(info).toMatchObject({
      package: 'pk.gov.eoffice',
      versionCode: 3,
      versionName: '1.0.2',
      minSdk: 24,
      targetSdk: 34,
      permissions: ['android.permission.INTERNET'],
      debuggable: true,
      usesCleartextTraffic: null,
      nativeAbis: ['x86_64'],
    });
    const verdict = await verifyApkSignatures(bufferSource(apk), { minSdk: 24 });
    expect(verdict.errors).toEqual([]);
    expect(verdict.schemes).toMatchObject({ v2: true, v3: true });
  });

  it('is deterministic without signatures (fixed timestamps), and ECDSA signatures differ run to run', async () => {
    const a = await buildApk({ manifest: MANIFEST, entries: [{ name: 'assets/a', data: Buffer.from('a') }] });
    const b = await buildApk({ manifest: MANIFEST, entries: [{ name: 'assets/a', data: Buffer.from('a') }] });
    expect(a.equals(b)).toBe(true);
    expect(encodeManifest(MANIFEST).equals(encodeManifest({ ...MANIFEST }))).toBe(true);
    // Signing leaves the entries untouched and inserts the block before the central directory.
    const cdOffset = a.readUInt32LE(a.length - 22 + 16);
    const s1 = signApk(a, { signers: [ec] });
    const s2 = signApk(a, { signers: [ec] });
    expect(s1.subarray(0, cdOffset).equals(a.subarray(0, cdOffset))).toBe(true);
    expect(s1.subarray(s1.length - (a.length - cdOffset), -6).equals(a.subarray(cdOffset, -6))).toBe(true);
    expect(s1.equals(s2)).toBe(false);
  });

  it('aligns stored entries (4 bytes; .so to 4096) and stores .so by default', async () => {
    const zip = writeZip([
      { name: 'AndroidManifest.xml', data: encodeManifest(MANIFEST) },
      { name: 'assets/odd', data: Buffer.alloc(3, 9), compress: false },
      { name: 'lib/arm64-v8a/libx.so', data: Buffer.alloc(5000, 2) },
      { name: 'assets/x', data: Buffer.alloc(7, 1), compress: false, align: 16 },
      { name: 'assets/deflated', data: Buffer.alloc(1000, 3) },
    ]);
    const archive = await openZip(bufferSource(zip));
    const at = (name: string) => archive.entry(name)!;
    expect(at('assets/odd').dataOffset % 4).toBe(0);
    expect(at('lib/arm64-v8a/libx.so')).toMatchObject({ method: 0 });
    expect(at('lib/arm64-v8a/libx.so').dataOffset % 4096).toBe(0);
    expect(at('assets/x').dataOffset % 16).toBe(0);
    expect(at('assets/deflated').method).toBe(8);
    expect(await archive.readEntry('assets/deflated', 2000)).toEqual(Buffer.alloc(1000, 3));
    expect(await archive.readEntry('lib/arm64-v8a/libx.so', 6000)).toEqual(Buffer.alloc(5000, 2));
  });

  it.each<[string, Partial<ManifestOptions> | Record<string, unknown>]>([
    ['one-segment package', { package: 'eoffice' }],
    ['package with a dash', { package: 'pk.gov.e-office' }],
    ['package segment starting with a digit', { package: 'pk.1gov' }],
    ['negative versionCode', { versionCode: -1 }],
    ['fractional versionCode', { versionCode: 1.5 }],
    ['versionCode past a Java int', { versionCode: 2 ** 31 }],
    ['empty versionName', { versionName: '' }],
    ['versionName with NUL', { versionName: 'a\0b' }],
    ['versionName with a lone surrogate', { versionName: 'a\ud800' }],
    ['huge versionName', { versionName: 'x'.repeat(5000) }],
    ['minSdk 0', { minSdk: 0 }],
    ['targetSdk as a string', { targetSdk: '34' }],
    ['permission with a space', { permissions: ['android.permission.INTER NET'] }],
    ['permissions not an array', { permissions: 'android.permission.INTERNET' }],
    ['debuggable as a string', { debuggable: 'true' }],
    ['empty label', { label: '' }],
  ])('refuses a manifest with %s (build_invalid_manifest)', async (_, change) => {
    expect(await refusal(() => buildApk({ manifest: { ...MANIFEST, ...change } }))).toBe(
      'build_invalid_manifest',
    );
  });

  it.each<[string, ApkBuildErrorCode]>([
    ['../evil', 'build_invalid_entry'],
    ['/abs', 'build_invalid_entry'],
    ['a\\b', 'build_invalid_entry'],
    ['', 'build_invalid_entry'],
    ['assets/', 'build_invalid_entry'],
    ['a//b', 'build_invalid_entry'],
    ['AndroidManifest.xml', 'build_duplicate_entry'],
  ])('refuses the entry name %j (%s)', async (name, code) => {
    expect(
      await refusal(() => buildApk({ manifest: MANIFEST, entries: [{ name, data: Buffer.alloc(1) }] })),
    ).toBe(code);
  });

  it('refuses duplicate entries and bad alignment', async () => {
    const e = { name: 'assets/a', data: Buffer.alloc(1) };
    expect(await refusal(() => buildApk({ manifest: MANIFEST, entries: [e, e] }))).toBe(
      'build_duplicate_entry',
    );
    expect(
      await refusal(() => buildApk({ manifest: MANIFEST, entries: [{ ...e, compress: false, align: 0 }] })),
    ).toBe('build_invalid_entry');
  });

  it('refuses signers it cannot use', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    const cases: Array<[string, () => unknown, ApkBuildErrorCode]> = [
      [
        'key of another certificate',
        () => buildApk({ manifest: MANIFEST, signers: [{ ...ec, privateKey: rsa.privateKey }] }),
        'build_invalid_signer',
      ],
      [
        'P-384 key',
        () => buildApk({ manifest: MANIFEST, signers: [{ ...ec, privateKey: p384 }] }),
        'build_invalid_signer',
      ],
      [
        'not a certificate',
        () => buildApk({ manifest: MANIFEST, signers: [{ ...ec, certificate: Buffer.from('x') }] }),
        'build_invalid_signer',
      ],
      [
        'public key as private',
        () =>
          buildApk({
            manifest: MANIFEST,
            signers: [{ ...ec, privateKey: new X509Certificate(ec.certificate).publicKey }],
          }),
        'build_invalid_signer',
      ],
      ['two v3 signers', () => buildApk({ manifest: MANIFEST, signers: [ec, rsa] }), 'build_invalid_signer'],
      [
        'the same signer twice',
        () => buildApk({ manifest: MANIFEST, signers: [ec, ec], v3: false }),
        'build_invalid_signer',
      ],
      [
        'neither scheme',
        () => buildApk({ manifest: MANIFEST, signers: [ec], v2: false, v3: false }),
        'build_invalid_signer',
      ],
      [
        'inverted v3 SDK range',
        () =>
          signApk(writeZip([{ name: 'a', data: Buffer.alloc(1) }]), {
            signers: [ec],
            v3MinSdk: 30,
            v3MaxSdk: 29,
          }),
        'build_invalid_signer',
      ],
      [
        'one-signer lineage',
        () => buildApk({ manifest: MANIFEST, signers: [ec], lineage: [ec] }),
        'build_invalid_lineage',
      ],
      [
        'lineage without the v2 signer',
        () => buildApk({ manifest: MANIFEST, signers: [ec], lineage: [rsa, rsa] }),
        'build_invalid_lineage',
      ],
      [
        'lineage without v3',
        () => buildApk({ manifest: MANIFEST, signers: [ec], lineage: [ec, rsa], v3: false }),
        'build_invalid_lineage',
      ],
      [
        'unknown algorithm',
        () => makeSigner({ algorithm: 'dsa' as never, subject: 'CN=x' }),
        'build_invalid_signer',
      ],
      [
        'a subject that is not a DN',
        () => makeSigner({ algorithm: 'ec-p256', subject: 'not a dn' }),
        'build_invalid_signer',
      ],
      [
        'an unknown DN attribute',
        () => makeSigner({ algorithm: 'ec-p256', subject: 'XX=1' }),
        'build_invalid_signer',
      ],
    ];
    for (const [what, f, code] of cases) expect({ what, code: await refusal(f) }).toEqual({ what, code });
  });

  it('refuses to sign what is not an unsigned ZIP', async () => {
    const signed = await buildApk({ manifest: MANIFEST, signers: [ec] });
    expect(await refusal(() => signApk(signed, { signers: [ec] }))).toBe('build_invalid_zip');
    expect(
      await refusal(() => signApk(Buffer.from('not a zip at all, not even close'), { signers: [ec] })),
    ).toBe('build_invalid_zip');
  });

  it('makeSigner: certificate carries the key, subject as given', () => {
    const cert = new X509Certificate(ec.certificate);
    expect(cert.subject).toBe('CN=unit EC');
    expect(cert.checkPrivateKey(ec.privateKey)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(new X509Certificate(rsa.certificate).publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });
});
