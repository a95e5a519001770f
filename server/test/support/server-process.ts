import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_DATABASE_NODE_FLAGS } from '@pakawaaz/platform';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export type ServerRun = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/**
 * The real `npm start` process (compiled, with its Node flags), with only the given environment; stdout and
 * stderr collected.
 */
export function startServerProcess(env: Record<string, string>): ServerRun {
  const child = spawn(process.execPath, [...EMBEDDED_DATABASE_NODE_FLAGS, MAIN], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      PAKAWAAZ_DEVICE_PORT: '0',
      PAKAWAAZ_MQTT_PORT: '0',
      PAKAWAAZ_DEMO_FLEET: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    output: () => out,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
}

/**
 * Waits until the process answers `${url}/healthz`. Fails at once when it exits (with its code or signal: a
 * native crash is SIGSEGV or SIGTRAP), or after `timeoutMs` — either way with the end of what it printed, so a
 * failed start says why.
 */
export async function waitHealthy(run: ServerRun, url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let failure = `not healthy within ${timeoutMs} ms`;
  while (Date.now() < until) {
    const { exitCode, signalCode } = run.child;
    if (exitCode !== null || signalCode !== null) {
      failure = `the server exited (${signalCode ?? `code ${exitCode}`}) before it was healthy`;
      break;
    }
    // Each probe bounded: a server that accepts and never answers must not outlast the wait.
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) })
      .then(async (r) => (await r.arrayBuffer(), r.ok))
      .catch(() => false); // refused, cut off mid-answer, or timed out: try again
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${failure}; its output ends:\n${run.output().slice(-6000)}`);
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
