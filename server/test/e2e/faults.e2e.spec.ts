import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort, TcpProxy, testDatabaseUrl } from '@pakawaaz/test-support';
import { ensureBuilt } from '../support/cli.js';
import { startServerProcess, waitFor, waitHealthy } from '../support/server-process.js';
import { freshPostgresDatabase, postgresAvailable, type FreshDatabase } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

beforeAll(() => ensureBuilt());

describe('start-up refusals', () => {
  it('refuses to start on invalid configuration and names each variable', async () => {
    const run = startServerProcess({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://db/x' });
    expect(await run.exited).toBe(1);
    const out = run.output();
    expect(out).toContain('Invalid configuration');
    expect(out).toMatch(/PORT: expected a TCP\/UDP port number/);
    expect(out).toMatch(/LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent/);
    expect(out).toMatch(/DATABASE_URL: expected a URL with scheme postgres or postgresql/);
    expect(out).not.toMatch(/at .*\.js:\d+/);
  });

  it('exits non-zero with a clear message when the database is unreachable', async () => {
    const run = startServerProcess({
      PORT: '0',
      DATABASE_URL: 'postgres://pakawaaz:s3cret@127.0.0.1:59998/pakawaaz',
    });
    expect(await run.exited).toBe(1);
    const out = run.output();
    expect(out).toContain('Cannot reach the database at postgres://pakawaaz:****@127.0.0.1:59998/pakawaaz');
    expect(out).toContain('Check DATABASE_URL and that PostgreSQL is running');
    expect(out).not.toContain('s3cret');
  });
});

describe('embedded lifecycle of the real process', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-life-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it(
    'starts, refuses a second server on the same data folder, and shuts down gracefully on SIGTERM',
    { timeout: 150_000 },
    async () => {
      const port = await freeTcpPort();
      const first = startServerProcess({
        PORT: String(port),
        HOST: '127.0.0.1',
        PAKAWAAZ_DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      });
      // A first start initialises the embedded database: seconds, or a minute and more on a loaded machine.
      await waitHealthy(first, `http://127.0.0.1:${port}`, 100_000);
      expect(first.output()).toContain(`Pakawaaz control plane is up: http://127.0.0.1:${port}`);
      expect(first.output()).toContain(`Its generated password is in ${dataDir}/initial-admin-password`);
      expect(existsSync(path.join(dataDir, 'db.lock'))).toBe(true);

      const second = startServerProcess({ PORT: String(port + 1), PAKAWAAZ_DATA_DIR: dataDir });
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(`The embedded database is in use by process ${first.child.pid}`);

      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(first.output()).toMatch(/"signal":"SIGTERM".*"msg":"shutting down/);
      expect(first.output()).toMatch(/"msg":"stopped"/);
      expect(existsSync(path.join(dataDir, 'db.lock'))).toBe(false);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    },
  );
});

const pg = await postgresAvailable();

describe.skipIf(!pg)('PostgreSQL lost while running', () => {
  let db: FreshDatabase;
  let proxy: TcpProxy;
  let server: TestServer;

  beforeAll(async () => {
    db = await freshPostgresDatabase();
    const target = new URL(testDatabaseUrl());
    proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.start();
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    server = await startTestServer({ DATABASE_URL: viaProxy.toString() });
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.cut();
    await db?.drop();
  });

  it('fails readiness and answers 503 while the database is away, and recovers without a restart', async () => {
    const token = await server.adminToken();
    expect((await server.request('GET', '/api/v1/system', { token })).status).toBe(200);

    await proxy.cut();
    const ready = await server.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not_ready', checks: { database: 'down', eventBus: 'up' } });
    const login = await server.request('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: server.adminPassword },
    });
    expect(login.status).toBe(503);
    expect(await login.json()).toMatchObject({
      code: 'database_unavailable',
      message: 'The database is unavailable; retry shortly.',
    });
    expect((await server.request('GET', '/healthz')).status).toBe(200);

    await proxy.start();
    await waitFor(async () => (await server.request('GET', '/readyz')).status === 200, 15_000);
    expect(
      (
        await server.request('POST', '/api/v1/auth/login', {
          body: { username: 'admin', password: server.adminPassword },
        })
      ).status,
    ).toBe(200);
  });
});
