import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';

/*
 * `pakawaaz apk inspect` offline (no server runs, PAKAWAAZ_URL points nowhere) on AOSP's apksig corpus
 * (protocols/apk/test/fixtures): the verdicts and signer digests are apksigner's, recorded in
 * apksigner-verdicts.tsv, and `aapt dump badging` reads the package and version cross-checked below.
 */
const FIXTURES = fileURLToPath(new URL('../../../protocols/apk/test/fixtures/', import.meta.url));
const fixture = (name: string) => path.join(FIXTURES, name);
const ENV = { PAKAWAAZ_URL: 'http://127.0.0.1:59999' };
const verdict = (file: string) =>
  readFileSync(fixture('apksigner-verdicts.tsv'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${file}\t`))!
    .split('\t');

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'pakawaaz-apk-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pakawaaz apk inspect', () => {
  it('prints a v2/v3-signed APK with its signers and exits 0', async () => {
    const file = 'golden-aligned-v1v2v3-out.apk';
    const r = await runCli(['apk', 'inspect', fixture(file)], ENV);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    const [, , v1, v2, v3, signers] = verdict(file);
    expect(out).toMatchObject({
      verified: true,
      errors: [],
      schemes: { v1: v1 === 'true', v2: v2 === 'true', v3: v3 === 'true' },
      signers: signers!.split(','),
    });
    const badging = spawnSync('aapt', ['dump', 'badging', fixture(file)], { encoding: 'utf8' });
    if (badging.status === 0) {
      const m = /package: name='([^']+)' versionCode='(\d+)'/.exec(badging.stdout)!;
      expect(out).toMatchObject({ package: m[1], versionCode: Number(m[2]) });
    } else if (process.env.PAKAWAAZ_REQUIRE_SERVICES) throw new Error('aapt is not installed');
  });

  it('refuses a v1-only APK (our policy: v2 or v3) and exits 2', async () => {
    const file = 'v1-only-no-uses-sdk.apk';
    // apksigner verifies it with v1 alone (its recorded verdict says so).
    expect(verdict(file).slice(1, 5)).toEqual(['true', 'true', 'false', 'false']);
    const r = await runCli(['apk', 'inspect', fixture(file), '--min-sdk', '28'], ENV);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      verified: false,
      schemes: { v1: true, v2: false, v3: false },
      errors: ['apk_not_signed_v2_v3'],
    });
  });

  it('refuses an APK with one flipped byte in its signed contents, with the reason (exit 2)', async () => {
    const copy = path.join(dir, 'tampered.apk');
    copyFileSync(fixture('golden-aligned-v1v2v3-out.apk'), copy);
    const bytes = readFileSync(copy);
    bytes[100] = bytes[100]! ^ 0x01; // inside the first entry's data, covered by the v2/v3 content digest
    writeFileSync(copy, bytes);
    const r = await runCli(['apk', 'inspect', copy], ENV);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { verified: boolean; errors: string[] };
    expect(out.verified).toBe(false);
    expect(out.errors.length).toBeGreaterThan(0);
  });

  it('exits 1 on a file it cannot read, and 2 on a bad --min-sdk', async () => {
    const missing = await runCli(['apk', 'inspect', path.join(dir, 'no-such.apk')], ENV);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
    const bad = await runCli(['apk', 'inspect', fixture('golden-aligned-out.apk'), '--min-sdk', 'x'], ENV);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--min-sdk');
  });
});
