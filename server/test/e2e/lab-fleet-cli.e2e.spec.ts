import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labRootPaths, loadOrCreateLabRoot } from '@pakawaaz/handset-simulator';
import { freeTcpPort } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * `pakawaaz lab fleet` through the real CLI against a real server: N lab-attested handsets enrol with one
 * enrolment token each, check in over mutual TLS on the device port and report compliant; progress lines go to
 * stderr, the final figures to stdout (--json). And its refusals: no token, a server that does not trust the
 * lab root.
 */
let server: TestServer;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-lab-fleet-'));
  await loadOrCreateLabRoot(path.join(dir, 'lab'));
  server = await startTestServer({
    OPEN5GS_MONITOR: 'off',
    PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
    PAKAWAAZ_TRUST_LAB_ROOT: '1',
    PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(path.join(dir, 'lab')).cert,
  });
  const admin = await server.adminToken();
  const inst = await server.json<{ id: string }>('POST', '/api/v1/institutions', {
    token: admin,
    body: { name: 'Ministry of Fleets' },
  });
  await server.json('POST', '/api/v1/users', {
    token: admin,
    body: {
      username: 'farah.fleet',
      displayName: 'Farah',
      kind: 'official',
      institution: inst.id,
      password: 'harbour-violet-cinder-41',
    },
  });
  if (!server.devicePort.open) throw new Error('the device port is not open');
  env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: admin };
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const fleet = (extra: string[], e = env) =>
  runCli(
    [
      'lab',
      'fleet',
      '--lab-root',
      path.join(dir, 'lab'),
      '--device-url',
      server.devicePort.open ? server.devicePort.url : '',
      '--official',
      'farah.fleet',
      ...extra,
    ],
    e,
  );

describe('pakawaaz lab fleet', () => {
  it('enrols N handsets that check in compliant over mutual TLS, with progress and JSON figures', async () => {
    const r = await fleet(['--devices', '3', '--duration', '3', '--interval', '1', '--json']);
    expect(r.stderr).toContain('attestation-root.pem');
    expect(r.code).toBe(0);
    const done = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(done).toMatchObject({ phase: 'done', enrolled: 3, devices: 3, compliant: 3, errors: 0 });
    // One check-in at enrolment and about one a second each for 3 s: at least two a handset.
    expect(done.checkIns as number).toBeGreaterThanOrEqual(6);
    expect(r.stderr).toMatch(
      /running: enrolled 3\/3 · compliant 3 · \d+ check-ins\/s · p99 [\d.]+ ms · errors 0/,
    );
    const listed = await server.json<{ devices: { state: string }[]; total: number }>(
      'GET',
      '/api/v1/devices?state=active&limit=50',
      { token: env.PAKAWAAZ_TOKEN },
    );
    expect(listed.total).toBe(3);
  });

  it('refuses to run without a token (exit 2) and says why no handset enrols when the lab root is foreign', async () => {
    const noToken = await fleet(['--devices', '1', '--duration', '0'], { PAKAWAAZ_URL: server.url });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('PAKAWAAZ_TOKEN');
    // Another lab root: its attestation chains end at a root the server does not trust.
    const other = path.join(dir, 'other-lab');
    await loadOrCreateLabRoot(other);
    const foreign = await runCli(
      [
        'lab',
        'fleet',
        '--lab-root',
        other,
        '--device-url',
        server.devicePort.open ? server.devicePort.url : '',
        '--official',
        'farah.fleet',
        '--devices',
        '1',
        '--duration',
        '0',
      ],
      env,
    );
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain('No handset could enrol');
    expect(foreign.stderr).toContain('PAKAWAAZ_TRUST_LAB_ROOT=1');
  });
});
