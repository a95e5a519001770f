import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from '../support/cli.js';

/*
 * The CLI's API commands are HTTP clients: they must start without the server's code (Nest, the embedded
 * PGlite database, the domains). Asserted on what the process loads, not on a time (timing is the bench's
 * job: `npm run bench`, "CLI start-up"), through loader hooks that log every module URL.
 */
const RECORDER = fileURLToPath(new URL('../support/record-modules.mjs', import.meta.url));
const HEAVY = [
  /\/node_modules\/@nestjs\//,
  /\/node_modules\/@electric-sql\/pglite\//,
  /\/node_modules\/fastify\//,
  /\/node_modules\/drizzle-orm\//,
  /\/node_modules\/pino\//,
  /\/(platform|identity|core-network|device-mgmt|app-store|secure-chat|hardened-os)\/dist\//,
  /\/server\/dist\/(main|bootstrap|domains)\.js$/,
];

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'pakawaaz-cli-light-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadedBy(args: string[], env: Record<string, string> = {}): { code: number | null; urls: string[] } {
  const log = path.join(dir, `${args.join('_').replace(/[^a-z0-9_-]/gi, '')}.log`);
  const r = spawnSync(process.execPath, ['--import', RECORDER, CLI, ...args], {
    env: { PATH: process.env.PATH, PAKAWAAZ_MODULE_LOG: log, PAKAWAAZ_URL: 'http://127.0.0.1:59999', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, urls: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

describe('the CLI loads only what a command needs', () => {
  it.each([
    [['--help']],
    [['status']],
    [['users', 'list'], { PAKAWAAZ_TOKEN: 'pkz_test' }],
    [['network', 'health'], { PAKAWAAZ_TOKEN: 'pkz_test' }],
    [['tokens', 'create', '--help']],
  ] as [string[], Record<string, string>?][])('%j loads no server module', (args, env) => {
    const { urls } = loadedBy(args, env);
    // The hooks saw the CLI itself: an empty log would prove nothing.
    expect(urls.some((u) => u.endsWith('/server/dist/cli/main.js'))).toBe(true);
    expect(urls.some((u) => u.includes('/clients/api/dist/'))).toBe(true);
    expect(urls.filter((u) => HEAVY.some((h) => h.test(u)))).toEqual([]);
  });

  it('an offline command still loads the server code it needs (the recorder sees it)', () => {
    const { urls } = loadedBy(['milenage', '--k', '00', '--rand', '00', '--sqn', '00', '--amf', '00']);
    expect(urls.some((u) => /\/core-network\/dist\//.test(u))).toBe(true);
  });
});
