import 'reflect-metadata';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The embedded demo's one step, `pakawaaz os publish`: registers, uploads, signs with the DEMO-ONLY keys in
 * the data folder and publishes; tuf-js given 1.root.json downloads the payload, and a second release
 * publishes as targets version 2.
 */
let server: TestServer;
let admin: string;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-os-demo-'));
  server = await startTestServer({
    OPEN5GS_MONITOR: 'off',
    PAKAWAAZ_OS_PAYLOAD_DIR: path.join(dir, 'payloads'),
    PAKAWAAZ_OS_TUF_DIR: path.join(dir, 'ota-metadata'),
    PAKAWAAZ_OS_TUF_TIMESTAMP_KEY_FILE: path.join(dir, 'keys', 'tuf-timestamp.jwk'),
    PAKAWAAZ_OS_TUF_SNAPSHOT_KEY_FILE: path.join(dir, 'keys', 'tuf-snapshot.jwk'),
  });
  admin = await server.adminToken();
  const model = await server.request('POST', '/api/v1/os/models', {
    token: admin,
    body: { codename: 'demophone', manufacturer: 'Lab', strongBox: true },
  });
  expect(model.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const publish = (version: string, file: string) =>
  runCli(
    [
      'os',
      'publish',
      '--model',
      'demophone',
      '--version',
      version,
      '--patch-level',
      '2026-12-05',
      '--file',
      file,
    ],
    { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: admin, PAKAWAAZ_DATA_DIR: dir },
  );

describe('pakawaaz os publish (demo)', () => {
  it('registers, uploads, signs with DEMO-ONLY keys and publishes what tuf-js downloads', async () => {
    const ota = path.join(dir, 'ota-15.2.zip');
    await writeFile(ota, 'demo OTA 15.2');
    const r = await publish('15.2', ota);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toMatch(/DEMO-ONLY SIGNING/);
    expect(r.stdout).toMatch(/published targets version 1 \(1 target\(s\)\) signed with DEMO-ONLY keys/);
    expect(
      (await readdir(path.join(dir, 'tuf-keys-DEMO-ONLY'))).every((n) => n.startsWith('DEMO-ONLY-')),
    ).toBe(true);

    const ota2 = path.join(dir, 'ota-15.3.zip');
    await writeFile(ota2, 'demo OTA 15.3');
    const second = await publish('15.3', ota2);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/targets version 2 \(2 target\(s\)\)/);

    const client = await mkdtemp(path.join(tmpdir(), 'pkz-demo-handset-'));
    const root = await fetch(`${server.url}/ota/metadata/1.root.json`);
    await writeFile(path.join(client, 'root.json'), Buffer.from(await root.arrayBuffer()));
    const u = new Updater({
      metadataBaseUrl: `${server.url}/ota/metadata`,
      targetBaseUrl: `${server.url}/ota/targets`,
      metadataDir: client,
      targetDir: client,
      config: { fetchRetries: 0 },
    });
    await u.refresh();
    const info = await u.getTargetInfo('demophone/15.3/full.zip');
    expect(info?.custom).toMatchObject({ securityPatchLevel: '2026-12-05', version: '15.3' });
    const file = await u.downloadTarget(info!, path.join(client, 'ota.zip'));
    expect(await readFile(file, 'utf8')).toBe('demo OTA 15.3');
    await rm(client, { recursive: true, force: true });
  });
});
