import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { reachable } from './services.js';

export const TURNSERVER = '/usr/bin/turnserver';
export const UCLIENT = '/usr/bin/turnutils_uclient';
export const coturnAvailable = () => existsSync(TURNSERVER) && existsSync(UCLIENT);

export type Coturn = { port: number; stop(): Promise<void> };

/**
 * A real coturn (Debian `coturn`) on loopback with the TURN REST API (`use-auth-secret`), its SQLite database
 * in the test's folder (never /var/lib/turn), no TLS, no CLI.
 */
export async function startCoturn(o: { port: number; secret: string; dir: string }): Promise<Coturn> {
  const child: ChildProcess = spawn(
    TURNSERVER,
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${o.port}`,
      '--use-auth-secret',
      `--static-auth-secret=${o.secret}`,
      '--realm=pakawaaz.test',
      `--db=${o.dir}/turndb`,
      `--pidfile=${o.dir}/turnserver.pid`,
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--allow-loopback-peers',
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 15_000;
  while (!(await reachable(`tcp://127.0.0.1:${o.port}`, 500))) {
    if (child.exitCode !== null) throw new Error(`turnserver exited: ${out.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`turnserver did not start: ${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port: o.port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** An allocation with turnutils_uclient (the coturn package's own client): whether coturn accepted it. */
export async function allocates(port: number, username: string, password: string): Promise<boolean> {
  try {
    await promisify(execFile)(
      UCLIENT,
      [
        '-e',
        '127.0.0.1',
        '-n',
        '1',
        '-m',
        '1',
        '-l',
        '100',
        '-u',
        username,
        '-w',
        password,
        '-p',
        String(port),
        '127.0.0.1',
      ],
      { timeout: 30_000 },
    );
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 255) return false;
    throw err;
  }
}
