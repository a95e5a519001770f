import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  labRootPaths,
  loadOrCreateLabRoot,
  type LabAttestationRoot,
  type SimulatedHandset,
} from '@pakawaaz/handset-simulator';
import { controlPlaneApi, signedIn } from '../server-process/control-plane-api.js';
import { freeTcpPort, startServerProcess, type ServerProcess } from '../server-process/server-process.js';
import { withThrowawayDatabase } from '../server-process/throwaway-database.js';
import { enrolHandsets, provisionOfficials } from './bench-fleet.js';
import { chatDevices, makeGroup, makePairs, type BenchDevice, type BenchPair } from './chat-bench-groups.js';
import { fanOut, oneToOne, CpuMeter, type DeliveryRouter, type Measured } from './chat-bench-runs.js';
import { DatabaseCpu } from './database-cpu.js';
import { BenchSocket } from './chat-bench-socket.js';
import { transportFloor } from './chat-transport-floor.js';
import { closedLoop, describeLoad, descendants } from './load.js';

/**
 * Secure chat's delivery service under load (issue 16's target: ≥ 10,000 durable 1:1 messages/s on 2 cores
 * with 2,000 connected clients, p99 enqueue-to-deliver < 50 ms; fan-out to a 500-member group, p99 to the
 * last member). The built server runs in a child process, on embedded PGlite and on PostgreSQL;
 * BENCH_CHAT_CLIENTS handsets (default 2,000) enrol through the real API, hold real MLS groups (1:1 pairs
 * and one BENCH_CHAT_GROUP-member group, default 500) and stay connected on the chat WebSocket over mutual
 * TLS. Senders resend ciphertexts encrypted once before the run (see chat-bench-groups.ts); receivers
 * acknowledge what they get. The server's CPU (from /proc), PostgreSQL's (its backends for the bench's
 * database and the WAL writer: database-cpu.ts) and the load generator's are reported apart: they share the
 * machine's cores. Baselines, same run: `GET /healthz` on the device port over kept-alive
 * mutual TLS (the server's floor per request), the same 1:1 run through a relay that passes the protocol's
 * frames and does nothing else (chat-transport-floor.ts: the floor of a message's transport), and on
 * PostgreSQL a plain durable INSERT, one commit each, into the same database (the database's floor per
 * message).
 */
const ADMIN_PASSWORD = 'amber-quarry-lantern-61';
const CLIENTS = Number(process.env.BENCH_CHAT_CLIENTS ?? 2000);
const GROUP = Math.min(CLIENTS, Number(process.env.BENCH_CHAT_GROUP ?? 500));
const SECONDS = Number(process.env.BENCH_CHAT_SECONDS ?? 10);
const MAX_MESSAGES = 200_000;
/**
 * BENCH_CHAT_WARMUP_SECONDS (default 3, 0 for none): an unmeasured 1:1 run before the measured ones, so the
 * first of them is not also V8's optimising compiler's warm-up on the hot path (7–19 % of the first run's CPU
 * samples in the sixth pass's profiles, against 2–7 % in the next run's).
 */
const WARMUP_SECONDS = Number(process.env.BENCH_CHAT_WARMUP_SECONDS ?? 3);
const FAN_OUTS = 20;
/**
 * BENCH_CHAT_NODES=2 (PostgreSQL only): two server processes of one cluster, on BENCH_CHAT_NATS_URL, sharing the
 * data folder (keys) and the database; each pair's sender connects to the first, its receiver to the second,
 * so every 1:1 message crosses nodes (a transient wake over NATS, carrying the envelopes). The CPU figures are both nodes' together.
 */
const NODES = Number(process.env.BENCH_CHAT_NODES ?? 1);
/**
 * BENCH_CHAT_PROCESSES=n (PostgreSQL only, with BENCH_CHAT_NATS_URL): the server runs as n processes on one host
 * (PAKAWAAZ_PROCESSES), sharing its ports; the CPU figures are all of them together, the supervising one too.
 */
