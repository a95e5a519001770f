import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ApkInspection } from '@pakawaaz/apk';
import { APK_INSPECTOR, type ApkInspector } from '@pakawaaz/app-store';
import { APKSIG_OTHER as OTHER, APKSIG_RSA1 as RSA1, cleanApkInspection } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The store's upload edge over real HTTP and the real `pakawaaz` binary: the APK media type on its route
 * only, the size cap before and while reading, the CLI's streamed upload. APK_INSPECTOR is bound to a double
 * that reads the stored temporary file and takes the inspection from its JSON content (the seam: inspectApk
 * itself is tested in @pakawaaz/apk against apksigner). Signer digests are apksigner's for AOSP apksig's
 * golden-aligned-out.apk (RSA1) and debuggable-boolean.apk (OTHER).
 */
const MAX_BYTES = 64 * 1024;
const APK = 'application/vnd.android.package-archive';

const base = cleanApkInspection({ package: 'gov.pk.e2e.mail', versionCode: 1 });
const inspector: ApkInspector = async (file) => ({
  ...base,
  ...(JSON.parse((await readFile(file, 'utf8')).trim()) as Partial<ApkInspection>),
});

let server: TestServer;
let admin: string;
let dir: string;
let apkDir: string;

/** A raw request: a declared length and a body that may differ (a client lying, chunked, or `stalled`). */
function raw(
  p: string,
  body: Buffer,
  headers: Record<string, string | number>,
  stalled = false,
): Promise<{ status: number; body: { code?: string } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${server.url}${p}`,
      { method: 'POST', headers: { authorization: `Bearer ${admin}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as { code?: string },
          }),
        );
      },
    );
    req.once('error', reject);
    if (stalled) req.write(body);
    else req.end(body);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-store-e2e-'));
  apkDir = path.join(dir, 'apks');
  server = await startTestServer(
    {
      OPEN5GS_MONITOR: 'off',
      PAKAWAAZ_STORE_APK_DIR: apkDir,
      PAKAWAAZ_STORE_APK_MAX_BYTES: String(MAX_BYTES),
      PAKAWAAZ_STORE_APK_UPLOAD_IDLE_SECONDS: '1',
    },
    { providers: [{ provide: APK_INSPECTOR, useValue: inspector }] },
  );
  admin = await server.adminToken();
  const me = await server.json<{ id: string }>('GET', '/api/v1/auth/me', { token: admin });
  const org = await server.json<{ id: string }>('POST', '/api/v1/store/orgs', {
    token: admin,
    body: { name: 'E2E Vendor', institutionId: null },
  });
  await server.json('POST', `/api/v1/store/orgs/${org.id}/members`, {
    token: admin,
    body: { userId: me.id },
  });
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the upload route', () => {
  it('takes the APK media type on its route only, and only APKs there', async () => {
    const elsewhere = await raw('/api/v1/store/orgs', Buffer.from('{}'), { 'content-type': APK });
    expect(elsewhere.status).toBe(415);
    const octets = await raw('/api/v1/store/apps/versions', Buffer.from('x'), {
      'content-type': 'application/octet-stream',
    });
    expect(octets.status).toBe(415);
  });

  it('refuses a declared length over the cap (413) and a chunked body that grows over it, storing nothing', async () => {
    const big = Buffer.alloc(MAX_BYTES + 1, 0x20);
    const declared = await raw('/api/v1/store/apps/versions', big, {
      'content-type': APK,
      'content-length': big.length,
    });
    expect([declared.status, declared.body.code]).toEqual([413, 'apk_too_large']);
    const chunked = await raw('/api/v1/store/apps/versions', big, {
      'content-type': APK,
      'transfer-encoding': 'chunked',
    });
    expect([chunked.status, chunked.body.code]).toEqual([413, 'apk_too_large']);
    expect(await readdir(apkDir).catch(() => [])).toEqual([]);
  });

  it('answers an upload that stalls 400 apk_upload_timeout on its connection, storing nothing', async () => {
    const stalled = await raw(
      '/api/v1/store/apps/versions',
      Buffer.alloc(100, 0x20),
      { 'content-type': APK, 'content-length': 4000 },
      true,
    );
    expect([stalled.status, stalled.body.code]).toEqual([400, 'apk_upload_timeout']);
    await expect.poll(() => readdir(apkDir).catch(() => []), { timeout: 5000 }).toEqual([]);
  });
});

describe('pakawaaz store', () => {
  it('publishes with a progress bar, prints the verification result, refuses a foreign signer, lists versions', async () => {
    ensureBuilt();
    const env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: admin };
    const first = path.join(dir, 'mail-1.apk');
    await writeFile(first, JSON.stringify({ versionCode: 1 }));
    const notes = path.join(dir, 'notes.txt');
    await writeFile(notes, 'first release');
    const r = await runCli(['store', 'publish', first, '--track', 'beta', '--notes', notes], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('100%');
    expect(r.stdout).toContain('gov.pk.e2e.mail 1.0 (versionCode 1) on beta: in_review');
    expect(r.stdout).toContain(`signed     ${RSA1} (v2+v3)`);
    expect(r.stdout).toContain('+ android.permission.INTERNET');
    const sha = createHash('sha256')
      .update(await readFile(first))
      .digest('hex');
    expect(await readdir(apkDir)).toEqual([`${sha}.apk`]);

    const foreign = path.join(dir, 'mail-2.apk');
    await writeFile(foreign, JSON.stringify({ versionCode: 2, signers: [OTHER] }));
    const refused = await runCli(['store', 'publish', foreign, '--track', 'beta'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('signer_mismatch');
    expect(await readdir(apkDir)).toEqual([`${sha}.apk`]);

    const listed = await runCli(['store', 'versions', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const { versions } = JSON.parse(listed.stdout) as {
      versions: { packageName: string; versionCode: number; notes: string }[];
    };
    expect(versions.map((v) => [v.packageName, v.versionCode, v.notes])).toEqual([
      ['gov.pk.e2e.mail', 1, 'first release'],
    ]);
  });
});
