import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MONGODB_FREE_NFS } from '@pakawaaz/core-network';

/**
 * The real Open5GS NFs (a source build of the lab's build kit, or any install with the same layout) started
 * with Pakawaaz-rendered configs inside a throw-away network namespace: its own loopback holds the NFs'
 * 127.0.0.x addresses (no clash with anything on the host, nor with another run), and its own `ogstun`
 * carries the UE pools' gateways. The test process reaches the NFs' HTTP servers through a relay started
 * inside the namespace (Unix sockets cross namespaces; TCP ports do not), exposed on the host as loopback
 * TCP ports, so HTTP clients — Node's http2, the network-health scraper's fetch — run unchanged.
 *
 * Needs root (ip netns, tun). Every process runs under `timeout` (a dead man's switch if the caller dies)
 * in its own process group; `stop()` ends them all, then deletes the namespace.
 */

export const OPEN5GS_PREFIX = process.env.PAKAWAAZ_OPEN5GS_DIR ?? '/usr/local/lib/pakawaaz/open5gs';
/** The build kit's diagnostic shim, compiled by .ci/run: SCTP listeners become TCP on kernels without SCTP. */
export const SCTP2TCP_SO = process.env.PAKAWAAZ_SCTP2TCP ?? '/usr/local/lib/pakawaaz/sctp2tcp.so';

/** The NFs that start without MongoDB (pcf, udr, hss and pcrf need it), in start order: NRF and SCP first. */
export { MONGODB_FREE_NFS };
export type RealNf = (typeof MONGODB_FREE_NFS)[number];

/** NFs whose SCTP listener (NGAP, S1AP) aborts the process on a kernel without SCTP. */
const SCTP_LISTENERS: ReadonlySet<RealNf> = new Set(['amf', 'mme']);

export function open5gsBinary(nf: string, prefix = OPEN5GS_PREFIX): string {
  return path.join(prefix, 'bin', `open5gs-${nf}d`);
}

/** Why the real core cannot run here, or null when it can (install present, root, ip, tun; SCTP or the shim). */
export function realCoreUnavailable(prefix = OPEN5GS_PREFIX): string | null {
  const missing = MONGODB_FREE_NFS.map((nf) => open5gsBinary(nf, prefix)).filter((b) => !existsSync(b));
  if (missing.length > 0)
    return `no Open5GS install in ${prefix} (missing ${missing.map((m) => path.basename(m)).join(', ')})`;
  if (process.getuid?.() !== 0) return 'not root (a network namespace and a tun device need root)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'no `ip` command (Debian package iproute2)';
  if (!existsSync('/dev/net/tun')) return 'no /dev/net/tun';
  if (!kernelHasSctp() && !existsSync(SCTP2TCP_SO))
    return `the kernel has no SCTP and ${SCTP2TCP_SO} (the build kit's sctp2tcp shim) is missing`;
  return null;
}

/** Whether socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP) works (Node cannot open SCTP sockets itself). */
export function kernelHasSctp(): boolean {
  const probe = 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132).close()';
  return spawnSync('python3', ['-c', probe]).status === 0;
}

/** `ip …`, failing with its stderr. */
function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.status}`}`);
}

export type UePool = { readonly gateway: string; readonly prefixLength: number };

/** A namespace with loopback up and `ogstun` holding the UE pools' gateways (the UPF does not add them). */
export function createNetns(pools: readonly UePool[]): string {
  const name = `pkz-o5gs-${process.pid}-${randomBytes(3).toString('hex')}`;
  ip(['netns', 'add', name]);
  try {
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
    ip(['-n', name, 'tuntap', 'add', 'name', 'ogstun', 'mode', 'tun']);
    for (const p of pools) ip(['-n', name, 'addr', 'add', `${p.gateway}/${p.prefixLength}`, 'dev', 'ogstun']);
    ip(['-n', name, 'link', 'set', 'ogstun', 'up']);
  } catch (err) {
    spawnSync('ip', ['netns', 'del', name]);
    throw err;
  }
  return name;
}

