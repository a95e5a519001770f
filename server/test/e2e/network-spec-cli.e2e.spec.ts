import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server.js';

let server: TestServer;
let env: Record<string, string>;
let token: string;
let dir: string;
let demoYaml: string;

/** The applied demo spec with one piece replaced; fails loudly when the piece is not there. */
function edited(...pairs: [string, string][]): string {
  return pairs.reduce((yaml, [from, to]) => {
    if (!yaml.includes(from)) throw new Error(`the demo spec has no "${from}"`);
    return yaml.replace(from, to);
  }, demoYaml);
}

async function specFile(name: string, yaml: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, yaml);
  return file;
}

async function runningVersion(): Promise<number> {
  const r = await server.request('GET', '/api/v1/network/spec', { token });
  return ((await r.json()) as { version: number }).version;
}

beforeAll(async () => {
  ensureBuilt();
  server = await startTestServer({ OPEN5GS_MONITOR: 'off' });
  token = (
    await runCli(
      ['login', '--username', 'admin', '--password-stdin'],
      { PAKAWAAZ_URL: server.url },
      TEST_ADMIN_PASSWORD,
    )
  ).stdout.trim();
  env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: token };
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-spec-cli-'));
});
afterAll(() => server?.stop());

describe('safe network changes from the CLI', () => {
  it('network show --yaml prints the running spec as applied, to edit', async () => {
    const r = await runCli(['network', 'show', '--yaml'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("mnc: '01'");
    expect(r.stdout).toMatch(/^# Pakawaaz demo network/);
    demoYaml = r.stdout;
  });

  it('--dry-run lists every problem at once, format and logic, by file:line:column, and applies nothing', async () => {
    const file = await specFile(
      'broken.yaml',
      edited(["mnc: '01'", 'mnc: 1'], ['tacs: [1]', 'tacs: [1, 1]']),
    );
    const lineOf = (text: string) => demoYaml.split('\n').findIndex((l) => l.includes(text)) + 1;
    const r = await runCli(['network', 'apply', file, '--dry-run'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: ${file}:${lineOf("mnc: '01'")}:8: plmn.mnc: MNC must be 2 or 3 digits`,
    );
    expect(r.stderr).toContain("quote it: mnc: '01'");
    expect(r.stderr).toContain(`error: ${file}:${lineOf('tacs: [1]')}:11: tacs[1]: TAC 1 is listed twice`);
    expect(r.stderr).toContain('2 errors: nothing applied');
    expect(await runningVersion()).toBe(1);
  });

  it('--dry-run of a valid change prints the spec diff and each changed Open5GS file, and applies nothing', async () => {
    const file = await specFile('tac7.yaml', edited(['tacs: [1]', 'tacs: [1, 7]']));
    const r = await runCli(['network', 'apply', file, '--dry-run'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--- running spec (v1)\n+++ new spec\n');
    expect(r.stdout).toContain('\n+  - 7\n');
    expect(r.stdout).toContain('--- amf.yaml (running)\n+++ amf.yaml\n');
    expect(r.stdout).toContain('against running version 1; Open5GS files that change: amf.yaml, mme.yaml');
    expect(await runningVersion()).toBe(1);
  });

  it('asks for a confirmation: off a terminal it applies only with --yes', async () => {
    const file = await specFile('tac7.yaml', edited(['tacs: [1]', 'tacs: [1, 7]']));
    const unconfirmed = await runCli(['network', 'apply', file], env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('apply with --yes');
    expect(await runningVersion()).toBe(1);
    const r = await runCli(['network', 'apply', file, '--yes'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('applied network spec version 2');
    expect(await runningVersion()).toBe(2);
    const again = await runCli(['network', 'apply', '--spec', file, '--yes'], env);
    expect(again.stdout).toContain(`no change: ${file} is the running spec (version 2)`);
  });

  it('refuses an apply against a stale base: --base-version (exit 7) and the API (409)', async () => {
    const file = await specFile('tac8.yaml', edited(['tacs: [1]', 'tacs: [1, 8]']));
    const r = await runCli(['network', 'apply', file, '--yes', '--base-version', '1'], env);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('the running spec is version 2, not 1');
    const res = await server.request('POST', '/api/v1/network/spec', {
      token,
      body: { yaml: edited(['tacs: [1]', 'tacs: [1, 8]']), baseVersion: 1 },
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe('network_spec_changed');
    expect(await runningVersion()).toBe(2);
  });

  it('null ciphering first needs --allow-weak-security (the API: allowWeakSecurity)', async () => {
    const weak = edited(['ciphering: [NEA2, NEA1, NEA0]', 'ciphering: [NEA0, NEA2]']);
    const file = await specFile('weak.yaml', weak);
    const refused = await runCli(['network', 'apply', file, '--yes'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('weak security: ');
    expect(refused.stderr).toContain('security.nr.ciphering[0]: NEA0 (null ciphering) is preferred');
    expect(refused.stderr).toContain('--allow-weak-security');
    const api = await server.request('POST', '/api/v1/network/spec', {
      token,
      body: { yaml: weak, baseVersion: 2 },
    });
    expect(api.status).toBe(422);
    expect(((await api.json()) as { code: string }).code).toBe('weak_security_not_allowed');
    expect(await runningVersion()).toBe(2);
    const r = await runCli(['network', 'apply', file, '--yes', '--allow-weak-security'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('applied network spec version 3');
  });

  it('a viewer may not preview or apply', async () => {
    const viewer = (
      await runCli(['tokens', 'create', '--role', 'viewer', '--name', 'screen'], env)
    ).stdout.trim();
    const file = await specFile('tac9.yaml', edited(['tacs: [1]', 'tacs: [1, 9]']));
    const r = await runCli(['network', 'apply', file, '--dry-run'], { ...env, PAKAWAAZ_TOKEN: viewer });
    expect(r.code).toBe(4);
  });

  it('profiles save shows every problem and the diff first; --dry-run saves nothing', async () => {
    const profile = (sliceDefault: boolean, uplinkMbps: number) =>
      [
        'ambr: { downlink: { value: 1, unit: Gbps }, uplink: { value: ' + uplinkMbps + ', unit: Mbps } }',
        'slices:',
        '  - sst: 1',
        `    default: ${sliceDefault}`,
        '    sessions:',
        '      - dnn: internet',
        '        ambr: { downlink: { value: 1, unit: Gbps }, uplink: { value: 1, unit: Gbps } }',
        '',
      ].join('\n');
    // A format error (AMBR 0) and a rule error (no default slice) at once; nothing is saved.
    const broken = await specFile('broken-profile.yaml', profile(false, 0));
    const bad = await runCli(['profiles', 'save', 'field-staff', broken], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error: .*broken-profile\.yaml: ambr\.uplink\.value: /);
    expect(bad.stderr).toContain('slices: exactly one slice must be the default (0 are)');
    expect(bad.stderr).toContain('2 errors: nothing saved');

    const good = await specFile('field-staff.yaml', profile(true, 200));
    const dry = await runCli(['profiles', 'save', 'field-staff', good, '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe('new profile field-staff\n');
    const listed = async () =>
      ((await runCli(['profiles', 'list', '--json'], env)).stdout.match(/"field-staff"/g) ?? []).length;
    expect(await listed()).toBe(0);

    const saved = await runCli(
      ['profiles', 'save', 'field-staff', good, '--description', 'Field staff'],
      env,
    );
    expect(saved.stdout).toBe('new profile field-staff\nsaved profile field-staff\n');
    expect(await listed()).toBe(1);
    // The same file again: no change; a faster uplink shows as a diff.
    expect((await runCli(['profiles', 'save', 'field-staff', good, '--dry-run'], env)).stdout).toBe(
      'no change to profile field-staff\n',
    );
    const faster = await specFile('field-staff-2.yaml', profile(true, 500));
    const diff = (await runCli(['profiles', 'save', 'field-staff', faster, '--dry-run'], env)).stdout;
    expect(diff).toMatch(/^-\s+value: 200$/m);
    expect(diff).toMatch(/^\+\s+value: 500$/m);
  });
});
