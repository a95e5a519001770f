import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Provider } from '@nestjs/common';
import { createLogger, type Env } from '@pakawaaz/platform';
import { startServer, type RunningServer } from '../../src/bootstrap.js';

export type TestServer = RunningServer & {
  dataDir: string;
  adminPassword: string;
  /** Signs in as the first administrator and returns an access token. */
  adminToken(): Promise<string>;
  /**
   * Signs a person in with a password and returns an access token; a first password an administrator set is
   * changed to `newPassword` when the server asks for it. Throws when another step (a second factor) is due.
   */
  signIn(username: string, password: string, newPassword?: string): Promise<string>;
  request(
    method: string,
    path: string,
    init?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  /** `request`, then the JSON answer (undefined for an empty body); a status ≥ 300 throws with the body. */
  json<T>(method: string, path: string, init?: { token?: string; body?: unknown }): Promise<T>;
  stop(): Promise<void>;
};

export const TEST_ADMIN_PASSWORD = 'e2e-noc-passphrase-2026';

/**
 * Boots the real control plane in this process on a random port with a fresh data folder (embedded PGlite
 * unless env gives DATABASE_URL), exactly as `npm start` does, and returns helpers to drive it over HTTP.
 */
export async function startTestServer(
  env: Env = {},
  options: {
    /** Bindings of the composition root: doubles of ports (DEVICE_AUTHENTICATOR, DEVICE_EDGE_TLS…). */
    providers?: readonly Provider[];
  } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-e2e-'));
  const fullEnv: Env = {
    PORT: '0',
    HOST: '127.0.0.1',
    // Tests drive the admin with a password; the passkey rule has its own e2e test.
    PAKAWAAZ_REQUIRE_PASSKEYS: 'false',
    // Officials sign in with a password only here; the desktop enrolment's second-factor rule (aal2) has its
    // own e2e test (lab chat-desktop-hardening).
    PAKAWAAZ_DESKTOP_ENROL_ACR: 'aal1',
    RADIUS_AUTH_PORT: '0',
    RADIUS_ACCT_PORT: '0',
    // The device port has no "any free port" value (0 turns it off): a test that wants it picks one.
    PAKAWAAZ_DEVICE_PORT: '0',
    // No embedded MQTT broker (18830 would collide between parallel servers); a push test passes a port.
    PAKAWAAZ_MQTT_PORT: '0',
    // The embedded demo's simulated handsets would enrol into every test's server.
    PAKAWAAZ_DEMO_FLEET: 'false',
    // No embedded Janus per test server (a calls test passes 'auto', or registers its own Janus).
    PAKAWAAZ_JANUS: 'off',
    PAKAWAAZ_DATA_DIR: dataDir,
    PAKAWAAZ_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
    ...env,
  };
  const server = await startServer({
    env: fullEnv,
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...(options.providers ? { providers: options.providers } : {}),
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
  const json: TestServer['json'] = async <T>(
    method: string,
    p: string,
    init: { token?: string; body?: unknown } = {},
  ): Promise<T> => {
    const res = await request(method, p, init);
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const passwordSignIn = async (username: string, password: string, newPassword?: string) => {
    const res = await request('POST', '/api/v1/auth/login', { body: { username, password } });
    if (res.status !== 200)
      throw new Error(`${username}'s sign-in failed: ${res.status} ${await res.text()}`);
    let step = (await res.json()) as { status: string; ticket?: string; accessToken?: string };
    if (step.status === 'password_change_required' && newPassword !== undefined) {
      const changed = await request('POST', '/api/v1/auth/login/password', {
        body: { ticket: step.ticket, newPassword },
      });
      if (changed.status !== 200) throw new Error(`${username}'s password change failed: ${changed.status}`);
      step = (await changed.json()) as typeof step;
      if (!step.accessToken) throw new Error(`${username}'s sign-in needs ${step.status}`);
      return { token: step.accessToken, changed: true };
    }
    if (!step.accessToken) throw new Error(`${username}'s sign-in needs ${step.status}`);
    return { token: step.accessToken, changed: false };
  };
  const signIn: TestServer['signIn'] = async (username, password, newPassword) =>
    (await passwordSignIn(username, password, newPassword)).token;
  const initial =
    fullEnv.PAKAWAAZ_ADMIN_PASSWORD ||
    (await readFile(path.join(dataDir, 'initial-admin-password'), 'utf8')).trim();
  let adminPassword = initial;
  return {
    ...server,
    dataDir,
    adminPassword: initial,
    async adminToken() {
      // A generated first password must be changed at the first sign-in: to TEST_ADMIN_PASSWORD.
      const { token, changed } = await passwordSignIn('admin', adminPassword, TEST_ADMIN_PASSWORD);
      if (changed) adminPassword = TEST_ADMIN_PASSWORD;
      return token;
    },
    signIn,
    request,
    json,
    async stop() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
