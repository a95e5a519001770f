import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CataloguesService, TransparencyLogService } from '@pakawaaz/app-store';
import { verifyCatalogue } from '@pakawaaz/app-store/catalogue';
import { DEMO_EOFFICE, demoApkSignerPaths } from '@pakawaaz/handset-simulator';
import { FirstStartService } from '@pakawaaz/identity';
import { createLogger, DATABASE, rowsOf, sql, type DatabaseHandle, type Env } from '@pakawaaz/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/bootstrap.js';
import { seedDemoApps } from '../../src/demo-apps.js';

/*
 * The demo's e-Office seed as `npm start` runs it: the real control plane in this process (not listening) on
 * the embedded database of a fresh data folder, whose start-up seeds it; then the seed again by hand, and a
 * restart on the same folder. The store's own services did the work, so the checks read what a handset and
 * an auditor read: the catalogue (verifyCatalogue, with the log's proof) and the audit log.
 */
const ORIGIN = 'pakawaaz.local/app-store/log';

let dataDir: string;
let server: RunningServer | undefined;

function env(extra: Env = {}): Env {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    PAKAWAAZ_DATA_DIR: dataDir,
    PAKAWAAZ_ADMIN_PASSWORD: 'demo-apps-medium-passphrase',
    PAKAWAAZ_REQUIRE_PASSKEYS: 'false',
    RADIUS_AUTH_PORT: '0',
    RADIUS_ACCT_PORT: '0',
    // No device port (0 is off), so the demo fleet's handsets stay off; the fleet setting itself is on.
    PAKAWAAZ_DEVICE_PORT: '0',
    PAKAWAAZ_MQTT_PORT: '0',
    OPEN5GS_MONITOR: 'off',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

const start = (extra: Env = {}) =>
  startServer({ env: env(extra), cwd: dataDir, listen: false, logger: createLogger({ level: 'silent' }) });

const db = (): DatabaseHandle => server!.app.get<DatabaseHandle>(DATABASE, { strict: false });
const rows = async <T>(q: ReturnType<typeof sql>) => rowsOf<T>(await db().db.execute(q));

async function storeState() {
  return {
    apps: await rows<{ package_name: string; mandatory: boolean; org_id: string }>(
      sql`select package_name, mandatory, org_id from app_store.apps`,
    ),
    versions: await rows<{ id: string; track: string; state: string; version_code: string }>(
      sql`select id, track, state, version_code from app_store.app_versions`,
    ),
    orgs: await rows<{ name: string; institution_id: string }>(
      sql`select name, institution_id from app_store.developer_orgs`,
    ),
    reviews: await rows<{ reviewer: string; decision: string }>(
      sql`select reviewer, decision from app_store.reviews order by reviewer`,
    ),
    leaves: await rows<{ n: number }>(sql`select count(*)::int as n from app_store.log_leaves`),
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'pkz-demo-apps-'));
  server = await start();
});
afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the demo e-Office seed', () => {
  let demo: string;

  it('publishes e-Office at first start: one approved stable version, mandatory, by two distinct approvers', async () => {
    demo = (await server!.app.get(FirstStartService, { strict: false }).demoInstitutionId())!;
    expect(demo).toMatch(/^[0-9a-f-]{36}$/);
    const s = await storeState();
    expect(s.apps).toEqual([
      expect.objectContaining({ package_name: DEMO_EOFFICE.package, mandatory: true }),
    ]);
    expect(s.versions).toEqual([expect.objectContaining({ track: 'stable', state: 'approved' })]);
    expect(Number(s.versions[0]!.version_code)).toBe(1);
    expect(s.orgs).toEqual([{ name: 'Demo Digital Affairs IT', institution_id: demo }]);
    expect(s.reviews).toEqual([
      { reviewer: 'system:app-store-demo-seed-reviewer-1', decision: 'approve' },
      { reviewer: 'system:app-store-demo-seed-reviewer-2', decision: 'approve' },
    ]);
    expect(s.leaves).toEqual([{ n: 1 }]);
    // The demo key stays in the lab folder, readable by its owner only.
    expect((await stat(demoApkSignerPaths(path.join(dataDir, 'lab')).key)).mode & 0o777).toBe(0o600);
  });

  it('is in the demo institution’s catalogue with its log proof, verified as a handset does', async () => {
    const catalogues = server!.app.get(CataloguesService, { strict: false });
    const log = server!.app.get(TransparencyLogService, { strict: false });
    const c = await catalogues.current(demo);
    const verdict = await verifyCatalogue(
      c.entryJws,
      Buffer.from(c.index),
      {
        catalogueKey: catalogues.publicKey(),
        institution: demo,
        logKey: log.verifierKey(),
        logOrigin: ORIGIN,
      },
      {},
    );
    if (!verdict.ok) throw new Error(`${verdict.code}: ${verdict.message}`);
    const app = verdict.index.apps[DEMO_EOFFICE.package];
    const [sha, version] = Object.entries(app?.versions ?? {})[0] ?? [];
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(version).toMatchObject({
      versionCode: 1,
      versionName: '1.0',
      track: 'stable',
      mandatory: true,
      minSdk: 35,
      log: { leafIndex: 0, treeSize: 1 },
    });
    // Another institution's catalogue offers nothing of it.
    const other = await catalogues.current(randomUUID());
    expect(Object.keys((JSON.parse(other.index) as { apps: object }).apps)).toEqual([]);
  });

  it('says in the audit log that the demo seed did it', async () => {
    const audit = await rows<{ actor_type: string; actor_id: string; action: string; request_id: string }>(
      sql`select actor_type, actor_id, action, request_id from platform.audit_log
          where action like 'app-store.%' order by seq`,
    );
    expect(audit.map((a) => [a.actor_id, a.action])).toEqual([
      ['app-store-demo-seed-reviewer-1', 'app-store.org.created'],
      ['app-store-demo-seed-reviewer-1', 'app-store.org.member-added'],
      ['app-store-demo-seed', 'app-store.version.uploaded'],
      ['app-store-demo-seed-reviewer-1', 'app-store.app.mandatory-set'],
      ['app-store-demo-seed-reviewer-1', 'app-store.version.approved'],
      ['app-store-demo-seed-reviewer-2', 'app-store.version.approved'],
      ['app-store-demo-seed', 'app-store.demo-app.seeded'],
    ]);
    expect(new Set(audit.map((a) => `${a.actor_type} ${a.request_id}`))).toEqual(
      new Set(['system app-store-demo-seed']),
    );
  });

  it('seeds nothing when run again, nor after a restart on the same data folder', async () => {
    const before = await storeState();
    const apks = await readdir(path.join(dataDir, 'apks'));
    const again = await seedDemoApps({
      app: server!.app,
      config: server!.config,
      deviceMgmt: { demoFleet: true, labRootFile: path.join(dataDir, 'lab', 'attestation-root.pem') },
    });
    expect(again).toEqual({ seeded: false, reason: `${DEMO_EOFFICE.package} is in the store already` });
    await server!.close();
    server = undefined;
    server = await start();
    expect(await storeState()).toEqual(before);
    expect(await readdir(path.join(dataDir, 'apks'))).toEqual(apks);
  });

  it('does not run without the demo fleet (nor, in the service, without demo data)', async () => {
    const off = await seedDemoApps({
      app: server!.app,
      config: server!.config,
      deviceMgmt: { demoFleet: false, labRootFile: path.join(dataDir, 'lab', 'attestation-root.pem') },
    });
    expect(off).toEqual({ seeded: false, reason: 'the demo fleet is off' });
  });
});

describe('without demo data', () => {
  it('seeds no app, builds no APK and makes no demo key', async () => {
    await server?.close();
    server = undefined;
    await rm(dataDir, { recursive: true, force: true });
    dataDir = await mkdtemp(path.join(tmpdir(), 'pkz-demo-apps-off-'));
    server = await start({ PAKAWAAZ_SEED_DEMO: 'false' });
    expect(await storeState()).toMatchObject({ apps: [], versions: [], orgs: [], leaves: [{ n: 0 }] });
    await expect(stat(demoApkSignerPaths(path.join(dataDir, 'lab')).key)).rejects.toThrow(/ENOENT/);
  });
});
