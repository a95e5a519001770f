import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_EOFFICE, DEMO_HANDSETS, DEMO_HEALTH_INSTITUTION } from '@pakawaaz/handset-simulator';
import { DEMO_INSTITUTION } from '@pakawaaz/identity';
import { freeTcpPort } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/cli.js';
import { startServerProcess, waitFor, waitHealthy, type ServerRun } from '../support/server-process.js';

/*
 * `npm start` with the embedded database and its demo data: the real process forks the demo fleet, whose
 * simulated handsets enrol for demo officials of two institutions and check in, so the NOC's device pages
 * are alive; the demo institution's handsets install its mandatory e-Office through the verified installer;
 * SIGTERM stops the fleet with the server.
 */
const PASSWORD = 'quartz-lantern-orchard-58';

type Device = {
  id: string;
  compliance: string;
  complianceReasons: string[];
  institutionName: string | null;
  lastCheckInAt: string | null;
};
type Command = { type: string; state: string; params: Record<string, unknown> | null };
type InstalledApp = { package: string; versionCode: number; apkSha256?: string; signers?: string[] };

let dataDir: string;
let run: ServerRun;
let port: number;
let token: string;
let env: Record<string, string>;

async function get<T>(p: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function start(): Promise<void> {
  run = startServerProcess(env);
  await waitHealthy(run, `http://127.0.0.1:${port}`, 100_000);
  const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  token = ((await login.json()) as { accessToken: string }).accessToken;
}

beforeAll(async () => {
  ensureBuilt();
  dataDir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-demo-fleet-'));
  port = await freeTcpPort();
  env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PAKAWAAZ_DATA_DIR: dataDir,
    PAKAWAAZ_ADMIN_PASSWORD: PASSWORD,
    PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
    // The embedded broker, as `npm start` has it (on 18830 there; a free port here).
    PAKAWAAZ_MQTT_PORT: String(await freeTcpPort()),
    // As `npm start` has it: unset (the spawner turns it off for every other test).
    PAKAWAAZ_DEMO_FLEET: '',
    RADIUS_ENABLED: 'false',
    OPEN5GS_MONITOR: 'off',
    LOG_LEVEL: 'info',
  };
  await start();
}, 120_000);

