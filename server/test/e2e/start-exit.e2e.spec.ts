import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_DATABASE_NODE_FLAGS } from '@pakawaaz/platform';
import { freeTcpPort } from '@pakawaaz/test-support';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from '../support/cli.js';
import { waitHealthy, type ServerRun } from '../support/server-process.js';

/*
 * `pakawaaz start` and `npm start` exit with the same code: a supervisor (systemd, a container's restart
 * policy) tells a failed start from a clean stop by it. The CLI used to overwrite the server's 1 with its own 0.
 */
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const LAUNCHERS = [
  ['pakawaaz start', [CLI, 'start']],
  ['npm start', [MAIN]],
] as const;
// Nothing listens there: the refusal is immediate.
const UNREACHABLE_DATABASE = 'postgres://pakawaaz:s3cret@127.0.0.1:59998/pakawaaz';

let dataDir = '';
beforeAll(() => ensureBuilt());
beforeEach(() => void (dataDir = mkdtempSync(path.join(tmpdir(), 'pakawaaz-start-exit-'))));
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function launch(args: readonly string[], env: Record<string, string>): ServerRun {
  const child = spawn(process.execPath, [...EMBEDDED_DATABASE_NODE_FLAGS, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      PORT: '0',
      PAKAWAAZ_DEVICE_PORT: '0',
      PAKAWAAZ_MQTT_PORT: '0',
      PAKAWAAZ_DEMO_FLEET: 'false',
      PAKAWAAZ_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    output: () => out,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
}

describe.each(LAUNCHERS)('%s exits 1 when it cannot start', { timeout: 60_000 }, (_, args) => {
  it('on an invalid configuration', async () => {
    const run = launch(args, { PAKAWAAZ_DOMAINS: 'maps' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('PAKAWAAZ_DOMAINS: unknown domain(s) maps');
  });

  it('when the database is unreachable', async () => {
    const run = launch(args, { DATABASE_URL: UNREACHABLE_DATABASE });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('Cannot reach the database at postgres://pakawaaz:****@127.0.0.1:59998');
  });

  it('when another live process holds the embedded database', async () => {
    // This test's own process stands for the running server that holds the lock.
    writeFileSync(path.join(dataDir, 'db.lock'), `${process.pid}\n`);
    const run = launch(args, {});
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`The embedded database is in use by process ${process.pid}`);
  });

  it('when the processes it supervises cannot start (PAKAWAAZ_PROCESSES=2)', async () => {
    const run = launch(args, {
      PAKAWAAZ_PROCESSES: '2',
      DATABASE_URL: UNREACHABLE_DATABASE,
      NATS_URL: 'nats://127.0.0.1:59997',
    });
    expect(await run.exited).toBe(1);
    // The lead said why, then the supervisor stopped.
    expect(run.output()).toContain('Cannot reach the database at postgres://pakawaaz:****@127.0.0.1:59998');
    expect(run.output()).toContain('a server process failed to start; stopping');
  });
});

describe('pakawaaz start stopped by SIGTERM', () => {
  it('exits 0', { timeout: 150_000 }, async () => {
    const port = await freeTcpPort();
    const run = launch([CLI, 'start'], { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    // A first start initialises the embedded database: seconds, or a minute and more on a loaded machine.
    await waitHealthy(run, `http://127.0.0.1:${port}`, 100_000);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/"msg":"stopped"/);
  });
});
