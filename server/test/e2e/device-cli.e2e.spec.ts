import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  labRootPaths,
  loadOrCreateLabRoot,
  SimulatedHandset,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import { freeTcpPort } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server.js';

/*
 * An operator's device commands and device groups through the real `pakawaaz` binary against a real server
 * with a lab-attested handset checking in over mutual TLS: a lock queued from the CLI is delivered, obeyed and
 * shown acknowledged by `devices commands --json`; a group made and filled by official's username gets a
 * policy the handset receives at its next check-in.
 */
const PASSWORD = 'amber-orchard-violin-7';
const OFFICIAL = 'zara.hussain';

let server: TestServer;
let env: Record<string, string>;
let dir: string;
let root: LabAttestationRoot;
let handset: SimulatedHandset;
let deviceId = '';
let institutionId = '';

const cli = (...args: string[]) => runCli(args, env);
async function json<T>(...args: string[]): Promise<T> {
  const r = await cli(...args, '--json');
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(0);
  return JSON.parse(r.stdout) as T;
}

type Command = { id: string; type: string; state: string };

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-device-cli-'));
  root = await loadOrCreateLabRoot(dir);
  server = await startTestServer({
    OPEN5GS_MONITOR: 'off',
    PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
    PAKAWAAZ_TRUST_LAB_ROOT: '1',
    PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(dir).cert,
  });
  const token = (
    await runCli(
      ['login', '--username', 'admin', '--password-stdin'],
      { PAKAWAAZ_URL: server.url },
      TEST_ADMIN_PASSWORD,
    )
  ).stdout.trim();
  env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: token };
  const admin = await server.adminToken();
  institutionId = (
    await server.json<{ id: string }>('POST', '/api/v1/institutions', {
      token: admin,
      body: { name: 'Ministry of Water (CLI)' },
    })
  ).id;
  await server.json('POST', '/api/v1/users', {
    token: admin,
    body: {
      kind: 'official',
      username: OFFICIAL,
      displayName: 'Zara Hussain',
      password: PASSWORD,
      institution: institutionId,
    },
  });
  const enrolment = await server.json<{ token: string }>('POST', '/api/v1/enrolment-tokens', {
    token: admin,
    body: { official: OFFICIAL },
  });
  if (!server.devicePort.open) throw new Error('the device port is not open');
  handset = new SimulatedHandset({ apiUrl: server.url, deviceUrl: server.devicePort.url, root });
  deviceId = (await handset.enrol(enrolment.token)).deviceId;
  await handset.checkIn();
}, 120_000);
afterAll(async () => {
  handset?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('devices command / commands from the CLI', () => {
  it('queues a lock, the handset obeys it, and the history shows each state', async () => {
    const queued = await json<Command>('devices', 'command', '--device', deviceId, '--type', 'lock');
    expect(queued).toMatchObject({ type: 'lock', state: 'queued' });
    const before = await json<{ commands: Command[] }>('devices', 'commands', '--device', deviceId);
    expect(before.commands.map((c) => [c.id, c.type, c.state])).toEqual([[queued.id, 'lock', 'queued']]);
    // Delivered at the next check-in and obeyed; acknowledged at the one after.
    await handset.checkIn();
    expect(handset.state.locked).toBe(true);
    expect(
      (await json<{ commands: Command[] }>('devices', 'commands', '--device', deviceId)).commands[0]?.state,
    ).toBe('delivered');
    await handset.checkIn();
    const after = await json<{ commands: Command[] }>('devices', 'commands', '--device', deviceId);
    expect(after.commands.map((c) => [c.id, c.state])).toEqual([[queued.id, 'succeeded']]);
    // The text form: one line per command with its type and state.
    const text = await cli('devices', 'commands', '--device', deviceId);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`lock\\s+succeeded\\s+${queued.id}`));
  });

  it('retrying with the same idempotency key queues nothing new', async () => {
    const args = [
      'devices',
      'command',
      '--device',
      deviceId,
      '--type',
      'reboot',
      '--idempotency-key',
      'cli-reboot-1',
    ];
    const first = await json<Command>(...args);
    const again = await json<Command>(...args);
    expect(again.id).toBe(first.id);
    const listed = await json<{ commands: Command[] }>('devices', 'commands', '--device', deviceId);
    expect(listed.commands.filter((c) => c.type === 'reboot')).toHaveLength(1);
  });

  it('refuses a wipe nobody confirmed, an unknown type and an unknown device, queuing nothing', async () => {
    const count = async () =>
      (await json<{ commands: Command[] }>('devices', 'commands', '--device', deviceId)).commands.length;
    const n = await count();
    const wipe = await cli('devices', 'command', '--device', deviceId, '--type', 'wipe');
    expect(wipe.code).toBe(2);
    expect(wipe.stderr).toContain('--yes');
    const unknownType = await cli('devices', 'command', '--device', deviceId, '--type', 'explode');
    expect(unknownType.code).toBe(2);
    expect(unknownType.stderr).toContain('Unknown command type "explode"');
    expect(await count()).toBe(n);
    const missing = await cli(
      'devices',
      'commands',
      '--device',
      '00000000-0000-4000-8000-000000000000',
      '--json',
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('device_not_found');
  });
});

describe('devices groups from the CLI', () => {
  it("creates a group, adds the official's handset by username, sets its policy: the handset gets it", async () => {
    const group = await json<{ id: string; name: string; members: number }>(
      'devices',
      'groups',
      'create',
      'Field officers',
      '--institution',
      institutionId,
    );
    expect(group).toMatchObject({ name: 'Field officers', members: 0 });
    const filled = await json<{ devices: { id: string; official: { username: string } }[] }>(
      'devices',
      'groups',
      'add',
      group.id,
      '--official',
      OFFICIAL,
    );
    expect(filled.devices.map((d) => [d.id, d.official.username])).toEqual([[deviceId, OFFICIAL]]);
    const file = path.join(dir, 'field.json');
    await writeFile(file, JSON.stringify({ cameraAllowed: false, checkInIntervalSeconds: 300 }));
    const stored = await json<{ version: number; source: string }>(
      'devices',
      'groups',
      'policy',
      'set',
      group.id,
      '--file',
      file,
    );
    expect(stored.source).toBe('group');
    const reply = await handset.checkIn();
    expect(reply.policy).toMatchObject({
      version: stored.version,
      settings: { cameraAllowed: false, checkInIntervalSeconds: 300 },
    });
    const listed = await cli('devices', 'groups', 'list');
    expect(listed.stdout).toMatch(/Field officers\s+1 handsets/);
    // Deleted: the handset follows the institution's (here the national default) again.
    expect((await cli('devices', 'groups', 'delete', group.id)).code).toBe(0);
    const back = await handset.checkIn();
    expect(back.policy?.version).toBe(0);
  });
});
