import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_DATABASE_NODE_FLAGS } from '@pakawaaz/platform';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DOMAIN_NAMES } from '../../src/domain-names.js';
import { CLI, ensureBuilt } from '../support/cli.js';

/*
 * The supervisor of PAKAWAAZ_PROCESSES > 1 serves nothing: it must not load the server (Nest, the domains, the
 * database drivers, the event bus, the platform's main face), whichever path would bring them in — main.ts,
 * the supervisor, process-plan.ts or the platform's own imports. Asserted on the built code, through loader
 * hooks that log every module URL the supervisor loads (its processes log theirs to files of their own), not
 * on a time or a mock.
 */
const RECORDER = fileURLToPath(new URL('../support/record-modules.mjs', import.meta.url));
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const HEAVY = [
  /\/node_modules\/@nestjs\//,
  /\/node_modules\/drizzle-orm\//,
  /\/node_modules\/pg(-pool|-protocol|-cursor)?\//,
  /\/node_modules\/@electric-sql\/pglite\//,
  /\/node_modules\/@nats-io\//,
  /\/node_modules\/fastify\//,
  new RegExp(`/(${DOMAIN_NAMES.join('|')})/dist/`),
  /\/platform\/dist\/index\.js$/,
  /\/server\/dist\/(serve|bootstrap|domains|app\.module)\.js$/,
];
const LAUNCHERS = [
  ['npm start', [MAIN]],
  ['pakawaaz start', [CLI, 'start']],
] as const;
// Nothing listens there: the lead process fails at once, and the supervisor stops.
const UNREACHABLE = {
  DATABASE_URL: 'postgres://pakawaaz@127.0.0.1:59998/pakawaaz',
  NATS_URL: 'nats://127.0.0.1:59997',
};

let dir = '';
beforeAll(() => ensureBuilt());
beforeEach(() => void (dir = mkdtempSync(path.join(tmpdir(), 'pakawaaz-supervisor-light-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

type Run = { code: number | null; output: string; supervisor: string[]; logs: string[] };

function supervise(args: readonly string[], env: Record<string, string>): Run {
  const log = path.join(dir, 'modules.log');
  const r = spawnSync(process.execPath, [...EMBEDDED_DATABASE_NODE_FLAGS, '--import', RECORDER, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      PAKAWAAZ_DATA_DIR: path.join(dir, 'data'),
      PAKAWAAZ_MODULE_LOG: log,
      PAKAWAAZ_PROCESSES: '2',
      ...env,
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const urls = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  return {
    code: r.status,
    output: `${r.stdout}${r.stderr}`,
    supervisor: urls,
    logs: readdirSync(dir).filter((f) => f.startsWith('modules.log.')),
  };
}

const heavy = (urls: string[]) => urls.filter((u) => HEAVY.some((h) => h.test(u)));

describe.each(LAUNCHERS)('%s: the supervisor loads no server module', { timeout: 150_000 }, (_, args) => {
  it('when it refuses a configuration without DATABASE_URL, before starting any process', () => {
    const run = supervise(args, { NATS_URL: UNREACHABLE.NATS_URL });
    expect(run.code).toBe(1);
    expect(run.output).toContain('DATABASE_URL');
    expect(run.logs).toEqual([]);
    // The hooks saw main.ts and the supervisor: an empty log would prove nothing.
    expect(run.supervisor.some((u) => u.endsWith('/server/dist/main.js'))).toBe(true);
    expect(run.supervisor.some((u) => u.endsWith('/server/dist/processes/supervisor.js'))).toBe(true);
    expect(heavy(run.supervisor)).toEqual([]);
  });

  it('when it starts the lead process, which fails, and stops', () => {
    const run = supervise(args, UNREACHABLE);
    expect(run.code).toBe(1);
    expect(run.output).toContain('a server process failed to start; stopping');
    expect(run.supervisor.some((u) => u.endsWith('/server/dist/processes/supervisor.js'))).toBe(true);
    expect(heavy(run.supervisor)).toEqual([]);
    // The lead, recorded apart, did load the server: the hooks see what the split keeps away.
    const lead = readFileSync(path.join(dir, 'modules.log.process-0'), 'utf8');
    expect(lead).toContain('/server/dist/serve.js');
    expect(lead).toContain('/node_modules/@nestjs/core/');
  });
});
