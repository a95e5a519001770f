import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The national store policy is a floor, over HTTP with the server's real APK inspector: an institution's
 * policy weaker than the national one is refused (422 policy_below_national_floor naming each weaker
 * setting), and a national policy tightened after the institution stored its own binds its next upload
 * (AOSP apksig's golden-aligned-v1v2v3-out.apk targets an old SDK and may send cleartext by default).
 */
const FIXTURES = fileURLToPath(new URL('../../../protocols/apk/test/fixtures/', import.meta.url));
const APK = `${FIXTURES}golden-aligned-v1v2v3-out.apk`;
const LENIENT = { permissionAllow: null, permissionDeny: [], minTargetSdk: 1, allowCleartext: true };
const TIGHTENED = { ...LENIENT, minTargetSdk: 35, allowCleartext: false };

let server: TestServer;
let dir: string;
let admin: string;
let institutionId: string;

const put = (scope: string, body: unknown) =>
  server.request('PUT', `/api/v1/store/policies/${scope}`, { token: admin, body });

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-store-floor-'));
  server = await startTestServer({ OPEN5GS_MONITOR: 'off', PAKAWAAZ_STORE_APK_DIR: path.join(dir, 'apks') });
  admin = await server.adminToken();
  const me = await server.json<{ id: string }>('GET', '/api/v1/auth/me', { token: admin });
  ({ id: institutionId } = await server.json<{ id: string }>('POST', '/api/v1/institutions', {
    token: admin,
    body: { name: 'Store Floor Ministry' },
  }));
  const org = await server.json<{ id: string }>('POST', '/api/v1/store/orgs', {
    token: admin,
    body: { name: 'Store Floor Ministry apps', institutionId },
  });
  await server.json('POST', `/api/v1/store/orgs/${org.id}/members`, {
    token: admin,
    body: { userId: me.id },
  });
});
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the national store policy is a floor', () => {
  it('refuses a weaker institution policy, and checks uploads against a national policy tightened later', async () => {
    // While none is stored, the built-in default is the national policy.
    const weaker = await put(institutionId, LENIENT);
    expect(weaker.status).toBe(422);
    expect(await weaker.json()).toMatchObject({
      code: 'policy_below_national_floor',
      details: { fields: ['permissionDeny', 'minTargetSdk', 'allowCleartext'] },
    });

    expect((await put('national', LENIENT)).status).toBe(200);
    expect((await put(institutionId, LENIENT)).status).toBe(200);
    // Tightened after the institution stored its own: the institution's stays as stored, but does not apply.
    expect((await put('national', TIGHTENED)).status).toBe(200);
    const view = await server.json('GET', `/api/v1/store/policies/${institutionId}`, { token: admin });
    expect(view).toEqual({ scope: institutionId, policy: LENIENT, inherited: false, effective: TIGHTENED });

    const published = await runCli(['store', 'publish', APK, '--track', 'pilot', '--json'], {
      PAKAWAAZ_URL: server.url,
      PAKAWAAZ_TOKEN: admin,
    });
    expect(published.code, published.stderr).toBe(0);
    const { version } = JSON.parse(published.stdout) as { version: { findings: { code: string }[] } };
    expect(version.findings.map((f) => f.code)).toEqual(['target_sdk_below_floor', 'cleartext_traffic']);

    const again = await put(institutionId, LENIENT);
    expect(again.status).toBe(422);
    expect(await again.json()).toMatchObject({ details: { fields: ['minTargetSdk', 'allowCleartext'] } });
  });
});
