import 'reflect-metadata';
import { createPrivateKey } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LAB_VERIFIED_BOOT_KEY } from '@pakawaaz/device-mgmt/attestation';
import {
  fetchVerifiedUpdate,
  labRootPaths,
  loadOrCreateLabRoot,
  SimulatedHandset,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import { keyIdOf, signMetadata, tufDate } from '@pakawaaz/hardened-os/tuf';
import { freeTcpPort } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { freshPostgresDatabase, postgresAvailable, type FreshDatabase } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * Issue 13's "Done when", end to end on PostgreSQL: a release with its OTA payload is signed in the offline
 * ceremony (the real CLI on files) and published; two institutions sit in rings pilot and broad; lab handsets
 * (lab root, model labphone, the ceremony's 1.root.json as their trusted root) enrol and check in. The
 * rollout goes ring by ring: pilot handsets download through TUF (tuf-js), verify and boot the new build
 * (`updated`); in broad, handsets that fail the install push the failure rate over the threshold and the
 * rollout halts by itself with its reason, after which nothing more is offered. From the handset's side, the
 * OTA client refuses an expired timestamp, tampered targets and a downgrade.
 */
const OTA = Buffer.from('PK\u0003\u0004 labphone full OTA 15.2 (e2e)');
const BUILD = 'PKZ1.261201.001';
const PILOT = 'Ministry of Pilots';
const BROAD = 'Ministry of Broadlands';
const pg = await postgresAvailable();

let db: FreshDatabase;
let server: TestServer;
let admin: string;
let dir: string;
let root: LabAttestationRoot;
let rolloutId = '';
const handsets: SimulatedHandset[] = [];

type Progress = { updated: number; failed: number; pending: number };
type Rollout = {
  id: string;
  state: string;
  currentStage: number;
  haltReason: string | null;
  stages: { ring: string; status: string; progress: Progress }[];
  rings: ({ ring: string } & Progress)[];
};

const api = <T>(method: string, p: string, body?: unknown): Promise<T> =>
  server.json<T>(method, p, { token: admin, body });

const cli = async (args: string[]) => {
  const r = await runCli(args, { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: admin });
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return r;
};
const tuf = (args: string[]) => cli(['os', 'tuf', ...args]);
const ceremony = () => path.join(dir, 'signing-room');
const keyFile = async (role: string, ext: 'key' | 'pub') =>
  path.join(
    ceremony(),
    (await readdir(ceremony())).find((n) => n.startsWith(role) && n.endsWith(`.${ext}.json`))!,
  );

async function show(): Promise<Rollout> {
  return JSON.parse((await cli(['os', 'rollout', 'show', rolloutId, '--json'])).stdout) as Rollout;
}
const ring = (r: Rollout, name: string) => r.rings.find((g) => g.ring === name)!;

async function until(what: string, ok: (r: Rollout) => boolean): Promise<Rollout> {
  for (let i = 0; i < 100; i++) {
    const r = await api<Rollout>('GET', `/api/v1/os/rollouts/${rolloutId}`);
    if (ok(r)) return r;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await show())}`);
}

async function handset(official: string, failUpdates = false): Promise<SimulatedHandset> {
  const otaDir = path.join(dir, 'handsets', official, String(handsets.length));
  await mkdir(otaDir, { recursive: true });
  // A real handset ships the trusted root in its OS image; this one gets the ceremony's 1.root.json.
  await copyFile(path.join(ceremony(), '1.root.json'), path.join(otaDir, 'root.json'));
  const h = new SimulatedHandset({
    apiUrl: server.url,
    deviceUrl: server.devicePort.open ? server.devicePort.url : '',
    root,
    model: 'labphone',
    otaDir,
    securityPatch: '2025-11-05',
    updateFailureRate: failUpdates ? 1 : 0,
  });
  handsets.push(h);
  const { token } = await api<{ token: string }>('POST', '/api/v1/enrolment-tokens', { official });
  await h.enrol(token);
  return h;
}

const updateCommands = (reply: { commands: { type: string }[] }) =>
  reply.commands.filter((c) => c.type === 'update_os');

beforeAll(async () => {
  if (!pg) return;
  ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-os-rollout-'));
  root = await loadOrCreateLabRoot(path.join(dir, 'lab'));
  db = await freshPostgresDatabase();
  server = await startTestServer({
    DATABASE_URL: db.url,
    OPEN5GS_MONITOR: 'off',
    PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
    PAKAWAAZ_TRUST_LAB_ROOT: '1',
    PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(path.join(dir, 'lab')).cert,
    PAKAWAAZ_OS_PAYLOAD_DIR: path.join(dir, 'payloads'),
    PAKAWAAZ_OS_TUF_DIR: path.join(dir, 'ota-metadata'),
    PAKAWAAZ_OS_TUF_TIMESTAMP_KEY_FILE: path.join(dir, 'keys', 'tuf-timestamp.jwk'),
    PAKAWAAZ_OS_TUF_SNAPSHOT_KEY_FILE: path.join(dir, 'keys', 'tuf-snapshot.jwk'),
  });
  admin = await server.adminToken();
  for (const [name, username] of [
    [PILOT, 'pia.pilot'],
    [BROAD, 'bano.broad'],
  ] as const) {
    const inst = await api<{ id: string }>('POST', '/api/v1/institutions', { name });
    await api('POST', '/api/v1/users', {
      username,
      displayName: username,
      kind: 'official',
      institution: inst.id,
      password: 'orchard-lantern-quartz-58',
    });
  }
  await api('POST', '/api/v1/os/models', { codename: 'labphone', manufacturer: 'Lab', strongBox: true });
  await api('POST', '/api/v1/os/boot-keys', { model: 'labphone', digest: LAB_VERIFIED_BOOT_KEY });
}, 180_000);

afterAll(async () => {
  handsets.forEach((h) => h.close());
  await server?.stop();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!pg)('an OS release from the signing room to the fleet (PostgreSQL)', () => {
  let releaseId = '';

  it('registers the release with its payload, signs it offline with the CLI and publishes it', async () => {
    const added = await cli([
      ...['os', 'releases', 'add', '--model', 'labphone', '--build-id', BUILD, '--android-version', '15.2'],
      ...['--patch', '2026-12-05', '--channel', 'stable', '--json'],
      ...['--fingerprint', `pakawaaz/labphone/labphone:15/${BUILD}/1:user/release-keys`],
    ]);
    releaseId = (JSON.parse(added.stdout) as { id: string }).id;
    await writeFile(path.join(dir, 'ota.zip'), OTA);
    await cli(['os', 'releases', 'upload', releaseId, path.join(dir, 'ota.zip')]);

    await tuf(['keygen', '--role', 'root', '--out', ceremony()]);
    await tuf(['keygen', '--role', 'targets', '--out', ceremony()]);
    await tuf(['online-keys', '--out', path.join(dir, 'online-keys.json')]);
    const root1 = path.join(ceremony(), '1.root.json');
    await tuf([
      ...['init-root', '--root-key', await keyFile('root', 'pub'), '--root-threshold', '1'],
      ...[
        '--targets-key',
        await keyFile('targets', 'pub'),
        '--online-keys',
        path.join(dir, 'online-keys.json'),
      ],
      ...['--sign', await keyFile('root', 'key'), '--out', root1],
    ]);
    await tuf(['import-root', root1]);
    await tuf(['export-targets', '--out', path.join(dir, 'export.json')]);
    const signed = path.join(ceremony(), '1.targets.json');
    await tuf([
      ...['sign-targets', '--export', path.join(dir, 'export.json'), '--root', root1],
      ...['--key', await keyFile('targets', 'key'), '--yes', '--out', signed],
    ]);
    await tuf(['import-targets', signed]);
    expect((await tuf(['status'])).stdout).toMatch(/targets\s+version 1/);

    await cli(['os', 'ring', 'set', '--institution', PILOT, '--ring', 'pilot']);
    await cli(['os', 'ring', 'set', '--institution', BROAD, '--ring', 'broad']);
  }, 60_000);

  it('rolls out ring by ring: pilot handsets verify through TUF and boot the new build', async () => {
    const pilots = [await handset('pia.pilot'), await handset('pia.pilot')];
    const broad = [await handset('bano.broad'), await handset('bano.broad'), await handset('bano.broad')];
    const failing = [await handset('bano.broad', true), await handset('bano.broad', true)];
    const late = await handset('bano.broad');
    for (const h of [...pilots, ...broad, ...failing, late]) await h.checkIn();

    const created = await cli([
      ...['os', 'rollout', 'create', releaseId, '--stages', 'pilot:100:60,broad:100:60'],
      ...['--failure-threshold', '0.2', '--min-outcomes', '3', '--json'],
    ]);
    rolloutId = (JSON.parse(created.stdout) as { id: string }).id;

    // Pilot stage: the pilot ring is offered the update, broad nothing yet.
    for (const h of broad) expect(updateCommands(await h.checkIn())).toEqual([]);
    for (const h of pilots) {
      const [command] = updateCommands(await h.checkIn());
      expect(command).toMatchObject({ params: { version: '15.2', buildId: BUILD } });
      expect(h.state).toMatchObject({ osBuild: BUILD, osVersion: '15.2', securityPatch: '2026-12-05' });
      expect(h.pendingAcknowledgements).toEqual([expect.objectContaining({ state: 'succeeded' })]);
      await h.checkIn(); // acknowledges, reports the new build
    }
    const pilot = await until('pilot updated', (r) => ring(r, 'pilot').updated === 2);
    expect(ring(pilot, 'pilot')).toMatchObject({ updated: 2, failed: 0, pending: 0 });

    // The operator widens to broad; the handsets that install fine report first.
    const advanced = JSON.parse(
      (await cli(['os', 'rollout', 'advance', rolloutId, '--json'])).stdout,
    ) as Rollout;
    expect(advanced.currentStage).toBe(1);
    for (const h of broad) {
      expect(updateCommands(await h.checkIn())).toHaveLength(1);
      await h.checkIn();
    }
    await until('broad updated', (r) => ring(r, 'broad').updated === 3);
    for (const h of failing) {
      expect(updateCommands(await h.checkIn())).toHaveLength(1);
      expect(h.state.osBuild).not.toBe(BUILD);
      expect(h.pendingAcknowledgements).toEqual([
        expect.objectContaining({ state: 'failed', detail: 'install verification failed' }),
      ]);
      await h.checkIn();
    }
    const halted = await until('the automatic halt', (r) => r.state === 'halted');
    expect(halted.haltReason).toBe('1 of 4 updated devices failed (25%) in stage broad 100%; threshold 20%');

    // The NOC's and CLI's view: stages, progress per ring, the reason.
    const view = await show();
    expect(view).toMatchObject({ state: 'halted', haltReason: halted.haltReason });
    expect(ring(view, 'pilot')).toMatchObject({ updated: 2, failed: 0 });
    expect(ring(view, 'broad').failed).toBeGreaterThanOrEqual(1);
    expect((await cli(['os', 'rollout', 'show', rolloutId])).stdout).toContain(
      `halted: ${halted.haltReason}`,
    );

    // A halted rollout offers nothing more.
    expect(updateCommands(await late.checkIn())).toEqual([]);
    expect(updateCommands(await late.checkIn())).toEqual([]);
  }, 90_000);
});

describe.skipIf(!pg)("the handset's OTA client against the served repository", () => {
  let proxy: Server;
  let proxyUrl = '';
  let rewrite: ((p: string, body: Buffer) => Buffer) | null = null;

  beforeAll(async () => {
    // A hostile mirror: forwards to the real server and rewrites what a test says.
    proxy = createServer((req, res) => {
      void (async () => {
        const upstream = await fetch(`${server.url}${req.url}`);
        let body: Buffer = Buffer.from(await upstream.arrayBuffer());
        if (rewrite && upstream.ok) body = rewrite(req.url ?? '', body);
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(body);
      })();
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r())));

  const client = async (name: string) => {
    const d = path.join(dir, 'clients', name);
    await mkdir(d, { recursive: true });
    await copyFile(path.join(ceremony(), '1.root.json'), path.join(d, 'root.json'));
    return d;
  };
  const running = { model: 'labphone', buildId: 'PKZ1.251101.001', securityPatch: '2025-11-05' };

  it('verifies the genuine repository through the mirror', async () => {
    rewrite = null;
    const r = await fetchVerifiedUpdate({ serverUrl: proxyUrl, dir: await client('genuine') }, running, {
      version: '15.2',
    });
    expect(r).toMatchObject({ ok: true, target: { buildId: BUILD, securityPatchLevel: '2026-12-05' } });
  });

  it('refuses an expired timestamp, even one signed with the real timestamp key', async () => {
    const jwk = JSON.parse(await readFile(path.join(dir, 'keys', 'tuf-timestamp.jwk'), 'utf8')) as {
      x: string;
    };
    const pub = {
      keytype: 'ed25519',
      scheme: 'ed25519',
      keyval: { public: Buffer.from(jwk.x, 'base64url').toString('hex') },
    } as const;
    const key = {
      keyid: keyIdOf(pub),
      public: pub,
      privateKey: createPrivateKey({ key: jwk, format: 'jwk' }),
    };
    rewrite = (p, body) => {
      if (!p.endsWith('/timestamp.json')) return body;
      const { signed } = JSON.parse(body.toString()) as { signed: { version: number; expires: string } };
      const stale = {
        ...signed,
        version: signed.version + 1,
        expires: tufDate(new Date(Date.now() - 60_000)),
      };
      return Buffer.from(JSON.stringify(signMetadata<'timestamp'>(stale as never, [key])));
    };
    const r = await fetchVerifiedUpdate({ serverUrl: proxyUrl, dir: await client('expired') }, running, {
      version: '15.2',
    });
    expect(r).toEqual({ ok: false, detail: 'tuf: timestamp metadata expired' });
  });

  it('refuses targets metadata tampered with on the way (a patch level rewritten)', async () => {
    rewrite = (p, body) =>
      /targets\.json$/.test(p) ? Buffer.from(body.toString().replace('2026-12-05', '2027-12-05')) : body;
    const r = await fetchVerifiedUpdate({ serverUrl: proxyUrl, dir: await client('tampered') }, running, {
      version: '15.2',
    });
    expect(r).toEqual({ ok: false, detail: 'tuf: targets was signed by 0/1 keys' });
  });

  it('refuses a genuine, signed release older than what the handset runs', async () => {
    rewrite = null;
    const newer = { ...running, securityPatch: '2027-01-05' };
    const r = await fetchVerifiedUpdate({ serverUrl: server.url, dir: await client('downgrade') }, newer, {
      version: '15.2',
    });
    expect(r).toEqual({ ok: false, detail: 'downgrade refused: 2026-12-05 < 2027-01-05' });
  });
});
