import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { luhnCheckDigit } from '@pakawaaz/test-support';
import { totpCodeAtStep, totpStepAt } from '@pakawaaz/totp';
import { runCli } from '../support/cli.js';
import { EAPOL_TEST, runTool, toolAvailable } from '../support/external-tools.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The phased rollout end to end: a server whose plan (PAKAWAAZ_ROLLOUT_PLAN) starts SIM sign-in with the
 * federal ministries, a pilot institution whose official's SIM is refused over RADIUS (eapol_test's
 * software USIM) with the reason in the sign-in log, and the CLI moving the institution on (audited, from
 * and to), after which the same SIM signs in.
 */
const SECRET = 'nas-shared-secret-rollout-1';
const PASSWORD = 'quiet-harbour-lantern-42';
// 3GPP TS 35.208 test set 1.
const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const IMSI = '001010000000021';
const INTERIOR = 'Ministry of Interior';

const hasEapolTest = toolAvailable(EAPOL_TEST, 'sudo lab/tools/build-eapol-test.sh');

type Plan = {
  phases: { phase: string; introduces: string[]; enables: string[]; institutions: number }[];
  capabilities: { name: string; firstPhase: string; overridden: boolean }[];
  institutions: { name: string; phase: string; nextPhase: string | null }[];
};
type Event = {
  result: string;
  reason: string;
  reasonText: string;
  imsi: string | null;
  username: string | null;
};

let server: TestServer;
let token: string;
let work: string;
let userId: string;
let institutionId: string;

const cli = (args: string[], stdin?: string, as = token) =>
  runCli(args, { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: as }, stdin);

