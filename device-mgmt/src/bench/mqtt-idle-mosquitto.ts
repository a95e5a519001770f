import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A Mosquitto of the bench's own (never the system one on :1883): a temporary configuration with one mutual-TLS
 * listener on a free loopback port — the bench's CA, require_certificate, use_identity_as_username, the
 * README's ACL (each device reads its own push topic) — run in the foreground with the open-file limit raised
 * to the hard limit. Its memory is read from /proc (VmRSS).
 */
export type BenchMosquitto = { port: number; rss(): Promise<number>; stop(): Promise<void> };

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });

/** Spawns `command` through sh with the soft open-file limit raised to the hard one (10,000 sockets need it). */
export function withFileLimit(command: string, args: string[], ipc: boolean): ChildProcess {
  return spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', command, ...args], {
    // Mosquitto's stderr is kept to explain a failed start (it logs every handset that hangs up at the end).
    stdio: ['ignore', 'inherit', ipc ? 'inherit' : 'pipe', ...(ipc ? (['ipc'] as const) : [])],
  });
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kib) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * 1024;
}

async function listening(port: number, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`mosquitto exited with ${proc.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('mosquitto did not listen within 10 s');
}

export async function startMosquitto(pki: {
  caPem: string;
  certPem: string;
  keyPem: string;
}): Promise<BenchMosquitto> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pkz-bench-mosquitto-'));
  const port = await freePort();
  const file = (name: string) => path.join(dir, name);
  await Promise.all([
    writeFile(file('ca.pem'), pki.caPem),
    writeFile(file('server.pem'), pki.certPem),
    writeFile(file('server.key'), pki.keyPem, { mode: 0o600 }),
    writeFile(file('acl'), 'pattern read pakawaaz/devices/%u/push\n'),
    writeFile(
      file('mosquitto.conf'),
      [
        // Run as root (a CI container), Mosquitto would drop to the `mosquitto` user, who cannot read the key.
        ...(process.getuid?.() === 0 ? ['user root'] : []),
        'persistence false',
        'log_dest stderr',
        'log_type error',
        'connection_messages false',
        'allow_anonymous false',
        `acl_file ${file('acl')}`,
        'max_connections -1',
        `listener ${port} 127.0.0.1`,
        `cafile ${file('ca.pem')}`,
        `certfile ${file('server.pem')}`,
        `keyfile ${file('server.key')}`,
        'require_certificate true',
        'use_identity_as_username true',
        '',
      ].join('\n'),
    ),
  ]);
  const proc = withFileLimit('mosquitto', ['-c', file('mosquitto.conf')], false);
  let log = '';
  proc.stderr!.on('data', (chunk: Buffer) => void (log.length < 4096 && (log += chunk.toString())));
  try {
    await listening(port, proc);
  } catch (err) {
    proc.kill();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}: ${log.trim()}`);
  }
  return {
    port,
    rss: () => rssOf(proc.pid!),
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
