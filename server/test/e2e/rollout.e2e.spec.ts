import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EAPOL_TEST, toolAvailable } from '../support/external-tools.js';
import {
  addNas,
  addOfficial,
  apiAs,
  cliAs,
  eapolTest as runEapolTest,
  enrolTotp,
  importSims,
  logUntil as pollLog,
} from '../support/radius-world.js';
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
let institutionId: string;
let cli: ReturnType<typeof cliAs>;
let api: ReturnType<typeof apiAs>;

async function plan(): Promise<Plan> {
  const r = await cli(['rollout', 'show', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Plan;
}

/** Ayesha's SIM over EAP-AKA: eapol_test's verdict (its last line). */
async function eapolTest(name: string): Promise<string | undefined> {
  const r = await runEapolTest(work, name, server.radius!.authPort, SECRET, {
    eap: 'AKA',
    identity: `0${IMSI}@wlan.mnc001.mcc001.3gppnetwork.org`,
    k: K,
    opc: OPC,
  });
  return r.stdout.trim().split('\n').at(-1);
}

const logUntil = (args: string[], found: (events: Event[]) => boolean) => pollLog<Event>(cli, args, found);

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

beforeAll(async () => {
  server = await startTestServer({ PAKAWAAZ_ROLLOUT_PLAN: 'sim-sign-in=federal-ministries' });
  token = await server.adminToken();
  cli = cliAs(server, token);
  api = apiAs(server, token);
  work = await mkdtemp(path.join(tmpdir(), 'pakawaaz-rollout-e2e-'));
  const userId = await addOfficial(cli, {
    institution: INTERIOR,
    username: 'ayesha',
    name: 'Ayesha Khan',
    password: PASSWORD,
  });
  institutionId = (await api<{ institutionId: string }>('GET', `/api/v1/users/${userId}`)).institutionId;
  // No SIM sign-in in the pilot: the password alone signs her in first, so she enrols TOTP.
  await enrolTotp(server, 'ayesha', PASSWORD);
  await addNas(cli, 'campus-wlc', SECRET);
  await importSims(server, token, [{ imsi: IMSI, k: K, opc: OPC }], 'rollout.csv');
  await api('POST', '/api/v1/subscribers', { imsi: IMSI, official: 'ayesha' });
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
