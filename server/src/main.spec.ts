import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/*
 * What main.ts loads, by path: the server's modules are mocked to record that they were imported (the real
 * ones otherwise), and the supervisor to record its start without starting a process. Registered again for
 * each test, after the module registry is emptied, so that each test records its own imports. It sees only
 * main.ts's own imports (the supervisor is mocked): server/test/e2e/supervisor-light.e2e.spec.ts checks every
 * module the built supervisor loads, whatever path brings it in.
 */
const seen = { loaded: [] as string[], supervised: [] as number[], served: [] as unknown[] };

function track(): void {
  vi.doMock('./processes/supervisor.js', () => ({
    superviseProcesses: (count: number) => Promise.resolve((seen.supervised.push(count), 0)),
  }));
  vi.doMock('./serve.js', () => {
    seen.loaded.push('serve.js');
    return {
      PLAIN_START_ERRORS: [],
      serve: (config: unknown) => Promise.resolve(void seen.served.push(config)),
    };
  });
  vi.doMock('./bootstrap.js', async (original) => (seen.loaded.push('bootstrap.js'), await original()));
  vi.doMock('./domains.js', async (original) => (seen.loaded.push('domains.js'), await original()));
  // The platform's main face brings Nest, drizzle, the database drivers and the event bus.
  vi.doMock(
    '@pakawaaz/platform',
    async (original) => (seen.loaded.push('@pakawaaz/platform'), await original()),
  );
}

const CLUSTER = {
  PAKAWAAZ_PROCESSES: '2',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/pakawaaz',
  NATS_URL: 'nats://127.0.0.1:4222',
};

let dataDir = '';

async function runMain(env: Record<string, string>): Promise<string> {
  const defaults = { LOG_LEVEL: 'silent', PAKAWAAZ_DATA_DIR: dataDir };
  for (const [name, value] of Object.entries({ ...defaults, ...env })) vi.stubEnv(name, value);
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const { main } = await import('./main.js');
  await main();
  return stderr;
}

beforeEach(() => {
  vi.resetModules();
  track();
  dataDir = mkdtempSync(path.join(tmpdir(), 'pakawaaz-main-'));
  seen.loaded.length = seen.supervised.length = seen.served.length = 0;
  for (const name of ['PAKAWAAZ_PROCESSES', 'DATABASE_URL', 'NATS_URL', 'PAKAWAAZ_DOMAINS'])
    vi.stubEnv(name, undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  process.exitCode = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

// A main.ts that loads the server takes seconds here: long enough that it fails by what it loaded.
describe('main: the supervisor of PAKAWAAZ_PROCESSES > 1 stays light', { timeout: 60_000 }, () => {
  it('supervises without loading the server, the domains or the platform main face', async () => {
    await runMain(CLUSTER);
    expect(seen.supervised).toEqual([2]);
    expect(seen.loaded).toEqual([]);
    expect(process.exitCode).toBe(0);
  });

  it('refuses a bad configuration before starting any process, naming the variable, still without them', async () => {
    const stderr = await runMain({ ...CLUSTER, PAKAWAAZ_DOMAINS: 'core-network' });
    expect(stderr).toContain(
      'PAKAWAAZ_DOMAINS: identity must be part of every node (it verifies the tokens of every request)',
    );
    const unknown = await runMain({ ...CLUSTER, PAKAWAAZ_DOMAINS: 'identity,maps' });
    expect(unknown).toContain(
      'unknown domain(s) maps; expected "all" or a comma-separated list of core-network, hardened-os, identity, device-mgmt, app-store, secure-chat',
    );
    expect(process.exitCode).toBe(1);
    expect(seen.supervised).toEqual([]);
    expect(seen.loaded).toEqual([]);
  });

  it('loads the server in a process that serves, and hands it the configuration it parsed', async () => {
    await runMain({ PAKAWAAZ_DOMAINS: 'identity,secure-chat' });
    expect(seen.supervised).toEqual([]);
    expect(seen.loaded).toEqual(['serve.js']);
    expect(seen.served).toEqual([expect.objectContaining({ PAKAWAAZ_DOMAINS: ['identity', 'secure-chat'] })]);
  });
});
