import { createHash } from 'node:crypto';
import { CatalogueRefused, type CatalogueClient, type DeviceFetch } from './catalogue-client.js';

/**
 * The handset's app installer, as the store app and Android's package manager do it together: before an
 * `install_app` is obeyed it refreshes the signed catalogue (verified: signature, institution, rollback, every
 * inclusion proof), finds the exact APK the command names in it, downloads that APK by its hash with the
 * catalogue's size as the cap, and checks the bytes (SHA-256), the APK's own signatures and manifest, its
 * signer against the catalogue's, and Android's upgrade rules (same signer or a v3 rotation from it; no
 * downgrade). Only a verdict `ok` lets `obey` record the app installed. Like the OTA client, it never throws:
 * a refusal is the `detail` of a failed acknowledgement, starting with a stable code.
 *
 * The catalogue format and the APK inspector are passed in (a handset is an API client: the lab or a test
 * binds `verifyCatalogue` of @pakawaaz/app-store/catalogue and `inspectApk` of @pakawaaz/apk).
 */

/** The APK download route (device certificate; only APKs of the device's institution's catalogue). */
export const APK_ROUTE = '/api/v1/store/apks/';

/** What the installer reads of a catalogue version (the catalogue format's CatalogueVersion). */
export type StoreVersion = {
  readonly versionCode: number;
  readonly apkSha256: string;
  readonly size: number;
  readonly signers: readonly string[];
};

/** What the installer reads of a verified catalogue index (the catalogue format's CatalogueIndex). */
export type StoreIndex = {
  readonly apps: Readonly<Record<string, { readonly versions: Readonly<Record<string, StoreVersion>> }>>;
};

/** What the installer reads of an APK inspection (`inspectApk`'s ApkInspection). */
export type ApkFacts = {
  readonly package: string | null;
  readonly versionCode: number | null;
  readonly verified: boolean;
  readonly signers: readonly string[];
  /** v3 proof-of-rotation lineage, oldest first. */
  readonly lineage: readonly string[];
  readonly errors: readonly string[];
};

export type ApkInspect = (apk: Buffer) => Promise<ApkFacts>;

/** An app as the handset holds it: what it installed from the store, signer included (Android keeps it too). */
export type InstalledApp = {
  package: string;
  versionCode: number;
  apkSha256?: string;
  signers?: string[];
  /** Crashes of this version since it was installed (lab fault `crashApps`). */
  crashes?: number;
};

export type AppInstallerOptions = {
  /** The device port's base URL. */
  baseUrl: string;
  fetch: DeviceFetch;
  catalogue: CatalogueClient<StoreIndex>;
  inspect: ApkInspect;
};

export type VerifiedApp = { ok: true; app: InstalledApp } | { ok: false; detail: string };

const SHA256 = /^[0-9a-f]{64}$/;
// Android's package names (PackageParser): two or more Java-identifier segments; bounded like the catalogue's.
const PACKAGE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;

const refuse = (code: string, message: string): VerifiedApp => ({ ok: false, detail: `${code}: ${message}` });
const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** The `install_app` parameters app-store queues: `{ package, versionCode, apkSha256 }`. */
export function installParams(
  params: Record<string, unknown> | null | undefined,
): { package: string; versionCode: number; apkSha256: string } | string {
  const p = params ?? {};
  const pkg = p['package'];
  const versionCode = p['versionCode'];
  const sha = p['apkSha256'];
  if (typeof pkg !== 'string' || pkg.length > 255 || !PACKAGE.test(pkg)) return 'no valid package named';
  if (typeof versionCode !== 'number' || !Number.isSafeInteger(versionCode) || versionCode < 0)
    return 'no valid versionCode';
  if (typeof sha !== 'string' || !SHA256.test(sha)) return 'no valid apkSha256 (lower-case hex SHA-256)';
  return { package: pkg, versionCode, apkSha256: sha };
}

