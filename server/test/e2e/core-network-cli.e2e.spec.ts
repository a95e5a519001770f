import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSim, simCsv } from '@pakawaaz/test-support';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server.js';

let server: TestServer;
let env: Record<string, string>;
let dir: string;
const sims = Array.from({ length: 1_200 }, (_, i) => fakeSim(i + 1));

beforeAll(async () => {
  ensureBuilt();
  server = await startTestServer({ OPEN5GS_MONITOR: 'off' });
  const token = (
    await runCli(
      ['login', '--username', 'admin', '--password-stdin'],
      { PAKAWAAZ_URL: server.url },
      TEST_ADMIN_PASSWORD,
    )
  ).stdout.trim();
  env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: token };
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-cn-cli-'));
});
afterAll(() => server?.stop());

describe('core network from the CLI', () => {
  it('shows the demo network applied on first start', async () => {
    const r = await runCli(['network', 'show'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PLMN\s+001\/01/);
  });

  it('imports a vendor batch with progress, reports bad rows by line and exits 1; a re-import is all duplicates', async () => {
    const file = path.join(dir, 'batch.csv');
    await writeFile(file, simCsv(sims, ['001010000099999,8992001000000000001,zz,00']));
    const r = await runCli(['sims', 'import', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('100% 1201/1201 rows');
    expect(r.stdout).toContain(
      'imported 1200, duplicates 0 (already present, unchanged), conflicts 0, invalid 1, of 1201 rows',
    );
    expect(r.stdout).toContain('line 1202 (001010000099999): ICCID check digit (Luhn) is wrong');
    for (const s of sims.slice(0, 50)) expect(r.stdout + r.stderr).not.toContain(s.k);
    const again = await runCli(['sims', 'import', file, '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({
      status: 'completed',
      imported: 0,
      duplicates: 1200,
      invalid: 1,
    });
    const listed = await runCli(['sims', 'list', '--search', sims[0]!.imsi, '--json'], env);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      sims: [{ imsi: sims[0]!.imsi, iccid: sims[0]!.iccid, status: 'available' }],
    });
    expect(listed.stdout).not.toContain(sims[0]!.k);
  });

  it('assigns, bars and unbars a subscriber, and exports Open5GS documents only to a security officer, 0600', async () => {
    const imsi = sims[3]!.imsi;
    // The SIM goes to an official who exists and is active.
    expect((await runCli(['institutions', 'add', '--name', 'Cabinet Division'], env)).code).toBe(0);
    const official = ['--username', 'joint.secretary', '--name', 'Joint Secretary'];
    const added = ['users', 'add', ...official, '--institution', 'Cabinet Division', '--password-stdin'];
    expect((await runCli(added, env, 'amber-orchard-violin-7')).code).toBe(0);
    expect(
      (await runCli(['subscribers', 'assign', '--imsi', imsi, '--user', 'joint.secretary'], env)).code,
    ).toBe(0);
    const barred = await runCli(['subscribers', 'bar', '--imsi', imsi, '--reason', 'handset stolen'], env);
    expect(barred.stdout).toMatch(new RegExp(`${imsi}.*barred.*handset stolen`));
    expect(
      (await runCli(['subscribers', 'unbar', '--imsi', imsi, '--reason', 'recovered'], env)).stdout,
    ).toMatch(/active/);

    const viewer = (
      await runCli(['tokens', 'create', '--role', 'viewer', '--name', 'noc-screen'], env)
    ).stdout.trim();
    const denied = await runCli(['subscribers', 'export', '--out', path.join(dir, 'x.json')], {
      ...env,
      PAKAWAAZ_TOKEN: viewer,
    });
    expect(denied.code).toBe(4);

    const out = path.join(dir, 'subscribers.json');
    const exported = await runCli(['subscribers', 'export', '--out', out], env);
    expect(exported.stdout).toContain(`wrote 1 subscribers to ${out}`);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const doc = JSON.parse((await readFile(out, 'utf8')).trim()) as { imsi: string; security: { k: string } };
    expect(doc.imsi).toBe(imsi);
    expect(doc.security.k.toLowerCase()).toBe(sims[3]!.k);
    expect((await runCli(['subscribers', 'export', '--out', out], env)).code).toBe(2);
  });

  it('renders the Open5GS configs from the applied spec and detects drift with --check', async () => {
    const out = path.join(dir, 'open5gs');
    expect((await runCli(['open5gs', 'render', '--out', out], env)).code).toBe(0);
    const files = (await readdir(out)).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toEqual([
      'amf.yaml',
      'ausf.yaml',
      'bsf.yaml',
      'hss.yaml',
      'mme.yaml',
      'nrf.yaml',
      'nssf.yaml',
      'pcf.yaml',
      'pcrf.yaml',
      'scp.yaml',
      'sgwc.yaml',
      'sgwu.yaml',
      'smf.yaml',
      'udm.yaml',
      'udr.yaml',
      'upf.yaml',
    ]);
    expect(await readFile(path.join(out, 'amf.yaml'), 'utf8')).toMatch(/max:\n\s+ue: 12288/);
    expect((await runCli(['open5gs', 'render', '--out', out, '--check'], env)).code).toBe(0);
    await writeFile(
      path.join(out, 'smf.yaml'),
      `${await readFile(path.join(out, 'smf.yaml'), 'utf8')}\n# edited by hand\n`,
    );
    const drift = await runCli(['open5gs', 'render', '--out', out, '--check'], env);
    expect(drift.code).toBe(1);
    expect(drift.stdout + drift.stderr).toContain('smf.yaml');
  });

  it('computes Milenage locally (3GPP TS 35.208 Test Set 1)', async () => {
    const r = await runCli(
      [
        'milenage',
        '--k',
        '465b5ce8b199b49faa5f0a2ee238a6bc',
        '--opc',
        'cd63cb71954a9f4e48a5994e37a02baf',
        '--rand',
        '23553cbe9637a89d218ae64dae47bf35',
        '--sqn',
        'ff9bb4d0b607',
        '--amf',
        'b9b9',
      ],
      {},
    );
    expect(JSON.parse(r.stdout)).toEqual({
      mac_a: '4a9ffac354dfafb3',
      mac_s: '01cfaf9ec4e871e9',
      res: 'a54211d5e3ba50bf',
      ck: 'b40ba9a3c58b2a05bbf0d987b21bf8cb',
      ik: 'f769bcd751044604127672711c6d3441',
      ak: 'aa689c648370',
      ak_star: '451e8beca43b',
    });
  });
});
