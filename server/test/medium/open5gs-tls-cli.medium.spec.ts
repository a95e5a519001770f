import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { apiClient, CliError } from '../../src/cli/api-client.js';
import type { CliContext } from '../../src/cli/context.js';
import { registerNetworkCommands } from '../../src/cli/commands/network.js';

/*
 * `pakawaaz open5gs certs` and `open5gs render` offline (--spec), in process: the certificates of the network
 * CA land where the rendered YAML and freeDiameter files say they are, and no private key reaches the terminal.
 */

const SPEC = `
networkName: { full: Test }
plmn: { mcc: '001', mnc: '01' }
tacs: [1]
slices: [{ sst: 1 }]
dnns:
  - { name: internet, ipv4: { subnet: 10.45.0.0/16 }, dns: [8.8.8.8], slices: [{ sst: 1 }] }
diameter: { tls: true, sctp: false }
sbi: { tls: true }
`;

async function cli(env: Record<string, string>, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { env, stdout: (s: string) => void (stdout += s), stderr: (s: string) => void (stderr += s) };
  const ctx: CliContext = {
    io,
    api: () => apiClient(io.env),
    print: (value, json, human) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : human()),
  };
  const program = new Command('pakawaaz').exitOverride();
  registerNetworkCommands(program, ctx);
  let code = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    code = err.exitCode;
    stderr += err.message;
  }
  return { code, stdout, stderr };
}

// The first call imports @pakawaaz/core-network and the server's domains (seconds on a shared machine).
describe('pakawaaz open5gs certs / render with TLS', { timeout: 300_000 }, () => {
  it('issues the certificates the rendered files name; keys 0600 and never printed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pkz-o5gs-tls-'));
    const env = { PAKAWAAZ_DATA_DIR: path.join(dir, 'data') };
    const spec = path.join(dir, 'network.yaml');
    await writeFile(spec, SPEC);
    const tls = path.join(dir, 'tls');

    const certs = await cli(env, 'open5gs', 'certs', '--spec', spec, '--out', tls, '--days', '90');
    expect(certs.code).toBe(0);
    expect(certs.stdout).toMatch(
      /^network CA CN=Pakawaaz Network CA [0-9a-f]{8}, O=Pakawaaz \(key .*network-ca\.jwk\)/,
    );
    expect(certs.stdout).toContain('the private keys (13, mode 0600)');
    expect(certs.stdout).toContain('created that key now: back it up');
    expect(certs.stdout + certs.stderr).not.toContain('PRIVATE KEY');
    expect((await stat(path.join(env.PAKAWAAZ_DATA_DIR, 'keys', 'network-ca.jwk'))).mode & 0o777).toBe(0o600);
    for (const f of await readdir(tls))
      expect((await stat(path.join(tls, f))).mode & 0o777, f).toBe(f.endsWith('.key') ? 0o600 : 0o644);

    // Renewal tracking of that folder: 90-day certificates are fine for 30 days, not for 100 (exit 2).
    const fine = await cli(env, 'open5gs', 'tls-check', tls, '--json');
    expect(fine.code, fine.stderr).toBe(0);
    const report = JSON.parse(fine.stdout) as {
      ok: boolean;
      certificates: { status: string; daysLeft: number }[];
    };
    expect(report.ok).toBe(true);
    expect(report.certificates).toHaveLength(13);
    expect(report.certificates.every((c) => c.status === 'ok' && c.daysLeft === 89)).toBe(true);
    const soon = await cli(env, 'open5gs', 'tls-check', tls, '--within', '100');
    expect(soon.code).toBe(2);
    expect(soon.stdout).toMatch(
      /^nrf\.crt\s+expiring\s+89 day\(s\) left {2}expires in 89 day\(s\): re-issue/m,
    );
    expect(soon.stdout + soon.stderr).not.toContain('PRIVATE KEY');

    // Again: the same CA (the key is read, not created), fresh NF keys.
    const again = await cli(env, 'open5gs', 'certs', '--spec', spec, '--out', path.join(dir, 'tls2'));
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('created that key');
    expect(await readFile(path.join(dir, 'tls2', 'ca.crt'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);

    const out = path.join(dir, 'open5gs');
    const fd = path.join(dir, 'freeDiameter');
    const args = ['--spec', spec, '--out', out, '--freediameter-dir', fd, '--tls-dir', tls];
    const render = await cli(env, 'open5gs', 'render', ...args, '--freediameter-extensions', '/opt/fd');
    expect(render.code).toBe(0);
    expect(render.stdout).toContain(`wrote mme.conf, hss.conf, smf.conf, pcrf.conf (4 of 4 files) in ${fd}`);
    const mme = await readFile(path.join(fd, 'mme.conf'), 'utf8');
    expect(mme).toContain(`TLS_Cred = "${tls}/mme.crt", "${tls}/mme.key";`);
    expect(mme).toContain('No_SCTP;');
    expect(mme).toContain('LoadExtension = "/opt/fd/dict_dcca_3gpp.fdx";');
    expect(await readFile(path.join(out, 'mme.yaml'), 'utf8')).toContain(`freeDiameter: ${fd}/mme.conf`);

    // Every certificate file a rendered file names exists, and OpenSSL accepts each key with its certificate.
    const rendered = [
      ...(await Promise.all((await readdir(out)).map((f) => readFile(path.join(out, f), 'utf8')))),
      ...(await Promise.all((await readdir(fd)).map((f) => readFile(path.join(fd, f), 'utf8')))),
    ].join('\n');
    const named = new Set(
      [...rendered.matchAll(new RegExp(`${tls}/([a-z]+\\.(?:crt|key))`, 'g'))].map((m) => m[1]!),
    );
    expect(named.size).toBe(27);
    const issued = new Set(await readdir(tls));
    expect([...named].filter((f) => !issued.has(f))).toEqual([]);
    const pub = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });
    expect(pub(['pkey', '-in', path.join(tls, 'amf.key'), '-pubout'])).toBe(
      pub(['x509', '-in', path.join(tls, 'amf.crt'), '-noout', '-pubkey']),
    );

    expect(
      (await cli(env, 'open5gs', 'render', ...args, '--freediameter-extensions', '/opt/fd', '--check')).code,
    ).toBe(0);
    expect((await cli(env, 'open5gs', 'render', ...args, '--check')).code).toBe(1);
  });

  it('refuses a validity out of range', async () => {
    const r = await cli({}, 'open5gs', 'certs', '--out', '/nonexistent', '--days', '3651');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--days must be 1-3650');
  });
});
