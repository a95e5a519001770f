import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labRootPaths, loadOrCreateLabRoot, type LabAttestationRoot } from '@pakawaaz/handset-simulator';
import { freeTcpPort } from '@pakawaaz/test-support';
import { startServerProcess, waitFor, waitHealthy, type ServerRun } from './server-process.js';

/**
 * The real server process (`server/dist/main.js`) that a test can kill -9 or stop and start again on the
 * same ports, data folder (keys, device CA) and database, with the device port open and a lab root trusted,
 * so simulated handsets keep their certificates across the restart.
 */
export type RestartableServer = {
  readonly url: string;
  readonly deviceUrl: string;
  readonly root: LabAttestationRoot;
  /** The current run's process. */
  readonly run: ServerRun;
  start(): Promise<void>;
  /** SIGKILL: no drain, no shutdown hooks — what a power cut or the OOM killer does. */
  kill9(): Promise<void>;
  /** SIGTERM and the graceful shutdown; rejects unless the process exits 0. */
  stop(): Promise<void>;
  adminToken(): Promise<string>;
  request<T>(token: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Kills what runs and removes the data and lab folders. */
  dispose(): Promise<void>;
};

const PASSWORD = 'quartz-lantern-orchard-58';

/** The pids of the Janus processes started for the data folder `dir` (their `-F <dir>/janus`). */
export async function janusProcessesOf(dir: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  const found: number[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    const configs = args[args.indexOf('-F') + 1];
    if (path.basename(args[0] ?? '') === 'janus' && configs === path.join(dir, 'janus'))
      found.push(Number(pid));
  }
  return found;
}

export async function restartableServer(env: Record<string, string> = {}): Promise<RestartableServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-restart-'));
  const labDir = path.join(dataDir, 'test-lab');
  const root = await loadOrCreateLabRoot(labDir);
  const port = await freeTcpPort();
  const devicePort = await freeTcpPort();
  const fullEnv = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PAKAWAAZ_DATA_DIR: dataDir,
    PAKAWAAZ_ADMIN_PASSWORD: PASSWORD,
    PAKAWAAZ_REQUIRE_PASSKEYS: 'false',
    PAKAWAAZ_DEVICE_PORT: String(devicePort),
    PAKAWAAZ_TRUST_LAB_ROOT: '1',
    PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(labDir).cert,
    RADIUS_ENABLED: 'false',
    OPEN5GS_MONITOR: 'off',
    ...env,
  };
  const url = `http://127.0.0.1:${port}`;
  let run: ServerRun | undefined;
  const current = () => {
    if (!run) throw new Error('the server was never started');
    return run;
  };
  const request = async <T>(token: string, method: string, p: string, body?: unknown) => {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const halt = async (signal: 'SIGKILL' | 'SIGTERM') => {
    const r = current();
    if (r.child.exitCode !== null || r.child.signalCode !== null) return r.exited;
    r.child.kill(signal);
    return r.exited;
  };
  return {
    url,
    deviceUrl: `https://127.0.0.1:${devicePort}`,
    root,
    get run() {
      return current();
    },
    async start() {
      const started = startServerProcess(fullEnv);
      run = started;
      await waitHealthy(started, url, 100_000);
    },
    async kill9() {
      await halt('SIGKILL');
      // The embedded Janus dies with its server (secure-chat's embedded-janus.ts): none may run on.
      await waitFor(async () => (await janusProcessesOf(dataDir)).length === 0, 5_000).catch(async () => {
        const left = await janusProcessesOf(dataDir);
        for (const pid of left) process.kill(pid, 'SIGKILL'); // not left to outlive the test too
        throw new Error(`the embedded Janus outlived kill -9 of its server: pids ${left.join(', ')}`);
      });
    },
    async stop() {
      const code = await halt('SIGTERM');
      if (code !== 0) throw new Error(`the server exited ${code}:\n${current().output()}`);
    },
    async adminToken() {
      const res = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: PASSWORD }),
      });
      const body = (await res.json()) as { accessToken?: string };
      if (!body.accessToken) throw new Error(`admin sign-in failed: ${res.status}`);
      return body.accessToken;
    },
    request,
    async dispose() {
      if (run) await halt('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
