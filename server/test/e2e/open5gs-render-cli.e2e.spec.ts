import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';

/*
 * `pakawaaz open5gs render --spec …` offline, with the directories of the install the files are for: a
 * source build to a prefix keeps its configs in PREFIX/etc and its logs in PREFIX/var/log, which the Debian
 * defaults (/etc, /var/log) do not point at.
 */
const DEMO_SPEC = fileURLToPath(
  new URL('../../../core-network/src/network-spec/demo-network.yaml', import.meta.url),
);
let dir: string;
beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-render-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const render = (out: string, ...extra: string[]) =>
  runCli(['open5gs', 'render', '--spec', DEMO_SPEC, '--out', out, ...extra], {});

describe('open5gs render: install directories', () => {
  it('writes the Debian package paths by default, and says what max.ue costs in memory', async () => {
    const out = path.join(dir, 'debian');
    const r = await render(out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^max\.ue 12288 → about [\d,]+ MB of memory across the 12 NFs that run without MongoDB/m,
    );
    expect(await readFile(path.join(out, 'amf.yaml'), 'utf8')).toContain('path: /var/log/open5gs/amf.log');
    expect(await readFile(path.join(out, 'smf.yaml'), 'utf8')).toContain(
      'freeDiameter: /etc/freeDiameter/smf.conf',
    );
  });

  it('--log-dir and --freediameter-dir go into every file that uses them, as absolute paths', async () => {
    const out = path.join(dir, 'prefix');
    const prefix = '/usr/local/lib/pakawaaz/open5gs';
    const r = await render(
      out,
      '--config-dir',
      `${prefix}/etc/open5gs`,
      '--log-dir',
      `${prefix}/var/log/open5gs/`,
      '--freediameter-dir',
      `${prefix}/etc/freeDiameter`,
    );
    expect(r.code, r.stderr).toBe(0);
    for (const nf of ['amf', 'smf', 'upf', 'nrf', 'scp', 'mme', 'sgwc', 'sgwu', 'hss', 'pcrf', 'udr']) {
      const yaml = await readFile(path.join(out, `${nf}.yaml`), 'utf8');
      expect(yaml).toContain(`path: ${prefix}/var/log/open5gs/${nf}.log`);
      expect(yaml).not.toMatch(/ \/var\/log\//);
    }
    for (const nf of ['smf', 'mme', 'hss', 'pcrf'])
      expect(await readFile(path.join(out, `${nf}.yaml`), 'utf8')).toContain(
        `freeDiameter: ${prefix}/etc/freeDiameter/${nf}.conf`,
      );
    // The CLI resolves relative folders from where it runs (the repository root here).
    const rel = path.join(dir, 'relative');
    expect((await render(rel, '--log-dir', 'o5gs-logs')).code).toBe(0);
    expect(await readFile(path.join(rel, 'nrf.yaml'), 'utf8')).toContain(
      `path: ${path.resolve(fileURLToPath(new URL('../../../', import.meta.url)), 'o5gs-logs')}/nrf.log`,
    );
  });

  it('refuses an empty folder or one with control characters, exit 2, writing nothing', async () => {
    const out = path.join(dir, 'refused');
    const empty = await render(out, '--log-dir', '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--log-dir must be a folder path');
    const tab = await render(out, '--freediameter-dir', '/etc/free\tDiameter');
    expect(tab.code).toBe(2);
    expect(tab.stderr).toContain('--freediameter-dir must be a folder path without control characters');
    await expect(readFile(path.join(out, 'amf.yaml'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
