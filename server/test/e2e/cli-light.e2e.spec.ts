import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_DATABASE_NODE_FLAGS } from '@pakawaaz/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from '../support/cli.js';

/*
 * The CLI's API commands are HTTP clients: they must start without the server's code (Nest, the embedded
 * PGlite database, the domains, fetch's undici), and import only the module of the command that runs
 * (manifest.ts). Asserted on what the process loads, not on a time (timing is the bench's job:
 * `npm run bench /cli.bench`), through loader hooks that log every module URL and Node's own modules.
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
  // fetch's machinery: the CLI has its own node:http transport (undici is most of a short call's time).
  /^node-internal:internal\/deps\/undici\//,
  /\/node_modules\/openapi-fetch\//,
];
const commandModules = (urls: string[]) =>
  urls.flatMap((u) => /\/server\/dist\/cli\/commands\/([a-z-]+)\.js$/.exec(u)?.[1] ?? []).sort();

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'pakawaaz-cli-light-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadedBy(args: string[], env: Record<string, string> = {}): { code: number | null; urls: string[] } {
  const log = path.join(dir, `${args.join('_').replace(/[^a-z0-9_-]/gi, '')}.log`);
  rmSync(log, { force: true });
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

  it.each([
    [['--help'], []],
    [['status'], ['server']],
    // identity prints stored names through radius-log's printable().
    [
      ['help', 'tokens'],
      ['identity', 'radius-log'],
    ],
    // users registers institutions' rollout commands (institutions set-phase) from rollout.ts.
    [
      ['users', 'list'],
      ['rollout', 'user-imports', 'users'],
    ],
    [
      ['network', 'health'],
      ['network', 'network-health'],
    ],
  ] as [string[], string[]][])('%j imports only the command modules it needs: %j', (args, modules) => {
    expect(commandModules(loadedBy(args, { PAKAWAAZ_TOKEN: 'pkz_test' }).urls)).toEqual(modules);
  });

  it('runs through its own shebang, as the installed command does (env -S passes node its flag)', () => {
    // The node that runs this test first on PATH: the shebang's `env` finds it there.
    const r = spawnSync(CLI, ['--version'], {
      env: { PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // The embedded database's flags (`pakawaaz start`, the offline commands): the shebang follows the list.
    expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe(
      `#!/usr/bin/env -S node ${EMBEDDED_DATABASE_NODE_FLAGS.join(' ')}`,
    );
  });

  it('an offline command still loads the server code it needs (the recorder sees it)', () => {
    const { urls } = loadedBy(['milenage', '--k', '00', '--rand', '00', '--sqn', '00', '--amf', '00']);
    expect(urls.some((u) => /\/core-network\/dist\//.test(u))).toBe(true);
    // …and the recorder sees Node's own modules too (so the undici check above can fail).
    expect(urls.some((u) => u.startsWith('node-internal:'))).toBe(true);
  });
});
