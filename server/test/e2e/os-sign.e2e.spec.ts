import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMetadata, verifyRootRotation, verifyThreshold } from '@pakawaaz/hardened-os/tuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, type CliResult } from '../support/cli.js';

/*
 * `pakawaaz os sign FILE` on the air-gapped machine: the real CLI on files, with every socket and DNS lookup
 * refused and logged (support/deny-network.mjs) and no server anywhere. It reads the role from the file and
 * signs root (each holder in turn, a rotation with --previous) or targets (review first, --yes off a
 * terminal) as `os tuf sign-root` / `os tuf sign-targets` do; snapshot, timestamp and non-TUF files are
 * refused with a message. The signatures are checked with the verifier the server runs on import.
 */
const DENY = fileURLToPath(new URL('../support/deny-network.mjs', import.meta.url));
const SHA = 'ab'.repeat(32);

let dir: string;
let room: string;
let networkLog: string;

/** The CLI with the network denied; PAKAWAAZ_URL names a host that cannot exist (never dialled). */
function run(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', DENY, CLI, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        PAKAWAAZ_URL: 'http://pakawaaz.invalid:9',
        PAKAWAAZ_TOKEN: 'pkz_offline',
        PAKAWAAZ_NETWORK_LOG: networkLog,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end('');
  });
}

async function cli(args: string[], expectCode = 0): Promise<CliResult> {
  const r = await run(args);
  expect(r.code, r.stderr + r.stdout).toBe(expectCode);
  return r;
}

const file = (name: string) => path.join(room, name);
const keys = async (role: string, ext: 'key' | 'pub') =>
  (await readdir(room))
    .filter((n) => n.startsWith(`${role}-`) && n.endsWith(`.${ext}.json`))
    .sort()
    .map((n) => file(n));
const read = async <R extends 'root' | 'targets'>(role: R, name: string) =>
  parseMetadata(role, await readFile(file(name)));
