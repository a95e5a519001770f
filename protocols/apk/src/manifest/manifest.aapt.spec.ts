import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fileSource } from '../byte-source.js';
import { openZip } from '../zip/zip-archive.js';
import { readApkInfo } from './apk-info.js';

/*
 * Cross-check against an independent reader: Debian's `aapt dump badging FILE` on every corpus APK it reads.
 * Package, versionCode, versionName, sdkVersion / targetSdkVersion, declared permissions, application-debuggable
 * and native-code must be what readApkInfo says.
 */
const AAPT = process.env.PAKAWAAZ_AAPT ?? '/usr/bin/aapt';
const run = promisify(execFile);

const requireServices = (): boolean =>
  ['1', 'true', 'yes'].includes(process.env.PAKAWAAZ_REQUIRE_SERVICES ?? '');

/** Decided once, before a suite: run, fail loudly (CI), or skip with a notice. */
function aaptAvailable(): boolean {
  if (existsSync(AAPT)) return true;
  if (requireServices()) return true; // the tests then fail in `aapt()` with the message below
  console.warn(
    `\n[notice] aapt is not installed at ${AAPT} (Debian package \`aapt\`): skipping the manifest cross-check. Set PAKAWAAZ_REQUIRE_SERVICES=1 to make this a failure.\n`,
  );
  return false;
}

async function aapt(args: string[]): Promise<{ ok: boolean; stdout: string }> {
  if (!existsSync(AAPT))
    throw new Error(
      `aapt is required (PAKAWAAZ_REQUIRE_SERVICES=1) but missing at ${AAPT}: apt-get install aapt`,
    );
  try {
    const { stdout } = await run(AAPT, args, { maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, stdout };
  } catch (err) {
    return { ok: false, stdout: (err as { stdout?: string }).stdout ?? '' };
  }
}

type Badging = {
  package: string | null;
  versionCode: number | null;
  versionName: string | null;
  minSdk: number | null;
  targetSdk: number | null;
  permissions: string[];
  debuggable: boolean;
  nativeAbis: string[];
};

const quoted = (line: string, key: string): string | null => {
  const m = new RegExp(`${key}='([^']*)'`).exec(line);
  return m ? (m[1] ?? '') : null;
};
const numberOrNull = (s: string | null): number | null => (s === null || s === '' ? null : Number(s));

/**
 * aapt prints permissions it infers (old targetSdk, WRITE implies READ) both as `uses-permission` and as
 * `uses-implied-permission`: the declared ones are the first minus the second.
 */
function parseBadging(stdout: string): Badging {
  const lines = stdout.split('\n');
  const pkg = lines.find((l) => l.startsWith('package:')) ?? '';
  const value = (prefix: string) => {
    const line = lines.find((l) => l.startsWith(prefix));
    return line === undefined ? null : line.slice(prefix.length).replace(/^'|'$/g, '');
  };
  const names = (prefix: string) =>
    lines.filter((l) => l.startsWith(prefix)).map((l) => quoted(l, 'name') ?? '');
  const implied = new Set(names('uses-implied-permission:'));
  const declared = [...names('uses-permission:'), ...names('uses-permission-sdk-23:')].filter(
    (n) => !implied.has(n),
  );
  const abis = lines
    .filter((l) => l.startsWith('native-code:') || l.startsWith('alt-native-code:'))
    .flatMap((l) => [...l.matchAll(/'([^']*)'/g)].map((m) => m[1] ?? ''));
  return {
    package: quoted(pkg, 'name'),
    versionCode: numberOrNull(quoted(pkg, 'versionCode')),
    versionName: quoted(pkg, 'versionName') || null,
    minSdk: numberOrNull(value('sdkVersion:')),
    targetSdk: numberOrNull(value('targetSdkVersion:')),
    permissions: [...new Set(declared)].sort(),
    debuggable: lines.includes('application-debuggable'),
    nativeAbis: [...new Set(abis)].sort(),
  };
}

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.apk'));

/** Files aapt itself refuses (empty, broken ZIP structure, a bad name, an invalid string pool). */
const AAPT_REFUSES = new Set([
  'empty-unsigned.apk',
  'incorrect-manifest-size.apk',
  'v1-only-empty.apk',
  'v1-only-with-nul-in-entry-name.apk',
  'v1v2v3-with-rsa-2048-lineage-3-signers-invalid-zip.apk',
  'v2-only-empty.apk',
  'v2-only-truncated-cd.apk',
  'v3-only-with-rsa-pkcs1-sha512-8192-digest-mismatch.apk',
]);
/** Files aapt reads but our ZIP policy refuses on purpose (a CR in a name; a compression method Android lacks). */
const WE_REFUSE: Record<string, string> = {
  'v1-only-with-cr-in-entry-name.apk': 'zip_bad_name',
  'weird-compression-method.apk': 'zip_unsupported_method',
};

describe.runIf(aaptAvailable())('readApkInfo agrees with aapt dump badging', () => {
  it.each(files)('%s', async (file) => {
    const path = join(FIXTURES, file);
    const badging = await aapt(['dump', 'badging', path]);
    expect(badging.ok).toBe(!AAPT_REFUSES.has(file));
    if (!badging.ok) return;
    const source = await fileSource(path);
    try {
      const refusal = WE_REFUSE[file];
      if (refusal) {
        await expect(openZip(source)).rejects.toMatchObject({ code: refusal });
        return;
      }
      const info = await readApkInfo(await openZip(source));
      const { nativeAbis, ...expected } = parseBadging(badging.stdout);
      expect({
        package: info.package,
        versionCode: info.versionCode,
        versionName: info.versionName,
        minSdk: info.minSdk,
        targetSdk: info.targetSdk,
        permissions: info.permissions,
        debuggable: info.debuggable,
      }).toEqual(expected);
      expect(info.nativeAbis).toEqual(nativeAbis);
    } finally {
      await source.close();
    }
  });
});
