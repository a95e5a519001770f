import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  labRootPaths,
  loadOrCreateLabRoot,
  type SimulatedHandset,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import { controlPlaneApi, signedIn } from '../server-process/control-plane-api.js';
import { freeTcpPort, startServerProcess, type ServerProcess } from '../server-process/server-process.js';
import { withThrowawayDatabase } from '../server-process/throwaway-database.js';
import { provisionOfficial, enrolHandsets } from './bench-fleet.js';
import { closedLoop, describeLoad, processCpuSeconds, type LoadResult } from './load.js';

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

/** A storm, with the server's CPU per operation over it appended to the line. */
async function measured(
  server: ServerProcess,
  label: string,
  unit: string,
  run: () => Promise<LoadResult>,
): Promise<void> {
  // The server's CPU per check-in (from /proc): on a machine whose cores the bench client shares, it says more
  // about a node's capacity than the rate alone.
  const before = processCpuSeconds(server.pid);
  const result = await run();
  const ms = (processCpuSeconds(server.pid) - before) * 1000;
  const cpu =
    Number.isNaN(ms) || result.count === 0
      ? ''
      : `; server CPU ${(ms / result.count).toFixed(2)} ms per ${unit.replace(/s$/, '')}`;
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
    await provisionOfficial(admin, 'bench.official', 'Bench Ministry');
    handsets.push(
      ...(await enrolHandsets({
        api: admin,
        root,
        apiUrl: server.url,
        deviceUrl: `https://127.0.0.1:${devicePort}`,
        official: 'bench.official',
        count: DEVICES,
      })),
    );
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
