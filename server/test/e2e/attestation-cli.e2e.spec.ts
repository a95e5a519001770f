import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, runCli } from '../support/cli.js';

/*
 * `pakawaaz attestation inspect` on real device chains (device-mgmt/test/fixtures/android-attestation; the
 * expected facts there were read with OpenSSL), offline: no server runs, PAKAWAAZ_URL points nowhere.
 */
const FIXTURES = fileURLToPath(
  new URL('../../../device-mgmt/test/fixtures/android-attestation/', import.meta.url),
);
const fixture = (name: string) => path.join(FIXTURES, name);
const ENV = { PAKAWAAZ_URL: 'http://127.0.0.1:59999' };
type Verdict = { ok: boolean; reasons: string[]; notChecked: string[] };
const verdictOf = (stdout: string) => (JSON.parse(stdout) as { verdict: Verdict }).verdict;
const RECORDER = fileURLToPath(new URL('../support/record-modules.mjs', import.meta.url));

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'pakawaaz-attestation-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pakawaaz attestation inspect', () => {
  it('prints what a chain attests (exit 0)', async () => {
    const r = await runCli(['attestation', 'inspect', fixture('rsa-tee.chain.pem')], ENV);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      attestationVersion: 3,
      attestationSecurityLevel: 'TrustedEnvironment',
      keymasterSecurityLevel: 'TrustedEnvironment',
      attestationChallenge: '616263',
      rootOfTrust: { verifiedBootKey: '00'.repeat(32), deviceLocked: false, verifiedBootState: 'Unverified' },
      osVersion: 0,
      osPatchLevel: 201907,
      vendorPatchLevel: 201907,
      bootPatchLevel: 201907,
    });
    expect(out).not.toHaveProperty('verdict');
  });

  it('--verify refuses a development device with its reasons (exit 2)', async () => {
    const r = await runCli(
      [
        'attestation',
        'inspect',
        fixture('ec-tee.chain.pem'),
        '--verify',
        '--challenge',
        '616263',
        '--at',
        '2026-12-01T00:00:00Z',
      ],
      ENV,
    );
    expect(r.code).toBe(2);
    expect(verdictOf(r.stdout)).toMatchObject({
      ok: false,
      reasons: ['DEVICE_UNLOCKED', 'BOOT_STATE'],
    });
  });

  it('--roots, --status and --min-patch-level add their checks', async () => {
    const chain = readFileSync(fixture('rsa-strongbox.chain.pem'), 'utf8');
    const root = chain.match(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g)![3]!;
    writeFileSync(path.join(dir, 'roots.pem'), root);
    // 15846082081535197877: certificate 2's serial as `openssl x509 -serial` prints it (hex).
    writeFileSync(
      path.join(dir, 'status.json'),
      JSON.stringify({
        entries: { '15846082081535197877': { status: 'REVOKED', reason: 'KEY_COMPROMISE' } },
      }),
    );
    const args = [
      'attestation',
      'inspect',
      fixture('rsa-strongbox.chain.pem'),
      '--verify',
      '--at',
      '2026-01-01',
    ];
    const untrusted = await runCli(args, ENV);
    expect(verdictOf(untrusted.stdout).reasons).toEqual(['ROOT_UNTRUSTED', 'DEVICE_UNLOCKED', 'BOOT_STATE']);
    const r = await runCli(
      [
        ...args,
        '--roots',
        path.join(dir, 'roots.pem'),
        '--status',
        path.join(dir, 'status.json'),
        '--min-patch-level',
        '2019-08',
      ],
      ENV,
    );
    expect(r.code).toBe(2);
    const verdict = verdictOf(r.stdout);
    expect(verdict.reasons).toEqual(['CERT_REVOKED', 'DEVICE_UNLOCKED', 'BOOT_STATE', 'PATCH_LEVEL']);
    expect(verdict.notChecked).toEqual(['CHALLENGE', 'APPLICATION_ID']);
  });

  it('an unreadable chain or a bad flag is exit 1 with what to fix', async () => {
    writeFileSync(path.join(dir, 'junk.pem'), 'not a certificate');
    const junk = await runCli(['attestation', 'inspect', path.join(dir, 'junk.pem')], ENV);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toContain('NOT_PEM');
    const at = await runCli(
      ['attestation', 'inspect', fixture('ec-tee.chain.pem'), '--verify', '--at', 'yesterday'],
      ENV,
    );
    expect(at.code).toBe(1);
    expect(at.stderr).toContain('--at yesterday');
    const missing = await runCli(['attestation', 'inspect', path.join(dir, 'nope.pem')], ENV);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
  });

  it('loads the verifier face only: no Nest, no domain module', () => {
    const log = path.join(dir, 'modules.log');
    const r = spawnSync(
      process.execPath,
      ['--import', RECORDER, CLI, 'attestation', 'inspect', fixture('ec-tee.chain.pem')],
      {
        env: { PATH: process.env.PATH, PAKAWAAZ_MODULE_LOG: log, ...ENV },
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(0);
    const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(urls.some((u) => u.includes('/device-mgmt/dist/attestation/'))).toBe(true);
    expect(
      urls.filter((u) =>
        /\/node_modules\/@nestjs\/|\/device-mgmt\/dist\/index\.js$|\/platform\/dist\//.test(u),
      ),
    ).toEqual([]);
  });
});
