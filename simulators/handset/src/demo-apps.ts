import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildApk, makeSigner, type ManifestOptions, type SigningKey } from '@pakawaaz/apk';

/**
 * The embedded demo's first mandatory app: a tiny e-Office APK (a manifest and one asset, no code) that the
 * store accepts like any other — signed v2 + v3, target SDK at the default policy's floor, not debuggable,
 * no cleartext. Its package name is what the install engine and the handsets look for.
 */
export const DEMO_EOFFICE: ManifestOptions & { package: string } = {
  package: 'org.pakawaaz.eoffice',
  versionCode: 1,
  versionName: '1.0',
  // The hardened OS is Android 15 (API 35; the lab handsets attest osVersion 150000): nothing older runs it.
  minSdk: 35,
  // The store's default policy floor (Google Play's target API requirement since August 2025).
  targetSdk: 35,
  permissions: [
    'android.permission.INTERNET',
    'android.permission.ACCESS_NETWORK_STATE',
    'android.permission.POST_NOTIFICATIONS',
  ],
  debuggable: false,
  usesCleartextTraffic: false,
  label: 'e-Office',
};

/** Where a data folder's lab directory keeps the demo apps' signing key (0600) and its certificate. */
export const demoApkSignerPaths = (labDir: string) => ({
  cert: join(labDir, 'demo-apk-signer.pem'),
  key: join(labDir, 'demo-apk-signer.key'),
});

/**
 * The demo apps' signing key of this lab folder, made on first use (EC P-256, self-signed as apksig accepts;
 * the key 0600, written atomically, like the lab root). DEMO-ONLY: it lives beside the data it signs for.
 * Kept, not made per start: the store pins an app's first signer, so a later demo version must be signed by it.
 */
export async function loadOrCreateDemoApkSigner(labDir: string): Promise<SigningKey> {
  const paths = demoApkSignerPaths(labDir);
  const existing = await readSigner(paths);
  if (existing) return existing;
  await mkdir(labDir, { recursive: true, mode: 0o700 });
  const signer = await makeSigner({
    algorithm: 'ec-p256',
    subject: 'CN=Pakawaaz demo apps (DEMO ONLY), O=Pakawaaz demo',
  });
  const keyPem = signer.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // The key first: a certificate on disk always has its key beside it.
  await writeAtomically(paths.key, keyPem, 0o600);
  await writeAtomically(paths.cert, new X509Certificate(signer.certificate).toString(), 0o644);
  return signer;
}

/** The demo e-Office APK (DEMO_EOFFICE), signed v2 + v3 with the lab folder's demo key. */
export async function buildDemoEofficeApk(labDir: string): Promise<Buffer> {
  const signer = await loadOrCreateDemoApkSigner(labDir);
  return buildApk({
    manifest: DEMO_EOFFICE,
    entries: [
      {
        name: 'assets/about.txt',
        data: Buffer.from('e-Office (Pakawaaz demo): the demo institution’s mandatory app. No code.\n'),
      },
    ],
    signers: [signer],
  });
}

async function readSigner(paths: { cert: string; key: string }): Promise<SigningKey | null> {
  let certPem: string;
  let keyPem: string;
  try {
    [certPem, keyPem] = await Promise.all([readFile(paths.cert, 'utf8'), readFile(paths.key, 'utf8')]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return { privateKey: createPrivateKey(keyPem), certificate: new X509Certificate(certPem).raw };
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}
