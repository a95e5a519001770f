import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bufferSource, inspectApk } from '@pakawaaz/apk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoEofficeApk, demoApkSignerPaths, loadOrCreateDemoApkSigner } from './demo-apps.js';

/*
 * The demo's e-Office APK as the store reads it (inspectApk) and as AOSP's own tools do: Debian's
 * `apksigner verify` must accept its v2 + v3 signatures and name the kept demo certificate, and
 * `aapt dump badging` must read back the manifest the install engine and the policy look at.
 */
const AAPT = process.env.PAKAWAAZ_AAPT ?? '/usr/bin/aapt';
const APKSIGNER = process.env.PAKAWAAZ_APKSIGNER ?? '/usr/bin/apksigner';
const run = promisify(execFile);
const requireServices = ['1', 'true', 'yes'].includes(process.env.PAKAWAAZ_REQUIRE_SERVICES ?? '');
const HAVE_TOOLS = existsSync(AAPT) && existsSync(APKSIGNER);
if (!HAVE_TOOLS && !requireServices)
  console.warn(
    `\n[notice] aapt (${AAPT}) or apksigner (${APKSIGNER}) is not installed (Debian packages \`aapt\`, \`apksigner\`): skipping the demo APK's cross-checks. Set PAKAWAAZ_REQUIRE_SERVICES=1 to make this a failure.\n`,
  );

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const PERMISSIONS = [
  'android.permission.INTERNET',
  'android.permission.ACCESS_NETWORK_STATE',
  'android.permission.POST_NOTIFICATIONS',
];

let dir = '';
let apk: Buffer;
let apkPath = '';
let certSha256 = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pkz-demo-apps-'));
  apk = await buildDemoEofficeApk(join(dir, 'lab'));
  apkPath = join(dir, 'e-office.apk');
  await writeFile(apkPath, apk);
  const pem = await readFile(demoApkSignerPaths(join(dir, 'lab')).cert, 'utf8');
  certSha256 = sha256(new X509Certificate(pem).raw);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the demo signing key', () => {
  it('is made on first use, the key readable by its owner only, and kept for the next build', async () => {
    const paths = demoApkSignerPaths(join(dir, 'lab'));
    expect((await stat(paths.key)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'lab'))).mode & 0o777).toBe(0o700);
    const again = await loadOrCreateDemoApkSigner(join(dir, 'lab'));
    expect(sha256(again.certificate)).toBe(certSha256);
    const rebuilt = await inspectApk(bufferSource(await buildDemoEofficeApk(join(dir, 'lab'))));
    expect(rebuilt.signers).toEqual([certSha256]);
  });
});

describe('the demo e-Office APK', () => {
  it('inspects as the store requires: verified, one signer, policy-clean manifest', async () => {
    // For its minSdk (35 ≥ 28) the v3 signature is the one that counts, as apksigner judges it; the v2 block
    // is there for the tools and is checked below with a lower minimum.
    const i = await inspectApk(bufferSource(apk), { minSdk: 28 });
    expect(i).toEqual({
      package: 'org.pakawaaz.eoffice',
      versionCode: 1,
      versionName: '1.0',
      minSdk: 35,
      targetSdk: 35,
      permissions: [...PERMISSIONS].sort(),
      debuggable: false,
      usesCleartextTraffic: false,
      cleartextTraffic: { permitted: false, domains: [], decidedBy: 'manifest' },
      nativeAbis: [],
      schemes: { v1: false, v2: false, v3: true },
      signers: [certSha256],
      lineage: [],
      verified: true,
      errors: [],
    });
    expect(apk.length).toBeLessThan(16 * 1024);
  });

  it.skipIf(!HAVE_TOOLS && !requireServices)(
    'apksigner verifies it (warnings as errors), v2 and v3 alike, and names the demo certificate',
    { timeout: 60_000 },
    async () => {
      const verify = async (minSdk: string[]) =>
        (await run(APKSIGNER, ['verify', '-Werr', ...minSdk, '-v', '--print-certs', apkPath])).stdout;
      const scheme = (out: string, n: number) =>
        new RegExp(`^Verified using v${n} scheme \\(APK Signature Scheme v${n}\\): true$`, 'm').test(out);
      // By the manifest's minSdk (35): v3 alone decides. From Android 7 (24) on: v2 must verify too.
      const own = await verify([]);
      const older = await verify(['--min-sdk-version', '24']);
      for (const out of [own, older]) {
        expect(out).toMatch(/^Verifies$/m);
        expect(
          [...out.matchAll(/^Signer #\d+ certificate SHA-256 digest: ([0-9a-f]{64})$/gm)].map((m) => m[1]),
        ).toEqual([certSha256]);
      }
      expect([scheme(own, 3), scheme(older, 2), scheme(older, 3)]).toEqual([true, true, true]);
    },
  );

  it.skipIf(!HAVE_TOOLS && !requireServices)(
    'aapt dump badging reads back package, versions, SDKs and permissions; xmltree the label',
    { timeout: 60_000 },
    async () => {
      const { stdout } = await run(AAPT, ['dump', 'badging', apkPath]);
      expect(stdout).toMatch(/^package: name='org\.pakawaaz\.eoffice' versionCode='1' versionName='1\.0'/m);
      expect(stdout).toMatch(/^sdkVersion:'35'$/m);
      expect(stdout).toMatch(/^targetSdkVersion:'35'$/m);
      expect(stdout).not.toMatch(/^application-debuggable$/m);
      const permissions = [...stdout.matchAll(/^uses-permission: name='([^']+)'$/gm)].map((m) => m[1]);
      expect(permissions).toEqual(PERMISSIONS);
      // A literal label (no resources.arsc) is not in badging; the manifest tree shows it.
      const tree = (await run(AAPT, ['dump', 'xmltree', apkPath, 'AndroidManifest.xml'])).stdout;
      expect(tree).toMatch(/A: android:label\(0x01010001\)="e-Office"/);
      expect(tree).toMatch(/A: android:debuggable\(0x0101000f\)=\(type 0x12\)0x0$/m);
      expect(tree).toMatch(/A: android:usesCleartextTraffic\(0x010104ec\)=\(type 0x12\)0x0$/m);
    },
  );
});
