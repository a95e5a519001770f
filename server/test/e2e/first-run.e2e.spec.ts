import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeTcpPort } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startServerProcess, waitFor, waitHealthy, type ServerRun } from '../support/server-process.js';

beforeAll(() => ensureBuilt());

const NEW_PASSWORD = 'harbour-lantern-meadow-42';

describe('a fresh data folder: the generated admin password works once, for its change', () => {
  let dataDir: string;
  let server: ServerRun;
  let url: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-first-run-'));
    const port = await freeTcpPort();
    url = `http://127.0.0.1:${port}`;
    server = startServerProcess({
      PORT: String(port),
      RADIUS_AUTH_PORT: '0',
      RADIUS_ACCT_PORT: '0',
      PAKAWAAZ_DATA_DIR: dataDir,
      PAKAWAAZ_REQUIRE_PASSKEYS: 'false',
      LOG_LEVEL: 'info',
    });
    await waitHealthy(server, url, 100_000);
    // The banner follows the rest of start-up (after the port answers): wait for it, not for a race.
    await waitFor(() => Promise.resolve(server.output().includes('control plane is up')), 30_000);
  }, 150_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a session until the password is changed, then removes the file and says so', async () => {
    // The embedded default listens on loopback only (localhost: 127.0.0.1 and ::1).
    expect(server.output()).toContain(
      `Pakawaaz control plane is up: ${url.replace('127.0.0.1', 'localhost')}`,
    );
    const file = path.join(dataDir, 'initial-admin-password');
    const initial = (await readFile(file, 'utf8')).trim();
    const env = { PAKAWAAZ_URL: url };

    // The README quick start without a terminal: no token, and the message says how to go on.
    const refused = await runCli(['login', '--username', 'admin', '--password-stdin'], env, `${initial}\n`);
    expect(refused.code).toBe(4);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('This password must be changed before it can be used');
    expect(refused.stderr).toContain('--new-password-stdin');
    expect(existsSync(file)).toBe(true);
    // Over the API, too: the password alone gives only the change step, never tokens.
    const api = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: initial }),
    });
    const step = (await api.json()) as Record<string, unknown>;
    expect(step.status).toBe('password_change_required');
    expect(step).not.toHaveProperty('accessToken');

    // The same password as the new one is refused: it is the one written to disk.
    const same = await runCli(
      ['login', '--username', 'admin', '--password-stdin', '--new-password-stdin'],
      env,
      `${initial}\n${initial}\n`,
    );
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('weak_password');
    expect(existsSync(file)).toBe(true);

    const changed = await runCli(
      ['login', '--username', 'admin', '--password-stdin', '--new-password-stdin'],
      env,
      `${initial}\n${NEW_PASSWORD}\n`,
    );
    expect(changed.code, changed.stderr).toBe(0);
    const token = changed.stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(existsSync(file)).toBe(false);
    expect(server.output()).toContain(`The first administrator's password was changed: removed ${file}`);

    const me = (await (
      await fetch(`${url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { mustChangePassword: boolean };
    expect(me.mustChangePassword).toBe(false);
    // The old password is dead; the new one signs in straight away.
    expect(
      (await runCli(['login', '--username', 'admin', '--password-stdin'], env, `${initial}\n`)).code,
    ).toBe(4);
    const again = await runCli(['login', '--username', 'admin', '--password-stdin'], env, NEW_PASSWORD);
    expect(again.code, again.stderr).toBe(0);
  });
});