/** Verifies the APK an `install_app` names, against the catalogue and what is installed; never throws. */
export async function verifyAppInstall(
  o: AppInstallerOptions,
  installed: readonly InstalledApp[],
  params: Record<string, unknown> | null | undefined,
): Promise<VerifiedApp> {
  const want = installParams(params);
  if (typeof want === 'string') return refuse('apk_params_invalid', want);
  let index: StoreIndex | undefined;
  try {
    await o.catalogue.refresh();
    index = o.catalogue.current;
  } catch (err) {
    if (err instanceof CatalogueRefused) return refuse(err.code, err.message.slice(0, 200));
    return refuse('catalogue_unavailable', String(err instanceof Error ? err.message : err).slice(0, 200));
  }
  const version = index?.apps[want.package]?.versions[want.apkSha256];
  if (!version || version.apkSha256 !== want.apkSha256 || version.versionCode !== want.versionCode)
    return refuse(
      'apk_not_in_catalogue',
      `${want.package} ${want.versionCode} (${want.apkSha256.slice(0, 12)}…) is not in the verified catalogue`,
    );
  const current = installed.find((a) => a.package === want.package);
  // Checked before the download too: a command cannot make the handset fetch what it would never install.
  if (current && current.versionCode > version.versionCode)
    return refuse(
      'apk_downgrade',
      `${current.versionCode} is installed, the command names ${version.versionCode}`,
    );
  const apk = await download(o, version);
  if (!Buffer.isBuffer(apk)) return apk;
  const sha = createHash('sha256').update(apk).digest('hex');
  if (sha !== version.apkSha256)
    return refuse(
      'apk_hash_mismatch',
      `the APK downloaded hashes to ${sha}, the catalogue says ${version.apkSha256}`,
    );
  let facts: ApkFacts;
  try {
    facts = await o.inspect(apk);
  } catch (err) {
    return refuse('apk_not_verified', String(err instanceof Error ? err.message : err).slice(0, 200));
  }
  if (!facts.verified) return refuse('apk_not_verified', facts.errors.join(', ').slice(0, 200) || 'unsigned');
  if (facts.package !== want.package || facts.versionCode !== version.versionCode)
    return refuse(
      'apk_manifest_mismatch',
      `the APK is ${facts.package} ${facts.versionCode}, the catalogue says ${want.package} ${version.versionCode}`,
    );
  if (!sameSet(facts.signers, version.signers))
    return refuse('apk_signer_mismatch', 'the APK is not signed by the signer the catalogue names');
  const upgrade = upgradeRefusal(current, facts);
  if (upgrade) return upgrade;
  return {
    ok: true,
    app: {
      package: want.package,
      versionCode: version.versionCode,
      apkSha256: version.apkSha256,
      signers: [...facts.signers],
    },
  };
}

/**
 * Android's rule for replacing an installed package: the new APK is signed by the same certificates, or its
 * v3 proof-of-rotation lineage starts from (contains) the installed one's single signer. An installed app
 * whose signer the handset does not know (put there before the store) is not replaced.
 */
function upgradeRefusal(current: InstalledApp | undefined, facts: ApkFacts): VerifiedApp | null {
  if (!current) return null;
  if (current.versionCode > (facts.versionCode ?? 0))
    return refuse('apk_downgrade', `${current.versionCode} is installed, the APK is ${facts.versionCode}`);
  const held = current.signers;
  if (!held || held.length === 0)
    return refuse('apk_signer_mismatch', `the installed ${current.package} has no known signer`);
  if (sameSet(held, facts.signers)) return null;
  if (held.length === 1 && facts.lineage.includes(held[0]!)) return null;
  return refuse('apk_signer_mismatch', `the APK is not signed by the installed ${current.package}'s signer`);
}

/** GET the APK by its hash, reading at most the catalogue's size (a longer body is refused as it arrives). */
async function download(o: AppInstallerOptions, version: StoreVersion): Promise<Buffer | VerifiedApp> {
  let res: Response;
  try {
    res = await o.fetch(new Request(new URL(`${APK_ROUTE}${version.apkSha256}`, o.baseUrl)));
  } catch (err) {
    return refuse('apk_download_failed', String(err instanceof Error ? err.message : err).slice(0, 200));
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    return refuse('apk_download_failed', `HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > version.size) {
    await res.body?.cancel();
    return refuse('apk_too_large', `${declared} bytes declared, the catalogue says ${version.size}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = res.body?.getReader();
  try {
    for (;;) {
      const next = await reader?.read();
      if (!next || next.done) break;
      const chunk: Uint8Array = next.value;
      size += chunk.length;
      if (size > version.size) {
        await reader?.cancel();
        return refuse('apk_too_large', `more than the catalogue's ${version.size} bytes`);
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (err) {
    return refuse('apk_download_failed', String(err instanceof Error ? err.message : err).slice(0, 200));
  }
  return Buffer.concat(chunks);
}
