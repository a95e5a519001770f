import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  labRootPaths,
  loadOrCreateLabRoot,
  SimulatedHandset,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import {
  controlPlaneApi,
  signedIn,
  unwrap,
  type ControlPlaneApi,
} from '../server-process/control-plane-api.js';
import { freeTcpPort, startServerProcess, type ServerProcess } from '../server-process/server-process.js';
import { withThrowawayDatabase } from '../server-process/throwaway-database.js';
import { closedLoop, describeLoad, type LoadResult } from './load.js';

/**
 * Device check-ins against the built server in a child process, on embedded PGlite and on PostgreSQL:
 * BENCH_DEVICES handsets (default 2,000; the target is 10,000 within 10 s at p99 ≤ 200 ms on PostgreSQL)
 * enrol through the real API (lab-attested keys), then each checks in over mutual TLS with its own device
 * certificate — first with a TLS handshake per handset (the storm after a server restart), then again over
 * the kept-alive connections. Baseline, same run and same connections: `GET /healthz` on the device port,
 * the floor of TLS + HTTP without any device work.
 */
const ADMIN_PASSWORD = 'amber-quarry-lantern-61';
const DEVICES = Number(process.env.BENCH_DEVICES ?? 2000);
const IN_FLIGHT = 256;
/**
 * A closed loop's latency is its queue: with N requests in flight, p50 ≈ N / rate. So the kept-alive check-ins
 * also run at a moderate concurrency, where latency is the server's and not the queue's.
 */
const MODERATE_IN_FLIGHT = 64;
/** BENCH_CPU_PROF_DIR: the server child writes a V8 CPU profile there (`node --cpu-prof`) when it stops. */
const PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR;
const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function provision(api: ControlPlaneApi): Promise<void> {
  const inst = await unwrap(api.POST('/api/v1/institutions', { body: { name: 'Bench Ministry' } }));
  await unwrap(
    api.POST('/api/v1/users', {
      body: {
        username: 'bench.official',
        displayName: 'Bench Official',
        kind: 'official',
        institution: inst.id,
        password: 'cobalt-ferry-lantern-84',
      },
    }),
  );
}

async function enrolAll(
  server: ServerProcess,
  api: ControlPlaneApi,
  root: LabAttestationRoot,
  deviceUrl: string,
) {
  const handsets: SimulatedHandset[] = [];
  const result = await closedLoop({
    concurrency: 16,
    maxCount: DEVICES,
    maxMs: 15 * 60_000,
    op: async () => {
      const { token } = await unwrap(
        api.POST('/api/v1/enrolment-tokens', { body: { official: 'bench.official', expiresInHours: 1 } }),
      );
      const h = new SimulatedHandset({ apiUrl: server.url, deviceUrl, root });
      await h.enrol(token);
      handsets.push(h);
      return true;
    },
  });
  out(describeLoad('enrolment (token + challenge + attestation + certificate)', 'enrolments', result));
  return handsets;
}

/**
 * CPU time (user + system, ms) the server process has used so far, from /proc (Linux; clock ticks of 10 ms):
 * on a machine whose cores the bench client shares, the server's CPU per check-in says more about a node's
 * capacity than the rate alone.
 */
function serverCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** A storm, with the server's CPU per operation over it appended to the line. */
async function measured(
  server: ServerProcess,
  label: string,
  unit: string,
  run: () => Promise<LoadResult>,
): Promise<void> {
  const before = serverCpuMs(server.pid);
  const result = await run();
  const after = serverCpuMs(server.pid);
  const cpu =
    before === null || after === null || result.count === 0
      ? ''
      : `; server CPU ${((after - before) / result.count).toFixed(2)} ms per ${unit.replace(/s$/, '')}`;
  out(`${describeLoad(label, unit, result)}${cpu}`);
}

const storm = (
  handsets: SimulatedHandset[],
  op: (h: SimulatedHandset) => Promise<unknown>,
  concurrency = IN_FLIGHT,
): Promise<LoadResult> =>
  closedLoop({
    concurrency,
    maxCount: handsets.length,
    maxMs: 120_000,
    op: async (i) => {
      await op(handsets[i] as SimulatedHandset);
      return true;
    },
  });

async function runMode(name: string, env: Record<string, string>, root: LabAttestationRoot, labDir: string) {
  out(`\n## device check-ins on ${name} (${DEVICES} handsets, ${IN_FLIGHT} in flight)`);
  const devicePort = await freeTcpPort();
  // One data folder for both servers: the second starts on the first one's device CA (and embedded database).
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pkz-bench-server-'));
  const start = (extra: Record<string, string>) =>
    startServerProcess({
      adminPassword: ADMIN_PASSWORD,
      dataDir,
      ...(PROFILE_DIR ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] } : {}),
      env: {
        ...env,
        ...extra,
        PAKAWAAZ_DEVICE_PORT: String(devicePort),
        PAKAWAAZ_TRUST_LAB_ROOT: '1',
        PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(labDir).cert,
        PAKAWAAZ_ENROLMENT_RATE_PER_IP: '1000000',
      },
    });
  const keptAlive = async (on: ServerProcess, label: string) => {
    await measured(on, `${label}, kept-alive mTLS`, 'check-ins', () => storm(handsets, (h) => h.checkIn()));
    await measured(on, `${label}, kept-alive mTLS, ${MODERATE_IN_FLIGHT} in flight`, 'check-ins', () =>
      storm(handsets, (h) => h.checkIn(), MODERATE_IN_FLIGHT),
    );
  };
  const handsets: SimulatedHandset[] = [];
  let server: ServerProcess | undefined;
  try {
    server = await start({});
    const admin = await signedIn(controlPlaneApi(server.url), 'admin', ADMIN_PASSWORD);
    await provision(admin);
    handsets.push(...(await enrolAll(server, admin, root, `https://127.0.0.1:${devicePort}`)));
    out(
      describeLoad(
        'check-in storm, a TLS handshake per handset',
        'check-ins',
        await storm(handsets, (h) => h.checkIn()),
      ),
    );
    await measured(server, 'baseline: GET /healthz, kept-alive mTLS', 'requests', () =>
      storm(handsets, (h) => h.deviceCall('GET', '/healthz')),
    );
    await keptAlive(server, 'check-ins (group commit)');
    // Same-run baseline for the group commit: the same server restarted on the same data, writing each
    // check-in in its own statement. Its first round re-opens the handsets' connections (and warms the
    // node's memory of the devices), so it is not counted.
    await server.stop();
    server = await start({ PAKAWAAZ_CHECK_IN_BATCH: '1' });
    await storm(handsets, (h) => h.checkIn());
    await keptAlive(server, 'check-ins (one statement each, PAKAWAAZ_CHECK_IN_BATCH=1)');
  } catch (error) {
    out(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (server) out(`server output (tail):\n${server.output()}`);
    process.exitCode = 1;
  } finally {
    handsets.forEach((h) => h.close());
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const labDir = await mkdtemp(path.join(tmpdir(), 'pkz-bench-lab-'));
  const onSignal = (): void => process.exit(130);
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const root = await loadOrCreateLabRoot(labDir);
    await runMode('embedded PGlite (the default)', {}, root, labDir);
    const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const ran = await withThrowawayDatabase(adminUrl, `pakawaaz_device_bench_${process.pid}`, (url) =>
      runMode('PostgreSQL (production mode)', { DATABASE_URL: url }, root, labDir).then(() => true),
    );
    if (!ran) out('\n(PostgreSQL not reachable at TEST_DATABASE_URL: PostgreSQL rows skipped)');
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await rm(labDir, { recursive: true, force: true });
  }
}
