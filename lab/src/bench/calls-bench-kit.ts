import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import {
  labRootPaths,
  loadOrCreateLabRoot,
  SimulatedHandset,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import { sframeEpochOf } from '../calls/mls-sframe.js';
import { ChatClient } from '../chat/chat-client.js';
import { controlPlaneApi, signedIn, unwrap } from '../server-process/control-plane-api.js';
import { freeTcpPort, startServerProcess, type ServerProcess } from '../server-process/server-process.js';
import { withThrowawayDatabase } from '../server-process/throwaway-database.js';
import { CHROMIUM, launchPages, type Pages } from './calls-bench-pages.js';
import { childNamed } from './load.js';

/**
 * Shared by the calls benches (calls-setup, calls-sfu): the built server with its embedded Janus, officials
 * enrolled as lab handsets holding chat clients, Debian Chromium with a fake camera and microphone running the
 * web client's call code (web-chat/src/calls/bench-entry.ts, bundled here with esbuild), and CPU from /proc.
 * Janus ignores loopback for ICE: a lab/tools/netns-media.sh namespace gives the host a veth address that Janus
 * and Chromium (both on the host) meet on.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const NETNS = path.join(root, 'lab/tools/netns-media.sh');
const PASSWORD = 'tamarind-lighthouse-quiver-27';
const run = promisify(execFile);
export const out = (line: string): void => void process.stdout.write(`${line}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Wall-clock milliseconds, sub-millisecond: the pages' clock too (performance.timeOrigin + now()). */
export const wallMs = () => performance.timeOrigin + performance.now();

/** Why the calls benches cannot run here, or null. */
export async function callsUnavailable(): Promise<string | null> {
  const janus = await run('sh', ['-c', 'command -v janus']).then(
    () => true,
    () => false,
  );
  if (!janus) return 'janus is not installed (apt-get install janus)';
  if (!(await existsExecutable(CHROMIUM))) return `Chromium is not installed at ${CHROMIUM}`;
  return run(NETNS, ['check']).then(
    () => null,
    () => '`ip netns` is not permitted here (root or CAP_NET_ADMIN)',
  );
}
const existsExecutable = (p: string) =>
  run('test', ['-x', p]).then(
    () => true,
    () => false,
  );

/** The namespace giving this host a veth address (removed by `down`, also after a failure). */
export async function mediaNet(): Promise<{ down(): Promise<void> }> {
  const name = `pkz-bench-${process.pid}`;
  const env = { ...process.env, PAKAWAAZ_MEDIA_NET: `10.79.${(process.pid % 200) + 20}` };
  const down = () => run(NETNS, ['down', name], { env }).then(() => undefined);
  await down();
  await run(NETNS, ['up', name], { env });
  return { down };
}

export type Official = { name: string; userId: string; client: ChatClient; handset: SimulatedHandset };
export type CallsLab = { server: ServerProcess; officials: Official[]; janusPid: number };

/** The server (embedded Janus, `env` for the database), `n` officials of one institution, one device each. */
export async function startCallsLab(
  n: number,
  labRoot: LabAttestationRoot,
  labDir: string,
  env: Record<string, string>,
  lab: Partial<CallsLab>,
): Promise<CallsLab> {
  const devicePort = await freeTcpPort();
  const deviceUrl = `https://127.0.0.1:${devicePort}`;
  const server = (lab.server = await startServerProcess({
    adminPassword: PASSWORD,
    env: {
      ...env,
      PAKAWAAZ_DEVICE_PORT: String(devicePort),
      PAKAWAAZ_TRUST_LAB_ROOT: '1',
      PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(labDir).cert,
      PAKAWAAZ_JANUS: 'auto',
      PAKAWAAZ_CALLS_HEALTH_SECONDS: '1',
      // The bench's officials sign in with a password only.
      PAKAWAAZ_DESKTOP_ENROL_ACR: 'aal1',
      PAKAWAAZ_CALLS_MAX_PARTICIPANTS: '50',
      PAKAWAAZ_CHAT_CLAIMS_PER_SECOND: '1000',
      PAKAWAAZ_CHAT_WS_FRAMES_PER_SECOND: '10000',
      OPEN5GS_MONITOR: 'off',
    },
  }));
  for (let i = 0; ; i++) {
    const h = (await (await fetch(`${server.url}/healthz`)).json()) as {
      features: Record<string, { state: string }>;
    };
    if (h.features['calls']?.state === 'enabled') break;
    if (i > 150) throw new Error('calls not enabled within 30 s (is janus installed?)');
    await sleep(200);
  }
  const admin = await signedIn(controlPlaneApi(server.url), 'admin', PASSWORD);
  const inst = await unwrap(admin.POST('/api/v1/institutions', { body: { name: 'Bench Ministry (calls)' } }));
  const officials: Official[] = (lab.officials = []);
  for (let i = 0; i < n; i++) {
    const name = `bench.caller${i}`;
    const body = { username: name, displayName: name, kind: 'official' as const, institution: inst.id };
    const user = await unwrap(admin.POST('/api/v1/users', { body: { ...body, password: PASSWORD } }));
    const { token } = await unwrap(admin.POST('/api/v1/enrolment-tokens', { body: { official: name } }));
    const handset = new SimulatedHandset({ apiUrl: server.url, deviceUrl, root: labRoot });
    await handset.enrol(token);
    const s = handset.saved()!;
    const tls = { certPem: s.enrolment.certificatePem, keyPem: s.keyPem, caPems: s.enrolment.caPems };
    const client = await ChatClient.open({ baseUrl: deviceUrl, tls });
    officials.push({ name, userId: user.id, client, handset });
    await client.uploadKeyPackages(3);
    await client.start();
  }
  return { server, officials, janusPid: await childNamed(server.pid, 'janus') };
}

/** A chat group of the officials (the first creates it), once every member has applied its Welcome. */
export async function groupOf(officials: readonly Official[]): Promise<string> {
  const [first, ...rest] = officials;
  const groupId = await first!.client.createGroup();
  await first!.client.addMembers(
    groupId,
    rest.map((o) => o.userId),
  );
  const epoch = first!.client.core.epoch(groupId);
  for (
    let i = 0;
    !rest.every((o) => o.client.core.groups.get(groupId)?.state.groupContext.epoch === epoch);
    i++
  ) {
    if (i > 300) throw new Error('the Welcome did not reach every member within 30 s');
    await sleep(100);
  }
  return groupId;
}

/** The SFrame epoch (wire form) the official's device derives from its MLS state of the group. */
export async function pageEpoch(o: Official, groupId: string) {
  const e = await sframeEpochOf(o.client.core.groups.get(groupId)!.state, o.client.core.cs);
  return { ...e, epoch: e.epoch.toString(), baseKey: [...e.baseKey] };
}

export function closeLab(lab: Partial<CallsLab>): Promise<unknown> {
  return Promise.all([
    ...(lab.officials ?? []).map((o) => o.client.close().catch(() => undefined)),
    lab.server?.stop(),
  ]).then(() => lab.officials?.forEach((o) => o.handset.close()));
}

/** "p50 … p99 … max …" of a list of milliseconds. */
export function spread(values: readonly number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
  const f = (v: number) => `${v.toFixed(0)} ms`;
  return `p50 ${f(at(0.5))}, p99 ${f(at(0.99))}, max ${f(s[s.length - 1] ?? Number.NaN)}`;
}

export type Bench = CallsLab & { pages: Pages };

/**
 * Runs a calls bench: the namespace, the server on a throw-away PostgreSQL database (embedded PGlite when
 * PostgreSQL is not reachable), `n` officials, Chromium; everything removed afterwards, also after a failure or
 * a SIGINT/SIGTERM.
 */
export async function withCallsBench(n: number, body: (b: Bench) => Promise<void>): Promise<void> {
  const why = await callsUnavailable();
  if (why) return out(`skipped: ${why}`);
  const dir = await mkdtemp(path.join(tmpdir(), 'pkz-bench-calls-'));
  const lab: Partial<Bench> = {};
  let net: { down(): Promise<void> } | undefined;
  const cleanup = async () => {
    const [was, n] = [{ ...lab }, net]; // once: a signal may come during the finally blocks' cleanup
    [lab.pages, lab.server, lab.officials, net] = [undefined, undefined, undefined, undefined];
    await was.pages?.browser.close().catch(() => undefined);
    await closeLab(was).catch(() => undefined);
    await n?.down().catch(() => undefined);
  };
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `pakawaaz_calls_bench_${process.pid}`;
  // On a signal the finally blocks never run (process.exit): the same cleanup, and the database dropped here.
  const onSignal = (): void =>
    void cleanup()
      .then(() => rm(dir, { recursive: true, force: true }))
      .then(() => dropDatabase(adminUrl, name))
      .finally(() => process.exit(130));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const inLab = async (env: Record<string, string>) => {
    try {
      net = await mediaNet();
      const root = await loadOrCreateLabRoot(dir);
      const started = await startCallsLab(n, root, dir, env, lab);
      lab.pages = await launchPages(dir);
      await body({ ...started, pages: lab.pages });
    } catch (error) {
      out(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (lab.server) out(`server output (tail):\n${lab.server.output()}`);
      process.exitCode = 1;
    } finally {
      await cleanup(); // the server stops before its throw-away database is dropped
    }
    return true;
  };
  try {
    const ran = await withThrowawayDatabase(adminUrl, name, async (url) => {
      out('(server on PostgreSQL, production mode)');
      return inLab({ DATABASE_URL: url });
    });
    if (!ran) {
      out('(PostgreSQL not reachable at TEST_DATABASE_URL: server on embedded PGlite)');
      await inLab({});
    }
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const db = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
  try {
    await db.connect();
    await db.query(`drop database if exists "${name}" with (force)`);
  } catch {
    // not reachable: nothing was created there
  } finally {
    await db.end().catch(() => undefined);
  }
}
