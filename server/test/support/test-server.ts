import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, type Env } from '@pakawaaz/platform';
import { startServer, type RunningServer } from '../../src/bootstrap.js';

export type TestServer = RunningServer & {
  dataDir: string;
  adminPassword: string;
  /** Signs in as the first administrator and returns an access token. */
  adminToken(): Promise<string>;
  request(
    method: string,
    path: string,
    init?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  stop(): Promise<void>;
};

export const TEST_ADMIN_PASSWORD = 'e2e-noc-passphrase-2026';

/**
 * Boots the real control plane in this process on a random port with a fresh data folder (embedded PGlite
 * unless env gives DATABASE_URL), exactly as `npm start` does, and returns helpers to drive it over HTTP.
 */
export async function startTestServer(env: Env = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-e2e-'));
  const fullEnv: Env = {
    PORT: '0',
    HOST: '127.0.0.1',
    // Tests drive the admin with a password; the passkey rule has its own e2e test.
    PAKAWAAZ_REQUIRE_PASSKEYS: 'false',
    RADIUS_AUTH_PORT: '0',
    RADIUS_ACCT_PORT: '0',
    PAKAWAAZ_DATA_DIR: dataDir,
    PAKAWAAZ_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
    ...env,
  };
  const server = await startServer({
    env: fullEnv,
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  const request: TestServer['request'] = (method, p, init = {}) =>
    fetch(`${server.url}${p}`, {
      method,
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      body:
        init.body === undefined
          ? undefined
          : typeof init.body === 'string'
            ? init.body
            : JSON.stringify(init.body),
    });
  return {
    ...server,
    dataDir,
    adminPassword:
      fullEnv.PAKAWAAZ_ADMIN_PASSWORD ??
      (await readFile(path.join(dataDir, 'initial-admin-password'), 'utf8')).trim(),
    async adminToken() {
      const res = await request('POST', '/api/v1/auth/login', {
        body: { username: 'admin', password: fullEnv.PAKAWAAZ_ADMIN_PASSWORD },
      });
      if (res.status !== 200) throw new Error(`admin sign-in failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { accessToken: string }).accessToken;
    },
    request,
    async stop() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
