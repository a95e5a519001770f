import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bufferSource, buildApk, inspectApk, makeSigner } from '@pakawaaz/apk';
import { AppRolloutEngine } from '@pakawaaz/app-store';
import { verifyCatalogue, type CataloguePins } from '@pakawaaz/app-store/catalogue';
import {
  labRootPaths,
  loadOrCreateLabRoot,
  SimulatedHandset,
  type HandsetOptions,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import { freeTcpPort } from '@pakawaaz/test-support';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { freshPostgresDatabase, postgresAvailable, type FreshDatabase } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The app store's "done when", end to end on PostgreSQL with the real CLI, the real server (its APK inspector,
 * transparency log, signed catalogues, rollout engine and device management) and lab-attested simulated
 * handsets that verify what they install: a developer publishes from the CLI with progress, a reviewer of the
 * institution approves; a staged rollout installs the version through device management's `install_app` on
 * the institution's handsets only — each one verifying the signed catalogue, the APK's inclusion proof, hash
 * and signer — and they report back; the next version's rollout halts by itself when handsets report crashes;
 * the kill switch withdraws that version from the catalogue and uninstalls it.
 */
const PKG = 'gov.pk.records.desk';
const RECORDS = 'Ministry of Records';
const ELSEWHERE = 'Ministry of Elsewhere';
const HANDSETS = 6;
const REVIEWER_PASSWORD = 'quarry-lantern-violet-71';
const pg = await postgresAvailable();

let db: FreshDatabase;
let server: TestServer;
let dir: string;
let root: LabAttestationRoot;
let admin = '';
let reviewerToken = '';
let signer: Awaited<ReturnType<typeof makeSigner>>;
const institutions: Record<string, string> = {};
const records: { handset: SimulatedHandset; options: HandsetOptions }[] = [];
let outsider: SimulatedHandset;

type Figures = { targeted: number; queued: number; installed: number; crashing: number; failed: number };
type Rollout = {
  id: string;
  appId: string;
  state: string;
  percent: number;
  haltReason: string | null;
  figures: Figures | null;
};

const api = <T>(method: string, p: string, body?: unknown, token = admin) =>
  server.json<T>(method, p, { token, body });

async function cli(args: string[]) {
  const r = await runCli(args, { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: admin });
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return r;
}
const cliJson = async <T>(args: string[]) => JSON.parse((await cli([...args, '--json'])).stdout) as T;
const show = (id: string) => cliJson<Rollout>(['store', 'rollout', 'show', id]);
const tick = () => server.app.get(AppRolloutEngine).tick();

/** Every Records handset checks in twice: commands delivered and obeyed, then acknowledged with its apps. */
async function checkInAll(): Promise<void> {
  for (let round = 0; round < 2; round++) for (const { handset } of records) await handset.checkIn();
  await outsider.checkIn();
}

/** A device's place in an app's rollouts, [0, 10000): SHA-256(appId:deviceId), first 4 bytes big-endian. */
const place = (appId: string, deviceId: string) =>
  createHash('sha256').update(`${appId}:${deviceId}`).digest().readUInt32BE(0) % 10_000;

/** A percent whose share holds some of these places and not all (the split nearest the middle). */
function splittingPercent(places: number[]): number {
  const hundreds = places.map((p) => Math.floor(p / 100)).sort((a, b) => a - b);
  const splits = hundreds.flatMap((h, k) => (k + 1 < hundreds.length && h < hundreds[k + 1]! ? [k] : []));
  const mid = (hundreds.length - 1) / 2;
  const k = splits.sort((a, b) => Math.abs(a - mid) - Math.abs(b - mid))[0];
  if (k === undefined) throw new Error('every handset sits in the same percent: run again');
  return hundreds[k]! + 1;
}

const versionOf = (h: SimulatedHandset) => h.state.apps.find((a) => a.package === PKG)?.versionCode;