const PROCESSES = Number(process.env.BENCH_CHAT_PROCESSES ?? 1);
/** BENCH_CHAT_MODES: `postgres`, `pglite` or both (comma-separated; default both). */
const MODES = (process.env.BENCH_CHAT_MODES ?? 'postgres,pglite').split(',').map((m) => m.trim());
/** BENCH_CPU_PROF_DIR: the server child writes a V8 CPU profile there (`node --cpu-prof`) when it stops. */
const PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR;
/** BENCH_SERVER_NODE_ARGS: more node flags for the server child, space-separated (e.g. `--perf-prof`: README). */
const NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** The bench's own PAKAWAAZ_CHAT_* settings reach the server child (e.g. PAKAWAAZ_CHAT_COMMIT_LINGER_MS=0). */
const CHAT_SETTINGS = Object.fromEntries(
  Object.entries(process.env).filter(
    (e): e is [string, string] => e[0].startsWith('PAKAWAAZ_CHAT_') && e[1] !== undefined,
  ),
);
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** CLOCK_MONOTONIC in µs: the clock of a V8 CPU profile, to cut the measured window out of the server's. */
const monoUs = () => (process.hrtime.bigint() / 1000n).toString();

async function connectAll(devices: readonly BenchDevice[], deviceUrls: string[], router: DeliveryRouter) {
  let lastDelivery = performance.now();
  const result = await closedLoop({
    concurrency: 32,
    maxCount: devices.length,
    maxMs: 5 * 60_000,
    op: async (i) => {
      const d = devices[i]!;
      d.socket = await BenchSocket.open(deviceUrls[i % deviceUrls.length]!, d.tls);
      d.socket.onDeliver = (envelopes, at) => {
        lastDelivery = at;
        for (const e of envelopes) if (e.kind === 'application') router.get(e.groupId)?.(at);
      };
      return true;
    },
  });
  out(describeLoad('chat WebSocket connects (mutual TLS handshake + upgrade)', 'connections', result));
  if (result.failures) throw new Error('some sockets did not connect');
  // The Welcomes and commits of the set-up reach every device on connect: let them drain before measuring.
  while (performance.now() - lastDelivery < 1_000) await sleep(100);
}

async function healthzBaseline(pids: readonly number[], devices: readonly BenchDevice[]): Promise<void> {
  const op = async (i: number) => {
    await devices[i % devices.length]!.handset.deviceCall('GET', '/healthz');
    return true;
  };
  await closedLoop({ concurrency: 256, maxCount: devices.length, maxMs: 60_000, op }); // opens the connections
  const cpu = await CpuMeter.start({ server: pids });
  const r = await closedLoop({ concurrency: 256, maxCount: 20_000, maxMs: SECONDS * 1000, op });
  out(
    `${describeLoad('baseline: GET /healthz, kept-alive mTLS, 256 in flight', 'requests', r)}; ${await cpu.line(r.count, 'request')}`,
  );
}

/** The database's floor: one durable INSERT of a queue-sized row per message, one commit each, 64 in flight. */
async function insertBaseline(databaseUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 16 });
  try {
    await pool.query(
      'create table bench_raw (device_id uuid, seq bigint, body bytea, primary key (device_id, seq))',
    );
    const body = Buffer.alloc(250, 7);
    const r = await closedLoop({
      concurrency: 64,
      maxCount: 100_000,
      maxMs: SECONDS * 1000,
      op: async (i) => {
        await pool.query('insert into bench_raw values ($1, $2, $3)', [randomUUID(), i, body]);
        return true;
      },
    });
    out(
      describeLoad(
        'baseline: durable INSERT into the same database, one commit each, 64 in flight',
        'rows',
        r,
      ),
    );
    await pool.query('drop table bench_raw');
  } finally {
    await pool.end();
  }
}

type Fleet = { handsets: SimulatedHandset[]; usernames: string[]; chat: BenchDevice[] };

type Nodes = { servers: ServerProcess[]; deviceUrls: string[] };