/** Deletes the namespace; its tun device goes with it. */
export function deleteNetns(name: string): void {
  spawnSync('ip', ['netns', 'del', name]);
}

export const netnsExists = (name: string): boolean =>
  spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .some((l) => l.split(' ')[0] === name);

type Proc = { readonly child: ChildProcess; exited: { code: number | null; signal: string | null } | null };

/** Starts `argv` in the namespace under `timeout`, detached (its own process group), output to `logFile`. */
function startInNetns(
  netns: string,
  argv: readonly string[],
  logFile: string,
  maxSeconds: number,
  env: NodeJS.ProcessEnv = {},
): Proc {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(
      'timeout',
      ['-s', 'TERM', '-k', '3', String(maxSeconds), 'ip', 'netns', 'exec', netns, ...argv],
      { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, ...env } },
    );
    const proc: Proc = { child, exited: null };
    child.once('exit', (code, signal) => (proc.exited = { code, signal }));
    return proc;
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM to the process group, SIGKILL after `graceMs`; resolves when the leader has exited. */
async function stopGroup(p: Proc, graceMs = 3_000): Promise<void> {
  const pid = p.child.pid;
  if (pid === undefined || p.exited) return;
  const exited = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const killed = sleep(graceMs).then(() => signal('SIGKILL'));
  await Promise.race([exited, killed.then(() => exited)]);
}