/** Publishes an APK of PKG at `versionCode` from the CLI (streamed, with progress) and approves it. */
async function publishAndApprove(versionCode: number): Promise<{ stderr: string; sha256: string }> {
  const apk = await buildApk({
    manifest: {
      package: PKG,
      versionCode,
      versionName: `2.${versionCode}`,
      minSdk: 29,
      targetSdk: 35,
      permissions: ['android.permission.INTERNET'],
      usesCleartextTraffic: false,
    },
    signers: [signer],
  });
  const file = path.join(dir, `records-${versionCode}.apk`);
  await writeFile(file, apk);
  const r = await cli(['store', 'publish', file, '--track', 'stable', '--json']);
  const published = JSON.parse(r.stdout) as { version: { id: string; state: string; apkSha256: string } };
  expect(published.version.state).toBe('in_review');
  const approved = await api<{ state: string }>(
    'POST',
    `/api/v1/store/versions/${published.version.id}/reviews`,
    { decision: 'approve', reason: 'reviewed in the e2e' },
    reviewerToken,
  );
  expect(approved.state).toBe('approved');
  return { stderr: r.stderr, sha256: published.version.apkSha256 };
}

async function enrol(
  official: string,
  institutionId: string,
): Promise<{ handset: SimulatedHandset; options: HandsetOptions }> {
  // The handset pins the catalogue key, the log key and its institution (a real one ships the keys).
  const logKey = (
    await (await server.request('GET', '/api/v1/store/log/key', { token: admin })).text()
  ).trim();
  const catalogueKey = (await api<{ jwk: JWK }>('GET', '/api/v1/store/catalogue/key')).jwk;
  const pins: CataloguePins = {
    catalogueKey,
    institution: institutionId,
    logKey,
    logOrigin: logKey.slice(0, logKey.indexOf('+')),
  };
  const options: HandsetOptions = {
    apiUrl: server.url,
    deviceUrl: server.devicePort.open ? server.devicePort.url : '',
    root,
    store: {
      verify: (jws, bytes, state) => verifyCatalogue(jws, bytes, pins, state),
      inspect: (b) => inspectApk(bufferSource(b)),
    },
  };
  const handset = new SimulatedHandset(options);
  const { token } = await api<{ token: string }>('POST', '/api/v1/enrolment-tokens', { official });
  await handset.enrol(token);
  await handset.checkIn();
  return { handset, options };
}

beforeAll(async () => {
  if (!pg) return;
  ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-store-rollout-'));
  root = await loadOrCreateLabRoot(path.join(dir, 'lab'));
  db = await freshPostgresDatabase();
  server = await startTestServer({
    DATABASE_URL: db.url,
    OPEN5GS_MONITOR: 'off',
    PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
    PAKAWAAZ_TRUST_LAB_ROOT: '1',
    PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(path.join(dir, 'lab')).cert,
    PAKAWAAZ_STORE_APK_DIR: path.join(dir, 'apks'),
  });
  admin = await server.adminToken();
  for (const [name, official] of [
    [RECORDS, 'rafi.records'],
    [ELSEWHERE, 'ela.elsewhere'],
  ] as const) {
    institutions[name] = (await api<{ id: string }>('POST', '/api/v1/institutions', { name })).id;
    await api('POST', '/api/v1/users', {
      username: official,
      displayName: official,
      kind: 'official',
      institution: institutions[name],
      password: 'orchard-lantern-quartz-58',
    });
  }
  const recordsId = institutions[RECORDS]!;
  // The developer organisation of the institution, with the administrator as its member (the uploader), and a
  // reviewer of the institution (the uploader never reviews their own upload).
  const me = await api<{ id: string }>('GET', '/api/v1/auth/me');
  const org = await api<{ id: string }>('POST', '/api/v1/store/orgs', {
    name: 'Records IT',
    institutionId: recordsId,
  });
  await api('POST', `/api/v1/store/orgs/${org.id}/members`, { userId: me.id });
  // A reviewer of the institution, another person than the uploader (four eyes: the administrator's own
  // API token would still be the administrator), signed in with a password.
  await api('POST', '/api/v1/users', {
    kind: 'operator',
    username: 'rubina.reviewer',
    displayName: 'Rubina (records reviewer)',
    institution: recordsId,
    roles: ['app-reviewer'],
    password: REVIEWER_PASSWORD,
  });
  reviewerToken = await server.signIn('rubina.reviewer', REVIEWER_PASSWORD);
  signer = await makeSigner({ algorithm: 'ec-p256', subject: 'CN=Records IT' });
  for (let i = 0; i < HANDSETS; i++) records.push(await enrol('rafi.records', recordsId));
  outsider = (await enrol('ela.elsewhere', institutions[ELSEWHERE]!)).handset;
}, 240_000);

