import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export type ServerRun = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** The real `npm start` process (compiled), with only the given environment; stdout and stderr collected. */
export function startServerProcess(env: Record<string, string>): ServerRun {
  const child = spawn(process.execPath, [MAIN], {
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

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

export const randomPort = () => 20000 + Math.floor(Math.random() * 20000);
