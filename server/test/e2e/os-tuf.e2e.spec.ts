import 'reflect-metadata';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * Issue 13's signed updates end to end: the offline ceremony with the CLI on files (keys, root, targets from
 * the server's export), imports over the API, and tuf-js 3 — a stock TUF client given the two base URLs and
 * 1.root.json — downloading the payload from /ota/, then following a root rotation.
 */
const OTA = Buffer.from('PK\u0003\u0004 labphone full OTA 15.2');
let server: TestServer;
let admin: string;
let dir: string;
let ceremony: string;

async function api<T>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await server.request(method, p, { token: admin, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

const cli = async (args: string[], expectCode = 0) => {
  const r = await runCli(['os', 'tuf', ...args], { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: admin });
  expect(r.code, r.stderr + r.stdout).toBe(expectCode);
  return r;
};
const keyFiles = async (role: string) => {
  const names = (await readdir(ceremony)).filter((n) => n.startsWith(`${role}-`)).sort();
  return {
    priv: names.filter((n) => n.endsWith('.key.json')).map((n) => path.join(ceremony, n)),
    pub: names.filter((n) => n.endsWith('.pub.json')).map((n) => path.join(ceremony, n)),
  };
};

async function download(clientDir: string): Promise<Buffer> {
  const u = new Updater({
    metadataBaseUrl: `${server.url}/ota/metadata`,
    targetBaseUrl: `${server.url}/ota/targets`,
    metadataDir: clientDir,
    targetDir: clientDir,
    config: { fetchRetries: 0 },
  });
  await u.refresh();
  const info = await u.getTargetInfo('labphone/15.2/full.zip');
  if (!info) throw new Error('target not listed');
  return readFile(await u.downloadTarget(info, path.join(clientDir, 'ota.zip')));
}

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-os-tuf-'));
  ceremony = path.join(dir, 'signing-room');
  server = await startTestServer({
    OPEN5GS_MONITOR: 'off',
    PAKAWAAZ_OS_PAYLOAD_DIR: path.join(dir, 'payloads'),
    PAKAWAAZ_OS_TUF_DIR: path.join(dir, 'ota-metadata'),
    PAKAWAAZ_OS_TUF_TIMESTAMP_KEY_FILE: path.join(dir, 'keys', 'tuf-timestamp.jwk'),
    PAKAWAAZ_OS_TUF_SNAPSHOT_KEY_FILE: path.join(dir, 'keys', 'tuf-snapshot.jwk'),
  });
  admin = await server.adminToken();
  expect(
    (await api('POST', '/api/v1/os/models', { codename: 'labphone', manufacturer: 'Lab', strongBox: true }))
      .status,
  ).toBe(201);
  const release = await api<{ id: string }>('POST', '/api/v1/os/releases', {
    model: 'labphone',
    buildId: 'PKZ1.261201.001',
    fingerprint: 'pakawaaz/labphone/labphone:15/PKZ1.261201.001/1:user/release-keys',
    version: '15.2',
    securityPatchLevel: '2026-12-05',
    channel: 'stable',
  });
  expect(release.status).toBe(201);
  const up = await fetch(`${server.url}/api/v1/os/releases/${release.body.id}/payloads?kind=full`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/octet-stream' },
    body: OTA,
  });
  expect(up.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('signed OS updates (TUF)', () => {
  it('serves nothing before a root is imported', async () => {
    expect((await fetch(`${server.url}/ota/metadata/timestamp.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/ota/metadata/..%2Fkeys`)).status).toBe(400);
  });

  it('runs the offline ceremony with the CLI and tuf-js downloads what the server publishes', async () => {
    for (const role of ['root', 'root', 'targets']) await cli(['keygen', '--role', role, '--out', ceremony]);
    await cli(['online-keys', '--out', path.join(dir, 'online-keys.json')]);
    const root = await keyFiles('root');
    const targets = await keyFiles('targets');
    const root1 = path.join(ceremony, '1.root.json');
    await cli([
      'init-root',
      ...root.pub.flatMap((f) => ['--root-key', f]),
      '--root-threshold',
      '2',
      '--targets-key',
      targets.pub[0]!,
      '--online-keys',
      path.join(dir, 'online-keys.json'),
      '--sign',
      root.priv[0]!,
      '--out',
      path.join(ceremony, 'half.root.json'),
    ]);
    // The second root key holder signs in turn.
    await cli(['sign-root', path.join(ceremony, 'half.root.json'), '--key', root.priv[1]!, '--out', root1]);
    // A signing with one of two root keys only is refused by the server.
    const half = await cli(['import-root', path.join(ceremony, 'half.root.json')], 2);
    expect(half.stderr).toMatch(/tuf_metadata_rejected/);
    await cli(['import-root', root1]);
    await cli(['export-targets', '--out', path.join(dir, 'export.json')]);
    // A root key is not a targets key: the ceremony refuses it before anything is signed.
    const wrong = await cli(
      [
        'sign-targets',
        '--export',
        path.join(dir, 'export.json'),
        '--root',
        root1,
        '--key',
        root.priv[0]!,
        '--out',
        path.join(ceremony, 'x.json'),
      ],
      1,
    );
    expect(wrong.stderr).toMatch(/not a targets key/);
    await cli([
      'sign-targets',
      '--export',
      path.join(dir, 'export.json'),
      '--root',
      root1,
      '--key',
      targets.priv[0]!,
      '--yes',
      '--out',
      path.join(ceremony, '1.targets.json'),
    ]);
    await cli(['import-targets', path.join(ceremony, '1.targets.json')]);
    const status = await cli(['status']);
    expect(status.stdout).toMatch(/timestamp\s+version 1/);

    const client = path.join(dir, 'handset');
    await rm(client, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(client));
    await writeFile(path.join(client, 'root.json'), await readFile(root1));
    expect(await download(client)).toEqual(OTA);

    // Root rotation: a new single root key, endorsed by both old root keys and the new one.
    await cli(['keygen', '--role', 'root', '--out', path.join(ceremony, 'new')]);
    const fresh = (await readdir(path.join(ceremony, 'new')))
      .map((n) => path.join(ceremony, 'new', n))
      .sort();
    const root2 = path.join(ceremony, '2.root.json');
    await cli([
      'rotate-root',
      '--current',
      root1,
      '--root-key',
      fresh.find((f) => f.endsWith('.pub.json'))!,
      '--sign',
      root.priv[0]!,
      '--sign',
      root.priv[1]!,
      '--sign',
      fresh.find((f) => f.endsWith('.key.json'))!,
      '--out',
      root2,
    ]);
    await cli(['import-root', root2]);
    expect(await download(client)).toEqual(OTA);
    const trusted = JSON.parse(await readFile(path.join(client, 'root.json'), 'utf8')) as {
      signed: { version: number };
    };
    expect(trusted.signed.version).toBe(2);
    expect((await fetch(`${server.url}/ota/metadata/2.root.json`)).status).toBe(200);
  });

  it('refuses the demo one-step publish on a repository whose root was signed offline', async () => {
    const ota = path.join(dir, 'ota-15.3.zip');
    await writeFile(ota, 'labphone 15.3');
    const env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: admin, PAKAWAAZ_DATA_DIR: dir };
    const args = [
      'os',
      'publish',
      '--model',
      'labphone',
      '--version',
      '15.3',
      '--patch-level',
      '2026-12-05',
      '--file',
      ota,
    ];
    const r = await runCli(args, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/signed offline/);
  });
});
