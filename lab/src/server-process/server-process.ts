import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_DATABASE_NODE_FLAGS, freeTcpPort, freeUdpPort } from '@pakawaaz/platform';
import { waitForHealthy } from '../http-probe.js';

/**
 * The built control plane (`server/dist/main.js`) as a child process on free ports with a throw-away data
 * folder: lab/ drives the server over its protocols and may not import it (DESIGN §2). `stop()` ends the
 * child and removes the folder, and is safe to call twice or after a failed start.
 */

export const SERVER_MAIN = fileURLToPath(new URL('../../../server/dist/main.js', import.meta.url));

export type ServerProcess = {
  readonly url: string;
  readonly radius: { readonly authPort: number; readonly acctPort: number };
  /** The child's pid: with PAKAWAAZ_PROCESSES > 1 the supervising process, its server processes its children. */
  readonly pid: number;
  readonly dataDir: string;
  /** The last lines the child wrote (stdout and stderr), for error reports. */
  output(): string;
  stop(): Promise<void>;
};

export type ServerProcessOptions = {
  readonly adminPassword: string;
  /** More variables (rate limits, DATABASE_URL, …); PATH, ports, data folder and log level are set here. */
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
  /** Node flags for the child (e.g. --cpu-prof, which NODE_OPTIONS may not carry). */
  readonly nodeArgs?: readonly string[];
  /**
   * Start on this data folder (a server restarted on the same keys and embedded database) and leave it when
   * the server stops; by default a new temporary folder, removed at stop.
   */
  readonly dataDir?: string;
};

const OUTPUT_LIMIT = 16_384;

/**
 * Runs a step against the server (a test's set-up, say); when it fails, the error ends with what the server
 * printed, so a request refused or never answered shows the server's side too.
 */
export async function withServerOutput<T>(server: ServerProcess, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    // A new error: some errors' message cannot be set (a DOMException's is a getter).
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${why}\n--- the server's output ends:\n${server.output().slice(-6000)}`, {
      cause: error,
    });
  }
}

// Free loopback ports below the ephemeral range (an outgoing connection cannot take one between the probe and
// the server's bind, which the kernel's own choice allowed: EADDRINUSE at start-up).
export { freeTcpPort, freeUdpPort };

/** Resolves when the child exits; SIGKILL after `graceMs` if SIGTERM was not enough. */
function terminate(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function capture(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail;
}

/** With PAKAWAAZ_PROCESSES > 1, `/healthz` answers once the first process serves: wait for them all. */
function allProcessesServe(
  child: ChildProcess,
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<void> {
  if (Number(env.PAKAWAAZ_PROCESSES ?? 1) <= 1) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error('not every server process started in time')), timeoutMs);
    const look = (chunk: Buffer): void => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (!/processes serve this host's ports/.test(seen)) return;
      child.stderr?.off('data', look);
      clearTimeout(timer);
      resolve();
    };
    child.stderr?.on('data', look);
  });
}

/** Rejects as soon as the child exits, so a server that fails to start is reported at once with its output. */
function exited(child: ChildProcess, output: () => string): Promise<never> {
  return new Promise((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`server exited (${signal ?? code}) during start-up:\n${output()}`)),
    ),
  );
}

type Ports = { readonly port: number; readonly authPort: number; readonly acctPort: number };

function childEnv(options: ServerProcessOptions, ports: Ports, dataDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    LOG_LEVEL: 'warn',
    PAKAWAAZ_REQUIRE_PASSKEYS: 'false',
    // Off unless asked for (a test passes a free port): their defaults (8443, 18830) would collide between
    // servers running side by side.
    PAKAWAAZ_DEVICE_PORT: '0',
    PAKAWAAZ_MQTT_PORT: '0',
    // The embedded demo's simulated handsets would enrol into the lab's server too.
    PAKAWAAZ_DEMO_FLEET: 'false',
    // No embedded Janus per lab server (a calls test passes PAKAWAAZ_JANUS=auto).
    PAKAWAAZ_JANUS: 'off',
    ...options.env,
    HOST: '127.0.0.1',
    PORT: String(ports.port),
    RADIUS_AUTH_PORT: String(ports.authPort),
    RADIUS_ACCT_PORT: String(ports.acctPort),
    PAKAWAAZ_DATA_DIR: dataDir,
    PAKAWAAZ_ADMIN_PASSWORD: options.adminPassword,
  };
}

/** stop() for the child; until it is called, this process exiting kills the child and removes its folder. */
function stopper(child: ChildProcess, dataDir: string, keep: boolean): () => Promise<void> {
  const orphaned = (): void => {
    child.kill('SIGKILL');
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', orphaned);
  return async () => {
    process.off('exit', orphaned);
    await terminate(child);
    if (!keep) await rm(dataDir, { recursive: true, force: true });
  };
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'pakawaaz-lab-')));
  const ports = { port: await freeTcpPort(), authPort: await freeUdpPort(), acctPort: await freeUdpPort() };
  const child = spawn(
    process.execPath,
    [...EMBEDDED_DATABASE_NODE_FLAGS, ...(options.nodeArgs ?? []), SERVER_MAIN],
    {
      env: childEnv(options, ports, dataDir),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = capture(child);
  const stop = stopper(child, dataDir, options.dataDir !== undefined);
  const url = `http://127.0.0.1:${ports.port}`;
  try {
    const died = exited(child, output);
    died.catch(() => undefined);
    // Under vitest's 120 s hook timeout, so a start that fails says why (with the output) before the hook dies.
    const timeoutMs = options.startTimeoutMs ?? 90_000;
    const all = allProcessesServe(child, options.env ?? {}, timeoutMs);
    all.catch(() => undefined);
    await Promise.race([waitForHealthy(`${url}/healthz`, { timeoutMs }), died]);
    await Promise.race([all, died]);
  } catch (error) {
    await stop();
    if (error instanceof Error && !error.message.includes('during start-up'))
      error.message += `\n${output()}`;
    throw error;
  }
  const { authPort, acctPort } = ports;
  return { url, radius: { authPort, acctPort }, pid: child.pid ?? 0, dataDir, output, stop };
}