afterAll(async () => {
  if (run && run.child.exitCode === null) {
    run.child.kill('SIGKILL');
    await run.exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('the embedded demo fleet', () => {
  it('enrols handsets for officials of both demo institutions, most compliant, two on an old patch', async () => {
    await waitFor(async () => {
      const s = await get<{ total: number; byCompliance: Record<string, number> }>('/api/v1/devices/summary');
      return s.total === DEMO_HANDSETS.length && s.byCompliance.compliant === 8;
    }, 45_000);
    const summary = await get<{ byCompliance: Record<string, number>; trustsLabAttestationRoot: boolean }>(
      '/api/v1/devices/summary',
    );
    expect(summary.byCompliance).toEqual({ compliant: 8, grace: 0, non_compliant: 2 });
    // Trusted because the demo is on, and the NOC says so on every page.
    expect(summary.trustsLabAttestationRoot).toBe(true);
    const { devices } = await get<{ devices: Device[] }>('/api/v1/devices?limit=50');
    expect(new Set(devices.map((d) => d.institutionName))).toEqual(
      new Set([DEMO_INSTITUTION, DEMO_HEALTH_INSTITUTION]),
    );
    expect(devices.every((d) => d.lastCheckInAt !== null)).toBe(true);
    const old = devices.filter((d) => d.compliance === 'non_compliant');
    expect(old.map((d) => d.complianceReasons)).toEqual([['PATCH_LEVEL'], ['PATCH_LEVEL']]);
    expect(old.every((d) => d.institutionName === DEMO_HEALTH_INSTITUTION)).toBe(true);
  });

  it("installs e-Office on the demo institution's handsets through the verified installer", async () => {
    await waitFor(() => Promise.resolve(run.output().includes('demo fleet is checking in')), 30_000);
    const started = Date.now();
    const { apps } = await get<{ apps: { id: string; packageName: string }[] }>('/api/v1/store/apps');
    const eoffice = apps.find((a) => a.packageName === DEMO_EOFFICE.package)!;
    const { versions } = await get<{
      versions: { versionCode: number; apkSha256: string; signers: string[] }[];
    }>(`/api/v1/store/apps/${eoffice.id}/versions`);
    const v1 = versions[0]!;
    expect(v1.versionCode).toBe(1);
    const { devices } = await get<{ devices: Device[] }>('/api/v1/devices?limit=50');
    const digital = devices.filter((d) => d.institutionName === DEMO_INSTITUTION);
    const installs = async (d: Device) =>
      (await get<{ commands: Command[] }>(`/api/v1/devices/${d.id}/commands`)).commands.filter(
        (c) => c.type === 'install_app',
      );
    // The engine is nudged once the fleet is ready; the handsets take the command at their next check-in
    // (every 30 s ± 20 %) and acknowledge it at once. The switched-off one never does.
    await waitFor(async () => {
      const states = await Promise.all(digital.map(async (d) => (await installs(d)).map((c) => c.state)));
      return states.filter((s) => s.includes('succeeded')).length === digital.length - 1;
    }, 50_000);
    expect(Date.now() - started).toBeLessThan(50_000);
    for (const d of digital) {
      const commands = await installs(d);
      expect(commands).toHaveLength(1);
      expect(commands[0]!.params).toEqual({
        package: DEMO_EOFFICE.package,
        versionCode: 1,
        apkSha256: v1.apkSha256,
      });
    }
    // The NOC's device page: e-Office in the check-in report of every handset that is on.
    const installed: string[] = [];
    for (const d of digital) {
      const detail = await get<{ lastReport: { apps?: InstalledApp[] } | null }>(`/api/v1/devices/${d.id}`);
      if (detail.lastReport?.apps?.some((a) => a.package === DEMO_EOFFICE.package && a.versionCode === 1))
        installed.push(d.id);
    }
    expect(installed).toHaveLength(digital.length - 1);
    // Through the verified path: what a handset keeps of an install it verified (the unchecked path records
    // the package and version only) is the APK's hash and signer, equal to what the store approved.
    const state = JSON.parse(await readFile(path.join(dataDir, 'lab', 'demo-fleet.json'), 'utf8')) as {
      store?: { catalogueKey: unknown; logKey: string };
      handsets: {
        institution?: string;
        saved: { enrolment: { deviceId: string }; state: { apps: InstalledApp[] } };
      }[];
    };
    expect(state.store?.logKey).toMatch(/^[^+]+\+[0-9a-f]{8}\+/);
    const held = state.handsets
      .filter((h) => installed.includes(h.saved.enrolment.deviceId))
      .map((h) => h.saved.state.apps.find((a) => a.package === DEMO_EOFFICE.package));
    expect(held).toHaveLength(installed.length);
    for (const app of held)
      expect(app).toMatchObject({ versionCode: 1, apkSha256: v1.apkSha256, signers: v1.signers });
  }, 90_000);

  it('leaves its commands pending for the handset that is switched off', { timeout: 150_000 }, async () => {
    await waitFor(() => Promise.resolve(run.output().includes('demo fleet is checking in')), 30_000);
    const queued = async () => {
      const { devices } = await get<{ devices: Device[] }>('/api/v1/devices?limit=50');
      const pending: (Command & { deviceId: string })[] = [];
      for (const d of devices) {
        const { commands } = await get<{ commands: Command[] }>(`/api/v1/devices/${d.id}/commands`);
        pending.push(...commands.filter((c) => c.state === 'queued').map((c) => ({ ...c, deviceId: d.id })));
      }
      return pending;
    };
    // The OS update the fleet left it, and e-Office, which it will install when it comes back: the store's
    // mandatory rule queues that install for handsets enrolled after its rollout on the engine's next tick
    // (APP_TICK_MS, 30 s), so it may come a tick after the others.
    const shape = (p: (Command & { deviceId: string })[]) => ({
      types: p.map((c) => c.type).sort(),
      devices: new Set(p.map((c) => c.deviceId)).size,
    });
    const expected = { types: ['install_app', 'update_os'], devices: 1 };
    let pending = await queued();
    const settled = async () => {
      pending = await queued();
      return JSON.stringify(shape(pending)) === JSON.stringify(expected);
    };
    // Waited for exactly, then asserted: on a timeout the diff shows what was queued instead.
    await waitFor(settled, 70_000).catch(() => undefined);
    expect(shape(pending)).toEqual(expected);
  });

  it('keeps the handsets that are on connected to the embedded broker, so a push wakes them', async () => {
    const connected = async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return Number(/^pakawaaz_mqtt_connected_devices (\d+)$/m.exec(text)?.[1] ?? -1);
    };
    // Every handset but the switched-off one (which stays off the broker too).
    await waitFor(async () => (await connected()) === DEMO_HANDSETS.length - 1, 60_000).catch(
      () => undefined,
    );
    expect(await connected()).toBe(DEMO_HANDSETS.filter((h) => !h.offline).length);
  });

  it("registers the handsets' model and the lab boot key with hardened-os (os publish works out of the box)", async () => {
    await waitFor(() => Promise.resolve(run.output().includes('demo fleet is checking in')), 30_000);
    const { models } = await get<{ models: { codename: string }[] }>('/api/v1/os/models');
    expect(models.map((m) => m.codename)).toContain('labphone');
    const { keys: bootKeys } = await get<{ keys: { model: string; digest: string; status: string }[] }>(
      '/api/v1/os/boot-keys',
    );
    // SHA-256 of "pakawaaz lab verified-boot key": the key the lab handsets attest.
    expect(bootKeys).toContainEqual(
      expect.objectContaining({
        model: 'labphone',
        digest: 'ab8e0a68d2ee9f4ad0e6c640c1dae087c133ce2b81526cf08fe8e28254aecfa3',
        status: 'active',
      }),
    );
  });

  it("publishes the demo institution's mandatory e-Office app in the store (the apps page lists it)", async () => {
    expect(run.output()).not.toContain('the demo apps could not be seeded');
    const { apps } = await get<{ apps: { id: string; packageName: string; mandatory: boolean }[] }>(
      '/api/v1/store/apps',
    );
    const eoffice = apps.find((a) => a.packageName === DEMO_EOFFICE.package);
    expect(eoffice).toMatchObject({ mandatory: true });
    const { versions } = await get<{ versions: { state: string; track: string; reviews: unknown[] }[] }>(
      `/api/v1/store/apps/${eoffice!.id}/versions`,
    );
    expect(versions).toEqual([expect.objectContaining({ state: 'approved', track: 'stable' })]);
    expect(versions[0]!.reviews).toHaveLength(2);
  });

  it('revokes its set-up token once ready, and stops with the server on SIGTERM', async () => {
    const { tokens } = await get<{ tokens: { name: string; revokedAt: string | null }[] }>('/api/v1/tokens');
    expect(tokens.find((t) => t.name === 'demo fleet set-up')?.revokedAt).not.toBeNull();
    const fleetPid = Number(/"fleetPid":(\d+)/.exec(run.output())?.[1]);
    expect(fleetPid).toBeGreaterThan(0);
    expect(alive(fleetPid)).toBe(true);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/"msg":"stopped"/);
    expect(alive(fleetPid)).toBe(false);
  });

  it('resumes the same handsets on a restart, with the store pinned and no set-up token', async () => {
    await start();
    await waitFor(() => Promise.resolve(run.output().includes('demo fleet is checking in')), 60_000);
    expect(run.output()).not.toContain('install apps unchecked');
    const summary = await get<{ total: number }>('/api/v1/devices/summary');
    expect(summary.total).toBe(DEMO_HANDSETS.length);
    const { tokens } = await get<{ tokens: { name: string }[] }>('/api/v1/tokens');
    expect(tokens.filter((t) => t.name === 'demo fleet set-up')).toHaveLength(1);
  }, 120_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
