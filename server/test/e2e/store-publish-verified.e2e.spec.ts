import 'reflect-metadata';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * Publishing real APKs through the server's own inspector (`@pakawaaz/apk` on its worker thread, no double):
 * AOSP apksig's corpus files, whose signer digests are apksigner's (protocols/apk/test/fixtures).
 */
const FIXTURES = fileURLToPath(new URL('../../../protocols/apk/test/fixtures/', import.meta.url));
const RSA1 = 'fb5dbd3c669af9fc236c6991e6387b7f11ff0590997f22d0f5c74ff40e04fca8';

let server: TestServer;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-store-real-'));
  server = await startTestServer({ OPEN5GS_MONITOR: 'off', PAKAWAAZ_STORE_APK_DIR: path.join(dir, 'apks') });
  const admin = await server.adminToken();
  const me = await server.json<{ id: string }>('GET', '/api/v1/auth/me', { token: admin });
  const org = await server.json<{ id: string }>('POST', '/api/v1/store/orgs', {
    token: admin,
    body: { name: 'AOSP test vendor', institutionId: null },
  });
  await server.json('POST', `/api/v1/store/orgs/${org.id}/members`, {
    token: admin,
    body: { userId: me.id },
  });
  env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: admin };
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('publishing real APKs (the worker-thread inspector)', () => {
  it('accepts a v2/v3-signed APK with apksigner’s signer, and refuses v1-only and tampered ones', async () => {
    const good = await runCli(
      ['store', 'publish', `${FIXTURES}golden-aligned-v1v2v3-out.apk`, '--track', 'pilot', '--json'],
      env,
    );
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({
      app: { packageName: 'android.appsecurity.cts.tinyapp' },
      version: { versionCode: 10, state: 'in_review' },
    });
    expect(good.stdout).toContain(RSA1);

    const v1only = await runCli(['store', 'publish', `${FIXTURES}v1-only-no-uses-sdk.apk`], env);
    expect(v1only.code).not.toBe(0);
    expect(v1only.stderr).toContain('apk_not_verified');
    expect(v1only.stderr).toContain('apk_not_signed_v2_v3');

    const tampered = path.join(dir, 'tampered.apk');
    await copyFile(`${FIXTURES}golden-aligned-v2v3-lineage-out.apk`, tampered);
    const bytes = await readFile(tampered);
    bytes[100] = bytes[100]! ^ 0x01;
    await writeFile(tampered, bytes);
    const refused = await runCli(['store', 'publish', tampered], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('apk_not_verified');
  });
});