afterAll(async () => {
  for (const { handset } of records) handset.close();
  outsider?.close();
  await server?.stop();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!pg)(
  'the app store end to end: publish, review, staged rollout, automatic halt, kill switch',
  () => {
    let first = '';
    let sha7 = '';

    it('a developer publishes from the CLI with progress, a reviewer of the institution approves', async () => {
      const { stderr, sha256 } = await publishAndApprove(7);
      sha7 = sha256;
      // Not a terminal: a progress line per 10 %, ending at 100 %.
      expect(stderr).toMatch(/100%/);
    });

    it('a staged rollout installs it, verified, on its share of the institution only, and widens', async () => {
      const started = await cliJson<Rollout>([
        'store',
        'rollout',
        'start',
        PKG,
        '--version-code',
        '7',
        '--institution',
        RECORDS,
        '--percent',
        '1',
      ]);
      first = started.id;
      // A device's place is the documented hash of app and device (README, "Who gets it"): widened, before any
      // check-in, to a share that holds some of the six handsets and not all (a fixed 50 % holds all or none
      // of them once in 32 runs).
      const share = splittingPercent(records.map(({ handset }) => place(started.appId, handset.deviceId!)));
      await cli(['store', 'rollout', 'set', first, '--percent', String(share)]);
      await checkInAll();
      const half = await show(first);
      const installed = records.filter(({ handset }) => versionOf(handset) === 7);
      // Exactly the handsets in the share installed it.
      expect(installed.map(({ handset }) => handset.deviceId).sort()).toEqual(
        records
          .filter(({ handset }) => place(started.appId, handset.deviceId!) < share * 100)
          .map(({ handset }) => handset.deviceId)
          .sort(),
      );
      expect(half.figures).toMatchObject({
        targeted: installed.length,
        installed: installed.length,
        failed: 0,
      });
      expect(installed.length).toBeGreaterThan(0);
      expect(installed.length).toBeLessThan(HANDSETS);

      await cli(['store', 'rollout', 'set', first, '--percent', '100']);
      await checkInAll();
      expect(records.map(({ handset }) => versionOf(handset))).toEqual(Array(HANDSETS).fill(7));
      // Each install was checked against the catalogue and the APK: the handset holds what the catalogue lists.
      for (const { handset } of records)
        expect(handset.state.apps.find((a) => a.package === PKG)).toMatchObject({ apkSha256: sha7 });
      await tick();
      expect(await show(first)).toMatchObject({
        state: 'completed',
        figures: { targeted: HANDSETS, installed: HANDSETS, failed: 0, crashing: 0 },
      });
      // Another institution's handset was offered nothing and has nothing.
      expect(versionOf(outsider)).toBeUndefined();
    });

    it('the next version halts by itself once handsets that installed it report crashes', async () => {
      await publishAndApprove(8);
      const second = await cliJson<Rollout>([
        'store',
        'rollout',
        'start',
        PKG,
        '--version-code',
        '8',
        '--institution',
        RECORDS,
        '--percent',
        '100',
      ]);
      for (const { handset } of records) await handset.checkIn(); // delivered and installed
      expect(records.map(({ handset }) => versionOf(handset))).toEqual(Array(HANDSETS).fill(8));
      // Two handsets' copies crash; their next check-ins say so (with the acknowledgements).
      records[0]!.options.crashApps = true;
      records[1]!.options.crashApps = true;
      for (const { handset } of records) await handset.checkIn();
      await tick();
      const halted = await show(second.id);
      expect(halted.state).toBe('halted');
      expect(halted.haltReason).toMatch(/2 crashing/);
      expect(halted.figures).toMatchObject({ installed: HANDSETS, crashing: 2 });
    });

    it('the kill switch withdraws the version from the catalogue and uninstalls it from the handsets', async () => {
      const killed = await cliJson<{ uninstallsQueued: number }>([
        'store',
        'kill',
        PKG,
        '--version-code',
        '8',
        '--reason',
        'crashes on start',
      ]);
      expect(killed.uninstallsQueued).toBe(HANDSETS);
      await checkInAll();
      expect(records.map(({ handset }) => versionOf(handset))).toEqual(Array(HANDSETS).fill(undefined));
      const catalogue = await api<{ index: string }>(
        'GET',
        `/api/v1/store/institutions/${institutions[RECORDS]}/catalogue`,
      );
      const versions = Object.values(
        (
          JSON.parse(catalogue.index) as {
            apps: Record<string, { versions: Record<string, { versionCode: number }> }>;
          }
        ).apps[PKG]?.versions ?? {},
      ).map((v) => v.versionCode);
      expect(versions).toEqual([7]);
    });
  },
);
