import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSim, simCsv } from '@pakawaaz/test-support';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server.js';

/*
 * Assigning SIMs by person from the CLI, against a real server: officials are named by username (or id),
 * must exist and be active; their name and institution come from identity and are shown by name.
 */

let server: TestServer;
let env: Record<string, string>;
let dir: string;
const sims = Array.from({ length: 6 }, (_, i) => fakeSim(7001 + i));
const imsi = (i: number) => sims[i]!.imsi;
const PASSWORD = 'amber-orchard-violin-7';

const cli = (...args: string[]) => runCli(args, env);

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
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-assign-cli-'));
  const batch = path.join(dir, 'sims.csv');
  await writeFile(batch, simCsv(sims));
  expect((await cli('sims', 'import', batch)).code).toBe(0);
  expect((await cli('institutions', 'add', '--name', 'Ministry of Interior')).code).toBe(0);
  for (const [username, name] of [
    ['ayesha.khan', 'Ayesha Khan'],
    ['bilal.ahmed', 'Bilal Ahmed'],
  ] as const)
    expect(
      (
        await runCli(
          [
            'users',
            'add',
            '--username',
            username,
            '--name',
            name,
            '--institution',
            'Ministry of Interior',
            '--password-stdin',
          ],
          env,
          PASSWORD,
        )
      ).code,
    ).toBe(0);
  expect(
    (await cli('users', 'disable', '--username', 'bilal.ahmed', '--reason', 'left the ministry')).code,
  ).toBe(0);
});
afterAll(() => server?.stop());

describe('subscribers by person from the CLI', () => {
  it('assigns by username and shows the official by name and institution, never a raw id', async () => {
    const r = await cli('subscribers', 'assign', '--imsi', imsi(0), '--user', 'ayesha.khan');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Ayesha Khan (ayesha.khan), Ministry of Interior');
    const shown = await cli('subscribers', 'show', '--imsi', imsi(0));
    expect(shown.stdout).toMatch(/official\s+Ayesha Khan \(ayesha\.khan\)/);
    expect(shown.stdout).toMatch(/institution\s+Ministry of Interior/);
    expect(shown.stdout).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    const listed = await cli('subscribers', 'list', '--search', imsi(0));
    expect(listed.stdout).toContain('Ayesha Khan (ayesha.khan), Ministry of Interior');
  });

  it('assigns by user id too', async () => {
    const found = (await cli('users', 'list', '--search', 'ayesha.khan', '--json')).stdout;
    const userId = (JSON.parse(found) as { users: { id: string }[] }).users[0]!.id;
    const r = await cli('subscribers', 'assign', '--imsi', imsi(1), '--user', userId, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ userId, username: 'ayesha.khan' });
  });

  it('refuses an unknown or disabled person with a stable code and what to do, taking no SIM', async () => {
    const unknown = await cli('subscribers', 'assign', '--imsi', imsi(2), '--user', 'nobody.here');
    expect(unknown.code).toBe(6);
    expect(unknown.stderr).toContain('official_not_found');
    const disabled = await cli('subscribers', 'assign', '--imsi', imsi(2), '--user', 'bilal.ahmed');
    expect(disabled.code).toBe(7);
    expect(disabled.stderr).toContain('official_disabled');
    expect(disabled.stderr).toContain('Bilal Ahmed (bilal.ahmed) is disabled');
    const sim = await cli('sims', 'list', '--search', imsi(2), '--json');
    expect(JSON.parse(sim.stdout)).toMatchObject({ sims: [{ imsi: imsi(2), status: 'available' }] });
  });

  it('assigns from a CSV file: a dry run changes nothing, the real run reports refused lines and exits 1', async () => {
    const file = path.join(dir, 'assign.csv');
    await writeFile(
      file,
      [
        'imsi,username',
        `${imsi(3)},ayesha.khan`,
        `${imsi(4)},bilal.ahmed`,
        `${imsi(5)},nobody.here`,
        '',
      ].join('\n'),
    );
    const dry = await cli('subscribers', 'assign-bulk', file, '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('dry run: would assign 1 of 3 line(s); 2 refused');
    expect(dry.stdout).toContain(`line 3 (${imsi(4)}): official_disabled`);
    expect(dry.stdout).toContain(`line 4 (${imsi(5)}): official_not_found`);
    expect((await cli('subscribers', 'show', '--imsi', imsi(3))).code).toBe(6);

    const real = await cli('subscribers', 'assign-bulk', file);
    expect(real.code).toBe(1);
    expect(real.stdout).toContain('assigned 1 of 3 line(s); 2 refused');
    expect((await cli('subscribers', 'show', '--imsi', imsi(3))).stdout).toContain('ayesha.khan');
  });

  it('unassigns: the SIM is available again', async () => {
    const r = await cli('subscribers', 'unassign', '--imsi', imsi(1));
    expect(r.code).toBe(0);
    const sim = await cli('sims', 'list', '--search', imsi(1), '--json');
    expect(JSON.parse(sim.stdout)).toMatchObject({ sims: [{ imsi: imsi(1), status: 'available' }] });
  });
});