async function measure({ servers, deviceUrls }: Nodes, fleet: Fleet, databaseUrl?: string) {
  // With PAKAWAAZ_PROCESSES the server's child is the supervisor and its children serve.
  const pids = (await Promise.all(servers.map(async (s) => [s.pid, ...(await descendants(s.pid))]))).flat();
  const router: DeliveryRouter = new Map();
  const t0 = performance.now();
  const chat = await chatDevices(fleet.handsets, fleet.usernames);
  fleet.chat.push(...chat);
  const pairs = await makePairs(chat);
  const group = await makeGroup(chat.slice(0, GROUP), FAN_OUTS);
  out(
    `set-up: ${pairs.length} 1:1 groups and one ${GROUP}-member group made with ts-mls and committed, ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  // Before the devices connect to the server: meanwhile the generator holds only the relay's sockets.
  const floor = await transportFloor(pairs, {
    seconds: SECONDS,
    maxMessages: MAX_MESSAGES,
    inFlight: 256,
    tag: 'floor',
  });
  out(
    `baseline: transport floor (chat-relay-floor.ts: the four frames only; "server" is the relay), 256 in flight: ${floor}`,
  );
  await connectAll(chat, deviceUrls, router);
  await healthzBaseline(pids, chat);
  if (databaseUrl) await insertBaseline(databaseUrl);
  const database = databaseUrl ? await DatabaseCpu.open(databaseUrl) : undefined;
  try {
    await runs({ server: pids, ...(database ? { database } : {}) }, pairs, group, router);
  } finally {
    await database?.close();
  }
}

async function runs(
  measured: Measured,
  pairs: BenchPair[],
  group: Awaited<ReturnType<typeof makeGroup>>,
  router: DeliveryRouter,
) {
  const tag = randomUUID().slice(0, 8);
  if (WARMUP_SECONDS > 0) {
    const w = await oneToOne(pairs, router, measured, {
      seconds: WARMUP_SECONDS,
      maxMessages: MAX_MESSAGES,
      inFlight: 256,
      tag: `${tag}-w`,
    });
    out(`1:1 warm-up, not measured: ${Math.round(w.perSecond)} messages/s for ${WARMUP_SECONDS} s`);
  }
  const window = PROFILE_DIR ? monoUs() : '';
  let best = 0;
  for (const inFlight of [256, 64]) {
    const r = await oneToOne(pairs, router, measured, {
      seconds: SECONDS,
      maxMessages: MAX_MESSAGES,
      inFlight,
      tag: `${tag}-${inFlight}`,
    });
    if (PROFILE_DIR && inFlight === 256)
      out(`(profile window of this 1:1 run: ${window}–${monoUs()} µs, CLOCK_MONOTONIC)`);
    out(`1:1, ${pairs.length} senders → ${pairs.length} receivers, ${inFlight} sends in flight: ${r.line}`);
    best = Math.max(best, r.perSecond);
  }
  const rate = Math.max(50, Math.round(best / 2 / 50) * 50);
  const paced = await oneToOne(pairs, router, measured, {
    seconds: SECONDS,
    maxMessages: MAX_MESSAGES,
    inFlight: 256,
    ratePerSecond: rate,
    tag: `${tag}-p`,
  });
  out(`1:1 at a steady ${rate}/s offered (half the best rate above): ${paced.line}`);
  out(`fan-out, one ${GROUP}-member group: ${await fanOut(group, GROUP - 1, router, measured, `${tag}-f`)}`);
}

async function runMode(name: string, env: Record<string, string>, root: LabAttestationRoot, labDir: string) {
  const cluster = NODES === 2 && env.DATABASE_URL !== undefined;
  const processes = env.DATABASE_URL !== undefined && PROCESSES > 1 ? PROCESSES : 1;
  if ((cluster || processes > 1) && !process.env.BENCH_CHAT_NATS_URL)
    throw new Error('BENCH_CHAT_NODES=2 and BENCH_CHAT_PROCESSES need BENCH_CHAT_NATS_URL');
  const shape = `${cluster ? ', two nodes' : ''}${processes > 1 ? `, ${processes} processes a node` : ''}`;
  out(`\n## secure chat delivery on ${name} (${CLIENTS} connected devices${shape})`);
  const settings = Object.entries(CHAT_SETTINGS).map(([k, v]) => `${k}=${v}`);
  if (settings.length > 0) out(`server settings from the bench's environment: ${settings.join(' ')}`);
  const nodes: Nodes = { servers: [], deviceUrls: [] };
  const fleet: Fleet = { handsets: [], usernames: [], chat: [] };
  try {
    for (let n = 0; n < (cluster ? 2 : 1); n++) {
      const devicePort = await freeTcpPort();
      nodes.deviceUrls.push(`https://127.0.0.1:${devicePort}`);
      nodes.servers.push(
        await startServerProcess({
          adminPassword: ADMIN_PASSWORD,
          nodeArgs: [...NODE_ARGS, ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])],
          // The second node shares the first one's keys (device CA, token signing): one cluster.
          ...(n > 0 ? { dataDir: nodes.servers[0]!.dataDir } : {}),
          env: {
            ...env,
            ...(cluster || processes > 1 ? { NATS_URL: process.env.BENCH_CHAT_NATS_URL! } : {}),
            ...(processes > 1 ? { PAKAWAAZ_PROCESSES: String(processes) } : {}),
            PAKAWAAZ_DEVICE_PORT: String(devicePort),
            PAKAWAAZ_TRUST_LAB_ROOT: '1',
            PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(labDir).cert,
            PAKAWAAZ_ENROLMENT_RATE_PER_IP: '1000000',
            PAKAWAAZ_CHAT_WS_FRAMES_PER_SECOND: '10000',
            PAKAWAAZ_CHAT_CLAIMS_PER_SECOND: '1000', // the set-up claims a KeyPackage per member
            // A commit adding 100 devices to a 500-member group carries two copies of the tree (GroupInfo, Welcome).
            BODY_LIMIT_BYTES: String(8 * 1024 * 1024),
            OPEN5GS_MONITOR: 'off',
            ...CHAT_SETTINGS,
          },
        }),
      );
    }
    const server = nodes.servers[0]!;
    const admin = await signedIn(controlPlaneApi(server.url), 'admin', ADMIN_PASSWORD);
    // One official per handset, as in the field: a KeyPackage claim names an official's every live device.
    fleet.usernames.push(...(await provisionOfficials(admin, 'bench.official', 'Bench Ministry', CLIENTS)));
    fleet.handsets.push(
      ...(await enrolHandsets({
        api: admin,
        root,
        apiUrl: server.url,
        deviceUrl: nodes.deviceUrls[0]!,
        official: (i) => fleet.usernames[i]!,
        count: CLIENTS,
      })),
    );
    await measure(nodes, fleet, env.DATABASE_URL);
  } catch (error) {
    out(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    for (const s of nodes.servers) out(`server output (tail):\n${s.output()}`);
    process.exitCode = 1;
  } finally {
    fleet.chat.forEach((d) => d.socket?.close());
    fleet.handsets.forEach((h) => h.close());
    for (const s of [...nodes.servers].reverse()) await s.stop();
  }
}

export async function run(): Promise<void> {
  const labDir = await mkdtemp(path.join(tmpdir(), 'pkz-bench-lab-'));
  const onSignal = (): void => process.exit(130);
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const root = await loadOrCreateLabRoot(labDir);
    const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    if (MODES.includes('postgres')) {
      const ran = await withThrowawayDatabase(adminUrl, `pakawaaz_chat_bench_${process.pid}`, (url) =>
        runMode('PostgreSQL (production mode)', { DATABASE_URL: url }, root, labDir).then(() => true),
      );
      if (!ran) out('\n(PostgreSQL not reachable at TEST_DATABASE_URL: PostgreSQL rows skipped)');
    }
    if (MODES.includes('pglite')) await runMode('embedded PGlite (the default)', {}, root, labDir);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await rm(labDir, { recursive: true, force: true });
  }
}