const networkAttempts = async () => (existsSync(networkLog) ? await readFile(networkLog, 'utf8') : '');

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-os-sign-'));
  room = path.join(dir, 'signing-room');
  networkLog = path.join(dir, 'network.log');
  for (const role of ['root', 'root', 'targets', 'targets', 'snapshot', 'timestamp'])
    await cli(['os', 'tuf', 'keygen', '--role', role, '--out', room]);
  // The server's online keys as `os tuf online-keys --out` writes them (here from the room's key files).
  const online = async (role: string) =>
    JSON.parse(await readFile((await keys(role, 'pub'))[0]!, 'utf8')) as { keyid: string; key: unknown };
  await writeFile(
    file('online-keys.json'),
    JSON.stringify({ timestamp: await online('timestamp'), snapshot: await online('snapshot') }),
  );
  const [rootA, rootB] = await keys('root', 'pub');
  const [targetsA, targetsB] = await keys('targets', 'pub');
  await cli([
    ...['os', 'tuf', 'init-root', '--root-key', rootA!, '--root-key', rootB!, '--root-threshold', '2'],
    ...['--targets-key', targetsA!, '--targets-key', targetsB!, '--targets-threshold', '2'],
    ...['--online-keys', file('online-keys.json'), '--out', file('unsigned.root.json')],
  ]);
  await writeFile(
    file('export.json'),
    JSON.stringify({
      targets: [
        {
          name: 'labphone/15.2/full.zip',
          length: 4242,
          sha256: SHA,
          custom: { version: '15.2', securityPatchLevel: '2026-12-05' },
        },
      ],
      skipped: 0,
      currentVersion: 0,
    }),
  );
}, 120_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('pakawaaz os sign FILE, offline', () => {
  it('signs root metadata, each root key holder in turn, until the threshold is met', async () => {
    const [a, b] = await keys('root', 'key');
    const one = await cli([
      'os',
      'sign',
      file('unsigned.root.json'),
      '--key',
      a!,
      '--out',
      file('half.root.json'),
    ]);
    expect(one.stdout).toContain(`1 signature(s) on root version 1: ${file('half.root.json')}`);
    const half = await read('root', 'half.root.json');
    expect(() => verifyThreshold(half, half.signed, 'root')).toThrow(/threshold|1 of 2|signature/i);
    await cli(['os', 'sign', file('half.root.json'), '--key', b!, '--out', file('1.root.json')]);
    const root = await read('root', '1.root.json');
    expect(root.signatures).toHaveLength(2);
    expect(() => verifyThreshold(root, root.signed, 'root')).not.toThrow();
    // The same bytes were signed: the signed part is untouched.
    expect(root.signed).toEqual((await read('root', 'unsigned.root.json')).signed);
  });

  it('signs a root rotation with the previous root keys when given --previous, as sign-root does', async () => {
    await cli(['os', 'tuf', 'keygen', '--role', 'root', '--out', path.join(room, 'next')]);
    const nextKey = (await readdir(path.join(room, 'next'))).map((n) => path.join(room, 'next', n)).sort();
    const [newPriv, newPub] = nextKey;
    await cli([
      ...['os', 'tuf', 'rotate-root', '--current', file('1.root.json'), '--root-key', newPub!],
      ...['--out', file('2.unsigned.root.json')],
    ]);
    const [a, b] = await keys('root', 'key');
    const refused = await cli(
      ['os', 'sign', file('2.unsigned.root.json'), '--key', a!, '--out', file('x.root.json')],
      1,
    );
    expect(refused.stderr).toMatch(/not a root key of the root/);
    const args = ['--key', a!, '--key', b!, '--key', newPriv!, '--previous', file('1.root.json')];
    await cli(['os', 'sign', file('2.unsigned.root.json'), ...args, '--out', file('2.root.json')]);
    const [current, next] = [await read('root', '1.root.json'), await read('root', '2.root.json')];
    expect(() => verifyRootRotation(current.signed, next)).not.toThrow();
  });

  it('signs targets like sign-targets: the review first, --yes off a terminal, then the second holder', async () => {
    const [a, b] = await keys('targets', 'key');
    // The first targets key holder makes the targets from the export (os tuf sign-targets, unchanged).
    await cli([
      ...['os', 'tuf', 'sign-targets', '--export', file('export.json'), '--root', file('1.root.json')],
      ...['--key', a!, '--yes', '--out', file('half.targets.json')],
    ]);
    const args = ['os', 'sign', file('half.targets.json'), '--root', file('1.root.json'), '--key', b!];
    const unconfirmed = await cli([...args, '--out', file('1.targets.json')], 2);
    expect(unconfirmed.stdout).toContain(
      `+ labphone/15.2/full.zip  sha256 ${SHA}  4242 bytes  version 15.2  patch level 2026-12-05`,
    );
    expect(unconfirmed.stderr).toMatch(/Give --yes to sign/);
    expect(existsSync(file('1.targets.json'))).toBe(false);

    const signed = await cli([...args, '--yes', '--out', file('1.targets.json')]);
    expect(signed.stdout).toContain(`wrote targets version 1 (1 target(s)) to ${file('1.targets.json')}`);
    const root = await read('root', '1.root.json');
    const half = await read('targets', 'half.targets.json');
    expect(() => verifyThreshold(half, root.signed, 'targets')).toThrow(/1 of 2|threshold|signature/i);
    const targets = await read('targets', '1.targets.json');
    expect(targets.signatures).toHaveLength(2);
    expect(() => verifyThreshold(targets, root.signed, 'targets')).not.toThrow();
  });

  it('refuses what it must not sign, with a clear message and no file written', async () => {
    const [rootKey] = await keys('root', 'key');
    const [targetsKey] = await keys('targets', 'key');
    const out = file('refused.json');
    // A root key is not a targets key of the root.
    const wrongKey = await cli(
      [
        'os',
        'sign',
        file('half.targets.json'),
        '--root',
        file('1.root.json'),
        '--key',
        rootKey!,
        '--yes',
        '--out',
        out,
      ],
      1,
    );
    expect(wrongKey.stderr).toMatch(/not a targets key of the root/);
    // Options of the other role, and targets without the root that says who may sign.
    const noRoot = await cli(
      ['os', 'sign', file('half.targets.json'), '--key', targetsKey!, '--out', out],
      2,
    );
    expect(noRoot.stderr).toMatch(/needs --root/);
    const previous = await cli(
      [
        ...['os', 'sign', file('half.targets.json'), '--root', file('1.root.json'), '--key', targetsKey!],
        ...['--previous', file('1.root.json'), '--out', out],
      ],
      2,
    );
    expect(previous.stderr).toMatch(/--previous applies to root only/);
    const rootWithTargetsFlags = await cli(
      ['os', 'sign', file('1.root.json'), '--key', rootKey!, '--root', file('1.root.json'), '--out', out],
      2,
    );
    expect(rootWithTargetsFlags.stderr).toMatch(/root metadata: --root is for targets only/);
    // Snapshot and timestamp are the server's (online keys); other files are not metadata at all.
    const snapshot = { signatures: [], signed: { _type: 'snapshot', version: 1, meta: {} } };
    await writeFile(file('1.snapshot.json'), JSON.stringify(snapshot));
    const online = await cli(['os', 'sign', file('1.snapshot.json'), '--key', rootKey!, '--out', out], 2);
    expect(online.stderr).toMatch(/snapshot metadata: the server signs snapshot with its online key/);
    const exported = await cli(['os', 'sign', file('export.json'), '--key', rootKey!, '--out', out], 2);
    expect(exported.stderr).toMatch(/not TUF metadata \(no signed\._type\)/);
    await writeFile(file('notes.txt'), 'not json');
    expect((await cli(['os', 'sign', file('notes.txt'), '--key', rootKey!, '--out', out], 2)).stderr).toMatch(
      /is not JSON/,
    );
    // An existing file is never overwritten.
    const exists = await cli(
      ['os', 'sign', file('half.root.json'), '--key', rootKey!, '--out', file('1.root.json')],
      1,
    );
    expect(exists.stderr).toMatch(/exists already/);
    expect(existsSync(out)).toBe(false);
  });

  it('made no network call: no socket, no DNS lookup (and the guard does see one when a command dials)', async () => {
    expect(await networkAttempts()).toBe('');
    // The same guard on a command that talks to the server: the attempt is logged and refused.
    const dialled = await run(['os', 'tuf', 'status']);
    expect(dialled.code).not.toBe(0);
    expect(await networkAttempts()).toMatch(/^(connect|dns) /m);
  });
});
