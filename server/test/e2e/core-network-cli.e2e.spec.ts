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
    const denied = await runCli(['subscribers', 'export', '--out', path.join(dir, 'x')], {
      ...env,
      PAKAWAAZ_TOKEN: viewer,
    });
    expect(denied.code).toBe(4);

    const out = path.join(dir, 'export-1');
    const exported = await runCli(['subscribers', 'export', '--out', out], env);
    expect(exported.stdout).toContain(`wrote 1 subscribers to ${path.join(out, 'subscribers.json')}`);
    const file = path.join(out, 'subscribers.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(out, 'deletions.json'))).mode & 0o777).toBe(0o600);
    const doc = JSON.parse((await readFile(file, 'utf8')).trim()) as {
      imsi: string;
      security: { k: string };
    };
    expect(doc.imsi).toBe(imsi);
    expect(doc.security.k.toLowerCase()).toBe(sims[3]!.k);
    // Never overwritten; the old single-file form says what to do instead of dropping the deletions.
    expect((await runCli(['subscribers', 'export', '--out', out], env)).code).toBe(2);
    const single = await runCli(['subscribers', 'export', '--out', path.join(dir, 'subscribers.json')], env);
    expect(single.code).toBe(2);
    expect(single.stderr).toContain('--out is a directory now');
  });

  it('export-only: a barred or unassigned SIM is pending until the next export, which deletes it from Open5GS', async () => {
    const [kept, barred, unassigned] = [sims[10]!.imsi, sims[11]!.imsi, sims[12]!.imsi];
    for (const imsi of [kept, barred, unassigned])
      expect(
        (await runCli(['subscribers', 'assign', '--imsi', imsi, '--user', 'joint.secretary'], env)).code,
      ).toBe(0);
    const before = path.join(dir, 'export-2');
    expect((await runCli(['subscribers', 'export', '--out', before], env)).code).toBe(0);
    const documents = (await readFile(path.join(before, 'subscribers.json'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { imsi: string }).imsi);
    expect(documents).toEqual(expect.arrayContaining([kept, barred, unassigned]));
    expect(await readFile(path.join(before, 'deletions.json'), 'utf8')).toBe('');
    expect((await runCli(['subscribers', 'list', '--search', barred], env)).stdout).toContain('exported');

    expect(
      (await runCli(['subscribers', 'bar', '--imsi', barred, '--reason', 'handset lost'], env)).code,
    ).toBe(0);
    expect((await runCli(['subscribers', 'unassign', '--imsi', unassigned], env)).code).toBe(0);
    const listed = JSON.parse(
      (await runCli(['subscribers', 'list', '--search', barred, '--json'], env)).stdout,
    ) as { subscribers: { open5gs: { state: string; exportPending: boolean } }[] };
    expect(listed.subscribers[0]?.open5gs).toMatchObject({ state: 'export-only', exportPending: true });
    const status = await runCli(['subscribers', 'export-status'], env);
    expect(status.stdout).toMatch(/last export \S+ by admin: \d+ subscribers, 0 deletions/);
    expect(status.stdout).toContain('waiting for the next export: 0 changed, 2 to remove from Open5GS');

    const after = path.join(dir, 'export-3');
    const r = await runCli(['subscribers', 'export', '--out', after], env);
    expect(r.stdout).toContain(`and 2 deletions to ${path.join(after, 'deletions.json')}`);
    const deletions = (await readFile(path.join(after, 'deletions.json'), 'utf8')).trimEnd().split('\n');
    expect(deletions.map((l) => JSON.parse(l) as unknown)).toEqual(
      [barred, unassigned].sort().map((imsi) => ({ imsi })),
    );
    const upserts = await readFile(path.join(after, 'subscribers.json'), 'utf8');
    expect(upserts).toContain(`"imsi":"${kept}"`);
    expect(upserts).not.toContain(`"imsi":"${barred}"`);
    expect(upserts).not.toContain(`"imsi":"${unassigned}"`);

    // The script, checked against mongoimport's own options (mongo-tools mongoimport/options.go): --mode delete
    // matches on --upsertFields (default _id, absent from our lines); both runs target open5gs.subscribers.
    const script = await readFile(path.join(after, 'apply.sh'), 'utf8');
    expect((await stat(path.join(after, 'apply.sh'))).mode & 0o777).toBe(0o700);
    const runs = script.split('\n').filter((l) => !l.startsWith('#') && l.includes('mongoimport'));
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatch(
      /--db open5gs --collection subscribers --mode upsert --upsertFields imsi --file subscribers\.json "\$@"/,
    );
    expect(runs[1]).toMatch(
      /--db open5gs --collection subscribers --mode delete --upsertFields imsi --file deletions\.json "\$@"/,
    );
    expect(script).toContain('set -eu');
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(r.stdout).toContain(`${path.join(after, 'apply.sh')} [--uri mongodb://HOST:27017]`);

    // The export took effect as far as Pakawaaz can tell: nothing waits any more.
    expect((await runCli(['subscribers', 'export-status'], env)).stdout).toContain(
      'waiting for the next export: 0 changed, 0 to remove from Open5GS',
    );
    expect((await runCli(['subscribers', 'list', '--search', barred], env)).stdout).toContain('exported');
    // Loading only the latest export is enough: the next one still deletes both.
    const again = path.join(dir, 'export-4');
    expect((await runCli(['subscribers', 'export', '--out', again], env)).code).toBe(0);
    expect((await readFile(path.join(again, 'deletions.json'), 'utf8')).trimEnd().split('\n')).toHaveLength(
      2,
    );
  });

  it('renders the Open5GS configs from the applied spec and detects drift with --check', async () => {
    const out = path.join(dir, 'open5gs');
    const fd = ['--freediameter-dir', path.join(dir, 'freeDiameter')];
    expect((await runCli(['open5gs', 'render', '--out', out, ...fd], env)).code).toBe(0);
    expect((await readdir(path.join(dir, 'freeDiameter'))).sort()).toEqual([
      'hss.conf',
      'mme.conf',
      'pcrf.conf',
      'smf.conf',
    ]);
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
    expect((await runCli(['open5gs', 'render', '--out', out, ...fd, '--check'], env)).code).toBe(0);
    await writeFile(
      path.join(out, 'smf.yaml'),
      `${await readFile(path.join(out, 'smf.yaml'), 'utf8')}\n# edited by hand\n`,
    );
    const drift = await runCli(['open5gs', 'render', '--out', out, ...fd, '--check'], env);
    expect(drift.code).toBe(1);
    expect(drift.stdout + drift.stderr).toContain('smf.yaml');
  });

  it('renders a two-host spec offline: the UPF host files with --upf-host-out, and --check over both folders', async () => {
    const spec = new URL('../../../core-network/src/network-spec/two-host-network.yaml', import.meta.url);
    const [out, hosts] = [path.join(dir, 'two-host'), path.join(dir, 'upf-host')];
    const args = ['open5gs', 'render', '--spec', spec.pathname, '--out', out, '--upf-host-out', hosts];
    expect((await runCli(args, env)).code).toBe(0);
    expect((await readdir(path.join(hosts, 'upf'))).sort()).toEqual([
      '30-pakawaaz-upf.conf',
      '50-pakawaaz-ogsgov.netdev',
      '50-pakawaaz-ogsgov.network',
      '50-pakawaaz-ogstun.netdev',
      '50-pakawaaz-ogstun.network',
      'pakawaaz-upf.nft',
    ]);
    expect((await runCli([...args, '--check'], env)).code).toBe(0);
    const nft = path.join(hosts, 'upf', 'pakawaaz-upf.nft');
    await writeFile(nft, `${await readFile(nft, 'utf8')}# edited by hand\n`);
    const drift = await runCli([...args, '--check'], env);
    expect(drift.code).toBe(1);
    expect(drift.stdout + drift.stderr).toContain('pakawaaz-upf.nft');
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