async function api<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await server.request(method, p, { token, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function plan(): Promise<Plan> {
  const r = await cli(['rollout', 'show', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Plan;
}

async function eapolTest(name: string): Promise<string | undefined> {
  const conf = path.join(work, `${name}.conf`);
  await writeFile(
    conf,
    `network={\n  key_mgmt=IEEE8021X\n  eap=AKA\n  identity="0${IMSI}@wlan.mnc001.mcc001.3gppnetwork.org"\n  password="${K}:${OPC}:000000000000"\n}\n`,
  );
  const port = String(server.radius?.authPort);
  const r = await runTool(EAPOL_TEST, [
    '-c',
    conf,
    '-a',
    '127.0.0.1',
    '-p',
    port,
    '-s',
    SECRET,
    '-r0',
    '-t',
    '10',
  ]);
  return r.stdout.trim().split('\n').at(-1);
}

/** The sign-in log is written off the request path: poll it for a few seconds. */
async function logUntil(args: string[], found: (events: Event[]) => boolean): Promise<Event[]> {
  for (let i = 0; ; i++) {
    const r = await cli(['radius', 'log', '--json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    const { events } = JSON.parse(r.stdout) as { events: Event[] };
    if (found(events) || i >= 40) return events;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Ayesha enrols TOTP herself (no SIM sign-in in the pilot: the password alone signs her in first). */
async function enrolTotp(): Promise<void> {
  const signIn = await server.request('POST', '/api/v1/auth/login', {
    body: { username: 'ayesha', password: PASSWORD },
  });
  const { accessToken } = (await signIn.json()) as { accessToken: string };
  const begun = await server.request('POST', '/api/v1/account/totp', { token: accessToken });
  const { secret } = (await begun.json()) as { secret: string };
  const confirmed = await server.request('POST', '/api/v1/account/totp/confirm', {
    token: accessToken,
    body: { code: totpCodeAtStep(secret, totpStepAt(new Date()) - 1) },
  });
  expect(confirmed.status).toBe(200);
}

/** The password step of an HTTPS sign-in: the ticket and the factors offered next. */
async function passwordStep(): Promise<{ ticket: string; factors: string[] }> {
  const res = await server.request('POST', '/api/v1/auth/login', {
    body: { username: 'ayesha', password: PASSWORD },
  });
  expect(res.status).toBe(200);
  const step = (await res.json()) as { status: string; ticket: string; factors: string[] };
  expect(step.status).toBe('mfa_required');
  return step;
}

async function assignSim(): Promise<void> {
  const body = `8992001${String(21).padStart(11, '0')}`;
  const csv = `imsi,iccid,ki,opc\n${IMSI},${body + luhnCheckDigit(body)},${K},${OPC}\n`;
  const res = await server.request('POST', '/api/v1/sims/imports?filename=rollout.csv', {
    token,
    body: csv,
    headers: { 'content-type': 'text/csv' },
  });
  expect(res.status).toBe(202);
  const job = (await res.json()) as { id: string };
  for (
    let i = 0;
    (await api<{ status: string }>('GET', `/api/v1/sims/imports/${job.id}`)).status !== 'completed';
    i++
  ) {
    if (i > 200) throw new Error('the SIM import did not complete');
    await new Promise((r) => setTimeout(r, 100));
  }
  await api('POST', '/api/v1/subscribers', { imsi: IMSI, userId, displayName: 'Ayesha Khan' });
}

beforeAll(async () => {
  server = await startTestServer({ PAKAWAAZ_ROLLOUT_PLAN: 'sim-sign-in=federal-ministries' });
  token = await server.adminToken();
  work = await mkdtemp(path.join(tmpdir(), 'pakawaaz-rollout-e2e-'));
  const added = await cli(['institutions', 'add', '--name', INTERIOR, '--json']);
  expect(added.code, added.stderr).toBe(0);
  institutionId = (JSON.parse(added.stdout) as { id: string }).id;
  const user = await cli(
    [
      'users',
      'add',
      '--username',
      'ayesha',
      '--password-stdin',
      '--name',
      'Ayesha Khan',
      '--institution',
      INTERIOR,
    ],
    `${PASSWORD}\n`,
  );
  expect(user.code, user.stderr).toBe(0);
  userId = user.stdout.trim();
  await enrolTotp();
  const nas = await cli([
    'radius',
    'clients',
    'add',
    '--name',
    'campus-wlc',
    '--ip',
    '127.0.0.1',
    '--secret',
    SECRET,
  ]);
  expect(nas.code, nas.stderr).toBe(0);
  await assignSim();
});

afterAll(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the rollout plan (API and CLI)', () => {
  it('lists the phases in order, what each enables with the override, and the institutions per phase', async () => {
    const p = await plan();
    expect(p.phases.map((x) => x.phase)).toEqual(['pilot', 'federal-ministries', 'nationwide']);
    const pilot = p.phases[0]!;
    expect(pilot.enables).not.toContain('sim-sign-in');
    expect(p.phases[1]!.introduces).toContain('sim-sign-in');
    expect(p.phases[2]!.enables).toEqual(
      expect.arrayContaining(['sim-sign-in', 'device-enrolment', 'app-store', 'chat', 'calls']),
    );
    expect(p.capabilities.find((c) => c.name === 'sim-sign-in')).toMatchObject({
      firstPhase: 'federal-ministries',
      overridden: true,
    });
    expect(p.institutions.find((i) => i.name === INTERIOR)).toMatchObject({
      phase: 'pilot',
      nextPhase: 'federal-ministries',
    });
    expect(pilot.institutions).toBe(p.institutions.filter((i) => i.phase === 'pilot').length);
    const human = await cli(['rollout', 'show']);
    expect(human.stdout).toContain(`- ${INTERIOR}  (1 users)`);
    expect(human.stdout).toContain('PAKAWAAZ_ROLLOUT_PLAN overrides: sim-sign-in=federal-ministries');
  });

  it('refuses a move from a phase the institution is no longer in, an unknown phase and an unknown institution', async () => {
    const stale = await server.request('POST', `/api/v1/institutions/${institutionId}/rollout-phase`, {
      token,
      body: { phase: 'nationwide', from: 'federal-ministries' },
    });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { code: string }).code).toBe('institution_phase_changed');
    const bad = await cli(['institutions', 'set-phase', '--institution', INTERIOR, '--phase', 'everywhere']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Allowed choices are pilot, federal-ministries, nationwide');
    const unknown = await cli([
      'institutions',
      'set-phase',
      '--institution',
      'Ministry of Nothing',
      '--next',
    ]);
    expect(unknown.stderr).toContain('No institution "Ministry of Nothing".');
  });
});

describe.skipIf(!hasEapolTest)('SIM sign-in follows the institution phase (eapol_test)', () => {
  it('refuses the SIM of a pilot institution with Access-Reject, logged as capability_not_enabled', async () => {
    expect(await eapolTest('pilot')).toBe('FAILURE');
    const events = await logUntil(['--reason', 'capability_not_enabled'], (e) => e.length > 0);
    expect(events[0]).toMatchObject({
      result: 'reject',
      reason: 'capability_not_enabled',
      reasonText: "SIM sign-in not enabled in the institution's rollout phase",
      imsi: IMSI,
    });
  });

  it('signs the SIM in once the CLI moved the institution to the next phase, and audits the move', async () => {
    const moved = await cli(['institutions', 'set-phase', '--institution', INTERIOR, '--next']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(
      /^Ministry of Interior: pilot → federal-ministries \(its officials now get: [^)]*sim-sign-in/,
    );
    const audit = await api<{
      entries: { action: string; actor: unknown; details: Record<string, unknown> }[];
    }>('GET', '/api/v1/audit?action=identity.institution.rollout-phase-changed');
    expect(audit.entries[0]?.details).toMatchObject({
      name: INTERIOR,
      from: 'pilot',
      to: 'federal-ministries',
    });
    expect(await eapolTest('federal')).toBe('SUCCESS');
  });
});

describe('SIM sign-in over HTTPS follows the institution phase', () => {
  it('offers the SIM after the password once the phase enables it, and refuses it with 403 in the pilot', async () => {
    await api('POST', `/api/v1/institutions/${institutionId}/rollout-phase`, { phase: 'federal-ministries' });
    expect((await passwordStep()).factors).toContain('sim');

    const back = await cli(['institutions', 'set-phase', '--institution', INTERIOR, '--phase', 'pilot']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain('Ministry of Interior: federal-ministries → pilot');
    const { ticket, factors } = await passwordStep();
    expect(factors).toContain('totp');
    expect(factors).not.toContain('sim');
    const res = await server.request('POST', '/api/v1/auth/sim/start', { body: { ticket, method: 'aka' } });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { code: string; message: string; details: unknown };
    expect(body.code).toBe('capability_not_enabled');
    expect(body.message).toBe(
      'sim-sign-in is not enabled yet for Ministry of Interior (rollout phase pilot; it starts in phase federal-ministries). Ask your NOC to move the institution to the next rollout phase.',
    );
    expect(body.details).toEqual({
      capability: 'sim-sign-in',
      phase: 'pilot',
      enabledFrom: 'federal-ministries',
    });
  });
});