/** The process `timeout` → `ip netns exec` became: the NF itself (ip execs it). */
function leafPid(pid: number): number | null {
  let current = pid;
  for (let depth = 0; depth < 3; depth++) {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/${current}/task/${current}/children`, 'utf8').trim().split(/\s+/);
    } catch {
      return null;
    }
    const next = Number(children[0]);
    if (!Number.isInteger(next) || next <= 0) return depth === 0 ? null : current;
    current = next;
  }
  return current;
}

/** Resident set size of a process in kB (VmRSS), or null when it is gone. */
export function rssKb(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Inside the namespace: one Unix socket per HTTP target, each connection piped to the target's TCP port.
 * Plain JavaScript for `node -e`; prints "ready" when every socket listens.
 */
const NETNS_RELAY = `
const net = require('node:net');
const [dir, ...targets] = process.argv.slice(1);
let pending = targets.length;
for (const t of targets) {
  const i = t.lastIndexOf(':');
  const host = t.slice(0, i), port = Number(t.slice(i + 1));
  net.createServer((c) => {
    const u = net.connect(port, host);
    c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
    c.pipe(u).pipe(c);
  }).listen(dir + '/' + host + '_' + port + '.sock', () => { if (--pending === 0) console.log('ready'); });
}
`;

export type RealCoreOptions = {
  /** Folder of the rendered configs (one `<nf>.yaml` per NF). */
  readonly configDir: string;
  /** Scratch folder: stdout/stderr of each NF, the relay's sockets. */
  readonly workDir: string;
  readonly pools: readonly UePool[];
  /** host:port of every HTTP server the caller will reach (NRF SBI, metrics servers). */
  readonly httpTargets: readonly string[];
  readonly prefix?: string;
  /** The dead man's switch: every process is killed after this long whatever happens. */
  readonly maxSeconds?: number;
  /** Delay between NF starts (the NRF first, so the others register at their first try). */
  readonly staggerMs?: number;
};

export type RealCore = {
  readonly netns: string;
  readonly shimmed: readonly RealNf[];
  /** `http://127.0.0.1:<port>` on the host that reaches `host:port` in the namespace. */
  url(target: string): string;
  /** NFs whose process has exited, with how. */
  exited(): { nf: RealNf; code: number | null; signal: string | null }[];
  /** The NF's own PID (not timeout's), for its RSS. */
  nfPid(nf: RealNf): number | null;
  /** Everything the NF printed on stdout/stderr (its file log is where its config says). */
  output(nf: RealNf): Promise<string>;
  stop(): Promise<void>;
};

export async function startRealCore(o: RealCoreOptions): Promise<RealCore> {
  const prefix = o.prefix ?? OPEN5GS_PREFIX;
  const maxSeconds = o.maxSeconds ?? 90;
  const shim = kernelHasSctp() ? null : SCTP2TCP_SO;
  const outDir = path.join(o.workDir, 'out');
  const sockDir = path.join(o.workDir, 'relay');
  await mkdir(outDir, { recursive: true });
  await mkdir(sockDir, { recursive: true });

  const netns = createNetns(o.pools);
  const nfs = new Map<RealNf, Proc>();
  const proxies: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  let relay: Proc | null = null;
  const ports = new Map<string, number>();

  const stop = async () => {
    await Promise.all([...nfs.values(), ...(relay ? [relay] : [])].map((p) => stopGroup(p)));
    for (const s of sockets) s.destroy();
    await Promise.all(proxies.map((s) => new Promise<void>((r) => s.close(() => r()))));
    deleteNetns(netns);
  };

  try {
    relay = startInNetns(
      netns,
      [process.execPath, '-e', NETNS_RELAY, sockDir, ...o.httpTargets],
      path.join(outDir, 'relay.out'),
      maxSeconds,
    );
    await waitForOutput(path.join(outDir, 'relay.out'), /^ready$/m, 10_000, relay);
    for (const target of o.httpTargets) {
      const sock = path.join(sockDir, `${target.replace(/:(\d+)$/, '_$1')}.sock`);
      const server = net.createServer((c) => {
        const u = net.connect(sock);
        for (const [a, b] of [
          [c, u],
          [u, c],
        ] as const) {
          sockets.add(a);
          a.on('close', () => sockets.delete(a));
          a.on('error', () => b.destroy());
        }
        c.pipe(u).pipe(c);
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      proxies.push(server);
      ports.set(target, (server.address() as net.AddressInfo).port);
    }

    for (const nf of MONGODB_FREE_NFS) {
      const env = shim && SCTP_LISTENERS.has(nf) ? { LD_PRELOAD: shim } : {};
      nfs.set(
        nf,
        startInNetns(
          netns,
          [open5gsBinary(nf, prefix), '-c', path.join(o.configDir, `${nf}.yaml`)],
          path.join(outDir, `${nf}.out`),
          maxSeconds,
          env,
        ),
      );
      await sleep(o.staggerMs ?? (nf === 'nrf' || nf === 'scp' ? 1_000 : 250));
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    netns,
    shimmed: shim ? MONGODB_FREE_NFS.filter((nf) => SCTP_LISTENERS.has(nf)) : [],
    url(target) {
      const port = ports.get(target);
      if (port === undefined) throw new Error(`${target} is not one of the relayed HTTP targets`);
      return `http://127.0.0.1:${port}`;
    },
    exited: () =>
      [...nfs].flatMap(([nf, p]) => (p.exited ? [{ nf, code: p.exited.code, signal: p.exited.signal }] : [])),
    nfPid(nf) {
      const pid = nfs.get(nf)?.child.pid;
      return pid === undefined ? null : leafPid(pid);
    },
    output: (nf) => readFile(path.join(outDir, `${nf}.out`), 'utf8').catch(() => ''),
    stop,
  };
}

async function waitForOutput(file: string, pattern: RegExp, timeoutMs: number, p: Proc): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (pattern.test(text)) return;
    if (p.exited || Date.now() > deadline)
      throw new Error(
        `${path.basename(file)}: no ${pattern} (${p.exited ? 'exited' : 'timed out'}): ${text}`,
      );
    await sleep(100);
  }
}

/** Every file in a folder, read (the NFs' file logs). */
export async function readLogs(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await readdir(dir).catch(() => [] as string[]))
    out.set(f, await readFile(path.join(dir, f), 'utf8'));
  return out;
}
