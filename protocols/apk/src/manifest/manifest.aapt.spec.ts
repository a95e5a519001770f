import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bufferSource, fileSource } from '../byte-source.js';
import { buildZip } from '../zip/zip-test-support.js';
import { openZip } from '../zip/zip-archive.js';
import { readApkInfo } from './apk-info.js';
import { writeArsc, writeAxml, type XAttr, type XElement, type XResource } from './axml-test-support.js';

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
const AAPT_AVAILABLE = aaptAvailable();
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

describe.runIf(AAPT_AVAILABLE)('readApkInfo agrees with aapt dump badging', () => {
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

/*
 * Synthetic APKs (binary XML and resources.arsc written in the test) cover what the corpus lacks: permissions
 * of both kinds, references into resources.arsc (versionName @string, debuggable @bool, with a decoy value in
 * another configuration), UTF-16 string pools, native code for two ABIs. aapt reads the same bytes; its
 * `dump badging` is the expectation, and its `dump xmltree` confirms usesCleartextTraffic's attribute id.
 */
const T_REF = 0x01;
const T_STRING = 0x03;
const T_INT = 0x10;
const T_BOOL = 0x12;
const str = (name: string, value: string, id?: number): XAttr => ({
  android: id !== undefined,
  name,
  ...(id !== undefined ? { id } : {}),
  dataType: T_STRING,
  string: value,
});
const int = (name: string, id: number, data: number, dataType = T_INT): XAttr => ({
  android: true,
  name,
  id,
  dataType,
  data,
});
const el = (name: string, attributes: XAttr[], children: XElement[] = []): XElement => ({
  name,
  attributes,
  children,
});
const permission = (tag: string, name: string) => el(tag, [str('name', name, 0x01010003)]);

function syntheticManifest(debuggable: XAttr | null): XElement {
  return el(
    'manifest',
    [
      int('versionCode', 0x0101021b, 42),
      int('versionName', 0x0101021c, 0x7f010000, T_REF),
      str('package', 'org.pakawaaz.synthetic'),
    ],
    [
      el('uses-sdk', [int('minSdkVersion', 0x0101020c, 21), int('targetSdkVersion', 0x01010270, 33)]),
      permission('uses-permission', 'android.permission.INTERNET'),
      permission('uses-permission', 'android.permission.CAMERA'),
      permission('uses-permission-sdk-23', 'android.permission.READ_CONTACTS'),
      el(
        'application',
        [...(debuggable ? [debuggable] : []), int('usesCleartextTraffic', 0x010104ec, 0x7f020001, T_REF)],
        [permission('uses-permission', 'org.pakawaaz.NOT_AT_TOP_LEVEL')],
      ),
    ],
  );
}

const RESOURCES: XResource[] = [
  { type: 'string', name: 'version_name', dataType: T_STRING, string: '4.2-synthetic' },
  { type: 'bool', name: 'debug', dataType: T_BOOL, data: 0xffffffff },
  { type: 'bool', name: 'cleartext', dataType: T_BOOL, data: 0 },
];
const DECOYS = new Map<string, XResource>([
  ['version_name', { type: 'string', name: 'version_name', dataType: T_STRING, string: 'décoy' }],
  ['cleartext', { type: 'bool', name: 'cleartext', dataType: T_BOOL, data: 1 }],
]);

const VARIANTS = [
  {
    label: 'UTF-8 pool, debuggable @bool/debug',
    utf8: true,
    debuggable: int('debuggable', 0x0101000f, 0x7f020000, T_REF),
  },
  {
    label: 'UTF-16 pool, debuggable literal false',
    utf8: false,
    debuggable: int('debuggable', 0x0101000f, 0, T_BOOL),
  },
  { label: 'UTF-16 pool, debuggable absent', utf8: false, debuggable: null },
  {
    label: 'UTF-8 pool, debuggable literal true',
    utf8: true,
    debuggable: int('debuggable', 0x0101000f, 1, T_BOOL),
  },
];

describe.runIf(AAPT_AVAILABLE)('readApkInfo agrees with aapt on synthetic manifests', () => {
  it.each(VARIANTS)('$label', async ({ utf8, debuggable }) => {
    const apk = buildZip([
      { name: 'AndroidManifest.xml', data: writeAxml(syntheticManifest(debuggable), { utf8 }) },
      { name: 'resources.arsc', data: writeArsc(RESOURCES, DECOYS), method: 0 },
      { name: 'lib/x86_64/libfoo.so', data: Buffer.from('ELF') },
      { name: 'lib/arm64-v8a/libbar.so', data: Buffer.from('ELF') },
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'pakawaaz-axml-'));
    try {
      const path = join(dir, 'synthetic.apk');
      await writeFile(path, apk);
      const badging = await aapt(['dump', 'badging', path]);
      expect(badging.ok).toBe(true);
      const expected = parseBadging(badging.stdout);
      const info = await readApkInfo(await openZip(bufferSource(apk)));
      // aapt does not report usesCleartextTraffic. @bool/cleartext has an `fr` variant a device may pick over
      // the default, so the store assumes the worst: true.
      expect(info).toEqual({
        ...expected,
        usesCleartextTraffic: true,
        cleartextTraffic: { permitted: true, domains: [], decidedBy: 'manifest' },
      });
      // The corpus never declares these: make sure the comparison is not vacuous.
      expect(expected.permissions).toEqual([
        'android.permission.CAMERA',
        'android.permission.INTERNET',
        'android.permission.READ_CONTACTS',
      ]);
      expect(expected.versionName).toBe('4.2-synthetic');
      expect(expected.nativeAbis).toEqual(['arm64-v8a', 'x86_64']);
      const tree = await aapt(['dump', 'xmltree', path, 'AndroidManifest.xml']);
      expect(tree.stdout).toContain('android:usesCleartextTraffic(0x010104ec)=@0x7f020001');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/*
 * A network security config (res/xml, named by <application android:networkSecurityConfig>): aapt's `dump
 * xmltree` of the same bytes confirms the attribute id and that the <domain> texts are what we read; what the
 * config means is AOSP's XmlConfigSource (network-security-config.spec.ts).
 */
const NSC_ATTR = 0x01010527;
const nscManifest = (usesCleartext: number): XElement =>
  el(
    'manifest',
    [int('versionCode', 0x0101021b, 7), str('package', 'org.pakawaaz.nsc')],
    [
      el('uses-sdk', [int('minSdkVersion', 0x0101020c, 28), int('targetSdkVersion', 0x01010270, 35)]),
      el('application', [
        int('usesCleartextTraffic', 0x010104ec, usesCleartext, T_BOOL),
        int('networkSecurityConfig', NSC_ATTR, 0x7f030000, T_REF),
      ]),
    ],
  );
const plain = (name: string, dataType: number, data: number): XAttr => ({
  android: false,
  name,
  dataType,
  data,
});
const domain = (host: string, subdomains = false): XElement => ({
  name: 'domain',
  attributes: subdomains ? [plain('includeSubdomains', T_BOOL, 1)] : [],
  children: [],
  text: host,
});
const NSC: XElement = el(
  'network-security-config',
  [],
  [
    el('base-config', [plain('cleartextTrafficPermitted', T_BOOL, 0)]),
    el(
      'domain-config',
      [plain('cleartextTrafficPermitted', T_BOOL, 1)],
      [domain('legacy.gov.example', true), el('domain-config', [], [domain('intranet.gov.example')])],
    ),
    el('domain-config', [], [domain('api.gov.example')]),
  ],
);

describe.runIf(AAPT_AVAILABLE)('a network security config, read as aapt reads it', () => {
  it('usesCleartextTraffic is ignored; the config lets cleartext through to two hosts', async () => {
    const apk = buildZip([
      // usesCleartextTraffic="false" in the manifest: the platform ignores it once a config is named.
      { name: 'AndroidManifest.xml', data: writeAxml(nscManifest(0)) },
      {
        name: 'resources.arsc',
        data: writeArsc([{ type: 'xml', name: 'nsc', dataType: T_STRING, string: 'res/xml/nsc.xml' }]),
        method: 0,
      },
      { name: 'res/xml/nsc.xml', data: writeAxml(NSC) },
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'pakawaaz-nsc-'));
    try {
      const path = join(dir, 'nsc.apk');
      await writeFile(path, apk);
      const manifest = await aapt(['dump', 'xmltree', path, 'AndroidManifest.xml']);
      expect(manifest.stdout).toContain('android:networkSecurityConfig(0x01010527)=@0x7f030000');
      const config = await aapt(['dump', 'xmltree', path, 'res/xml/nsc.xml']);
      expect(config.ok).toBe(true);
      for (const host of ['legacy.gov.example', 'intranet.gov.example', 'api.gov.example'])
        expect(config.stdout).toContain(`"${host}"`);
      const info = await readApkInfo(await openZip(bufferSource(apk)));
      expect(info.usesCleartextTraffic).toBe(false);
      expect(info.cleartextTraffic).toEqual({
        permitted: false,
        domains: ['*.legacy.gov.example', 'intranet.gov.example'],
        decidedBy: 'network-security-config',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
