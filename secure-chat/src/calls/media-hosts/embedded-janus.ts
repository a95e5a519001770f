import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, constants, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freeTcpPort } from '@pakawaaz/platform';
import { JanusAdmin } from './janus-admin.js';
import { renderJanusConfig } from './janus-config.js';

export type EmbeddedJanusOptions = {
  binary: string;
  libDir: string;
  dir: string;
  wsPort: number;
  adminPort: number;
  rtpPorts: string;
  /** How long Janus may take to answer its admin API after spawning. */
  startTimeoutMs?: number;
  /** Address of the WebSocket and admin API (default loopback; media tests use a namespace's address). */
  listenIp?: string;
  /** A command Janus is run under, e.g. `ip netns exec <ns>` (lab/tools/netns-media.sh). */
  wrap?: string[];
  /** Janus's own output, line by line (the server logs it at debug). */
  onOutput?: (line: string) => void;
};

export type RunningJanus = {
  wsUrl: string;
  adminUrl: string;
  adminSecret: string;
  pid: number;
  /** Resolves when the process has exited (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  exited: Promise<number | null>;
};

/** Where the binary is (a path, or a name searched on PATH), or undefined when there is none to run. */
export async function findExecutable(binary: string): Promise<string | undefined> {
  const candidates = binary.includes('/')
    ? [binary]
    : (process.env['PATH'] ?? '').split(':').map((d) => path.join(d || '.', binary));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Where the Janus binary is (findExecutable). */
export const findJanus = findExecutable;

/**
 * `setpriv --pdeathsig KILL` (util-linux 2.33 or later, on every Debian since 10): Janus is killed when the
 * server that started it dies, however it dies. After a crash or a kill -9 it would otherwise run on, its
 * ports taken and its rooms orphaned, beside the Janus of the next start. Tried once on `true` first: without
 * a setpriv that has `--pdeathsig`, Janus is started as before.
 */
async function dieWithServer(): Promise<string[]> {
  const setpriv = await findExecutable('setpriv');
  if (!setpriv) return [];
  const prefix = [setpriv, '--pdeathsig', 'KILL', '--'];
  const works = await new Promise<boolean>((resolve) =>
    execFile(setpriv, [...prefix.slice(1), 'true'], { timeout: 5000 }, (err) => resolve(err === null)),
  );
  return works ? prefix : [];
}

const modules = async (libDir: string, sub: string) => {
  try {
    return await readdir(path.join(libDir, sub));
  } catch {
    return [];
  }
};

/**
 * Starts a local Janus for the embedded default: a generated configuration in `dir` (VideoRoom only, WebSocket
 * and admin API on loopback, a random admin secret for this run), then waits until the admin API answers.
 */
export async function startEmbeddedJanus(binary: string, o: EmbeddedJanusOptions): Promise<RunningJanus> {
  // mkdir's and writeFile's modes apply only to what they create: a folder or files left from an earlier run
  // (or loosened by hand) are tightened at every start — the files hold the admin secret.
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  await chmod(o.dir, 0o700);
  const adminSecret = randomBytes(24).toString('hex');
  const wsPort = o.wsPort || (await freeTcpPort());
  const adminPort = o.adminPort || (await freeTcpPort());
  const files = renderJanusConfig({
    configsFolder: o.dir,
    libFolder: o.libDir,
    modules: {
      plugins: await modules(o.libDir, 'plugins'),
      transports: await modules(o.libDir, 'transports'),
      events: await modules(o.libDir, 'events'),
      loggers: await modules(o.libDir, 'loggers'),
    },
    adminSecret,
    wsPort,
    adminPort,
    rtpPortRange: o.rtpPorts,
    listenIp: o.listenIp,
  });
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(o.dir, name), text, { mode: 0o600 });
    await chmod(path.join(o.dir, name), 0o600);
  }
  const args = ['-F', o.dir, '-C', path.join(o.dir, 'janus.jcfg'), '--disable-colors'];
  const [command, ...prefix] = [...(await dieWithServer()), ...(o.wrap ?? []), binary];
  const child = spawn(command, [...prefix, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  pipeLines(child, o.onOutput);
  const host = o.listenIp ?? '127.0.0.1';
  const adminUrl = `http://${host}:${adminPort}/admin`;
  try {
    await waitForAdmin(new JanusAdmin(adminUrl, adminSecret, 1000), exited, o.startTimeoutMs ?? 15_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    wsUrl: `ws://${host}:${wsPort}`,
    adminUrl,
    adminSecret,
    pid: child.pid ?? 0,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForAdmin(admin: JanusAdmin, exited: Promise<number | null>, timeoutMs: number) {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone !== undefined) throw new Error(`janus exited at start (code ${gone}); see its output`);
    try {
      await admin.info();
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`janus did not answer its admin API: ${(err as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function pipeLines(child: ChildProcess, onOutput?: (line: string) => void) {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      if (onOutput) for (const l of lines) if (l.trim()) onOutput(l);
    });
  }
}
