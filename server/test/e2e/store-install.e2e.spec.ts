import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bufferSource, buildApk, inspectApk, makeSigner } from '@pakawaaz/apk';
import { verifyCatalogue, type CataloguePins } from '@pakawaaz/app-store/catalogue';
import {
  labRootPaths,
  loadOrCreateLabRoot,
  SimulatedHandset,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import { DATABASE, sql, type DatabaseHandle } from '@pakawaaz/platform';
import { freeTcpPort } from '@pakawaaz/test-support';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * An install end to end: an APK built and signed with @pakawaaz/apk is published through the real route (the
 * server's own inspector), approved by a reviewer of the institution (logged, catalogued with its inclusion
 * proof), and an `install_app` naming it — queued in device management's table as app-store's fleet port will
 * queue it ({ package, versionCode, apkSha256 }: the operator route does not take the hash) — is executed by a
 * lab-attested simulated handset over the device port: catalogue verified against the pinned keys, APK
 * downloaded by hash and checked, acknowledged `succeeded` at the next check-in.
 */
const PKG = 'gov.pk.health.records';

let server: TestServer;
let dir: string;
let root: LabAttestationRoot;
let admin = '';
let institutionId = '';
let handset: SimulatedHandset;
let apkSha256 = '';

const db = () => server.app.get<DatabaseHandle>(DATABASE).db;
const api = <T>(method: string, p: string, body?: unknown, token = admin) =>
  server.json<T>(method, p, { token, body });

// The driver's result (node-postgres or PGlite): its rows.
const first = <T>(result: unknown): T => (result as { rows: T[] }).rows[0]!;

async function queue(type: string, params: Record<string, unknown>): Promise<string> {
  const rows = await db().execute(
    sql`insert into device_mgmt.device_commands
          (device_id, institution_id, type, params, idempotency_key, created_by, created_by_name, expires_at)
        values (${handset.deviceId}, ${institutionId}, ${type}, ${JSON.stringify(params)}::jsonb,
                ${`app:e2e:${type}:${Date.now()}`}, 'app-store', 'app store', now() + interval '1 hour')
        returning id`,
  );
  return first<{ id: string }>(rows).id;
}

async function outcome(id: string): Promise<{ state: string; result: { detail?: string } | null }> {
  const rows = await db().execute(
    sql`select state, result from device_mgmt.device_commands where id = ${id}`,
  );
  return first<{ state: string; result: { detail?: string } | null }>(rows);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-store-install-'));
  root = await loadOrCreateLabRoot(path.join(dir, 'lab'));
  server = await startTestServer({
    OPEN5GS_MONITOR: 'off',
    PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
    PAKAWAAZ_TRUST_LAB_ROOT: '1',
    PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(path.join(dir, 'lab')).cert,
    PAKAWAAZ_STORE_APK_DIR: path.join(dir, 'apks'),
  });
  admin = await server.adminToken();
  institutionId = (await api<{ id: string }>('POST', '/api/v1/institutions', { name: 'Health' })).id;
  await api('POST', '/api/v1/users', {
    username: 'hina.health',
    displayName: 'Hina',
    kind: 'official',
    institution: institutionId,
    password: 'orchard-lantern-quartz-58',
  });

  // Publish (the administrator, a member of the institution's developer organisation), then approve (a
  // reviewer of the institution, another person: the uploader never reviews their own upload).
  const me = await api<{ id: string }>('GET', '/api/v1/auth/me');
  const org = await api<{ id: string }>('POST', '/api/v1/store/orgs', { name: 'Health IT', institutionId });
  await api('POST', `/api/v1/store/orgs/${org.id}/members`, { userId: me.id });
  const signer = await makeSigner({ algorithm: 'ec-p256', subject: 'CN=Health IT' });
  const apk = await buildApk({
    manifest: {
      package: PKG,
      versionCode: 7,
      versionName: '1.7',
      minSdk: 29,
      targetSdk: 35,
      permissions: ['android.permission.INTERNET'],
      usesCleartextTraffic: false,
    },
    signers: [signer],
  });
  const published = await fetch(`${server.url}/api/v1/store/apps/versions?track=stable&notes=first`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/vnd.android.package-archive' },
    body: apk,
  });
  const body = (await published.json()) as { version: { id: string; apkSha256: string } };
  expect(published.status, JSON.stringify(body)).toBe(201);
  apkSha256 = body.version.apkSha256;
  // The reviewer is another person: an API token the administrator owns would still be the administrator.
  await api('POST', '/api/v1/users', {
    kind: 'operator',
    username: 'hamid.reviewer',
    displayName: 'Hamid (health reviewer)',
    institution: institutionId,
    roles: ['app-reviewer'],
    password: 'quarry-lantern-violet-71',
  });
  const reviewerToken = await server.signIn('hamid.reviewer', 'quarry-lantern-violet-71');
  await api(
    'POST',
    `/api/v1/store/versions/${body.version.id}/reviews`,
    { decision: 'approve', reason: 'e2e' },
    reviewerToken,
  );

  // The handset pins the catalogue key and the log key (a real one ships them; this one reads them once).
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
  handset = new SimulatedHandset({
    apiUrl: server.url,
    deviceUrl: server.devicePort.open ? server.devicePort.url : '',
    root,
    store: {
      verify: (jws, bytes, state) => verifyCatalogue(jws, bytes, pins, state),
      inspect: (b) => inspectApk(bufferSource(b)),
    },
  });
  const { token } = await api<{ token: string }>('POST', '/api/v1/enrolment-tokens', {
    official: 'hina.health',
  });
  await handset.enrol(token);
  await handset.checkIn();
}, 180_000);

afterAll(async () => {
  handset?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('installing from the store through device management', () => {
  it('a queued install_app is verified, installed and acknowledged succeeded', async () => {
    const id = await queue('install_app', { package: PKG, versionCode: 7, apkSha256 });
    await handset.checkIn(); // delivered and obeyed
    expect(handset.pendingAcknowledgements).toEqual([{ commandId: id, state: 'succeeded' }]);
    expect(handset.state.apps).toContainEqual(
      expect.objectContaining({ package: PKG, versionCode: 7, apkSha256 }),
    );
    await handset.checkIn(); // acknowledged
    expect(await outcome(id)).toMatchObject({ state: 'succeeded' });
  });

  it('an install_app naming an APK outside the catalogue fails with the stable code', async () => {
    const id = await queue('install_app', { package: PKG, versionCode: 8, apkSha256: 'b'.repeat(64) });
    await handset.checkIn();
    await handset.checkIn();
    const o = await outcome(id);
    expect(o.state).toBe('failed');
    expect(o.result?.detail).toMatch(/^apk_not_in_catalogue: /);
  });
});
