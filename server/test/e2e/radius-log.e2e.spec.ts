import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EAPOL_TEST, OATHTOOL, RADCLIENT, toolAvailable } from '../support/external-tools.js';
import {
  addNas,
  addOfficial,
  apiAs,
  cliAs,
  eapolTest as runEapolTest,
  enrolTotp,
  importSims,
  logUntil as pollLog,
  radclient,
  totpNow as oathtoolNow,
} from '../support/radius-world.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The authentication log against real clients: radclient (PAP, wrong secrets, a disabled NAS) and
 * eapol_test's software USIM (EAP-AKA, EAP-AKA', barred and unknown SIMs). Each request's reason must show
 * up in `pakawaaz radius log` — the operator's diagnosis without reading JSON logs — and no secret may.
 */
const SECRET = 'nas-shared-secret-log-01';
const PASSWORD = 'amber-harbour-lantern-58';
const K = '465b5ce8b199b49faa5f0a2ee238a6bc'; // 3GPP TS 35.208 test set 1
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const IMSI = '001010000000011';
const IMSI_BARRED = '001010000000012';

const hasRadclient = toolAvailable(RADCLIENT, 'apt-get install freeradius-utils');
const hasOathtool = toolAvailable(OATHTOOL, 'apt-get install oathtool');
const hasEapolTest = toolAvailable(EAPOL_TEST, 'sudo lab/tools/build-eapol-test.sh');

type Event = {
  result: string;
  reason: string;
  reasonText: string;
  method: string | null;
  username: string | null;
  imsi: string | null;
  clientName: string | null;
  count: number;
};

let server: TestServer;
let token: string;
let auth: string;
let seed: string;
let work: string;
let cli: ReturnType<typeof cliAs>;
let api: ReturnType<typeof apiAs>;

const pap = (password: string, secret = SECRET, user = 'ayesha') =>
  radclient('auth', auth, secret, [
    `User-Name = "${user}"`,
    `User-Password = "${password}"`,
    'Message-Authenticator = 0x00',
  ]);

const totpNow = () => oathtoolNow(seed);

/** The newest RADIUS events matching `args`; written off the request path, so polled for a few seconds. */
const logUntil = (args: string[], found: (events: Event[]) => boolean) => pollLog<Event>(cli, args, found);

beforeAll(async () => {
  server = await startTestServer();
  token = await server.adminToken();
  cli = cliAs(server, token);
  api = apiAs(server, token);
  if (!server.radius) throw new Error('RADIUS did not start');
  auth = String(server.radius.authPort);
  work = await mkdtemp(path.join(tmpdir(), 'pakawaaz-radius-log-e2e-'));
  await addOfficial(cli, {
    institution: 'Ministry of Interior',
    username: 'ayesha',
    name: 'Ayesha Khan',
    password: PASSWORD,
  });
  seed = await enrolTotp(server, 'ayesha', PASSWORD);
  await addNas(cli, 'campus-wlc', SECRET);
});

afterAll(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!hasRadclient || !hasOathtool)('PAP with radclient: every answer has its reason', () => {
  it('an accept, a wrong password and a replayed code, through the NAS they came from — never the password', async () => {
    const code = await totpNow();
    expect((await pap(`${PASSWORD}${code}`)).stdout).toContain('Received Access-Accept');
    expect((await pap(`${PASSWORD}${code}`)).stdout).toContain('Received Access-Reject');
    expect((await pap(`not-her-password${code}`)).stdout).toContain('Received Access-Reject');
    const events = await logUntil(['--user', 'ayesha'], (e) => e.length >= 3);
    expect(events.slice(0, 3).map((e) => [e.result, e.reason, e.method, e.clientName])).toEqual([
      ['reject', 'wrong_password', 'pap', 'campus-wlc'],
      ['reject', 'totp_replayed', 'pap', 'campus-wlc'],
      ['accept', 'ok', 'pap', 'campus-wlc'],
    ]);
    const text = await cli(['radius', 'log', '--user', 'ayesha', '--result', 'reject']);
    expect(text.stdout).toMatch(/reject\s+campus-wlc\s+pap\s+ayesha\s+— wrong password/);
    expect(text.stdout).toContain('— replayed TOTP code');
    expect(text.stdout).not.toContain(PASSWORD);
    expect(text.stdout).not.toContain('not-her-password');
  });

  it('a wrong shared secret is a drop with its reason, counted once per batch', async () => {
    for (let i = 0; i < 3; i++)
      expect((await pap('whatever123456', 'not-the-secret-0000')).stdout).not.toContain('Received');
    const events = await logUntil(['--result', 'drop'], (e) =>
      e.some((x) => x.reason === 'bad_message_authenticator'),
    );
    const drop = events.find((e) => e.reason === 'bad_message_authenticator');
    expect(drop).toMatchObject({
      clientName: 'campus-wlc',
      reasonText: 'bad Message-Authenticator (wrong shared secret?)',
    });
    expect(
      events.filter((e) => e.reason === 'bad_message_authenticator').reduce((n, e) => n + e.count, 0),
    ).toBe(3);
  });

  it('a disabled NAS is dropped as such; enabled again it works; a rotated secret replaces the old one', async () => {
    expect((await cli(['radius', 'clients', 'disable', 'campus-wlc'])).code).toBe(0);
    expect((await pap(`${PASSWORD}${await totpNow()}`)).stdout).not.toContain('Received');
    const events = await logUntil(['--reason', 'nas_disabled'], (e) => e.length > 0);
    expect(events[0]).toMatchObject({
      result: 'drop',
      clientName: 'campus-wlc',
      reasonText: 'NAS client disabled',
    });
    expect((await cli(['radius', 'clients', 'enable', 'campus-wlc'])).code).toBe(0);
    expect((await pap('wrong-again123456')).stdout).toContain('Received Access-Reject');

    const rotated = await cli(['radius', 'clients', 'rotate-secret', 'campus-wlc']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const fresh = rotated.stdout.trim();
    // Letters and digits only: a generated secret that began with '-' would be read by radclient as options.
    expect(fresh).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await pap('wrong-again123456')).stdout).not.toContain('Received');
    expect((await pap('wrong-again123456', fresh)).stdout).toContain('Received Access-Reject');
    const audit = JSON.stringify(await api('GET', '/api/v1/audit?limit=50'));
    expect(audit).toContain('identity.radius-client.secret-rotated');
    expect(audit).not.toContain(fresh);
    const log = await cli(['radius', 'log', '--limit', '200']);
    expect(log.stdout).not.toContain(fresh);
    expect(log.stdout).not.toContain(SECRET);
  });

  it('radius status reads as a summary; --json is for scripts', async () => {
    const text = await cli(['radius', 'status']);
    expect(text.stdout).toMatch(/^RADIUS: listening on UDP \d+ \(authentication\) and \d+ \(accounting\)$/m);
    expect(text.stdout).toMatch(/dropped\s+.*bad_message_authenticator \d+/);
    const json = JSON.parse((await cli(['radius', 'status', '--json'])).stdout) as {
      log: { written: number };
    };
    expect(json.log.written).toBeGreaterThan(0);
  });
});

describe.skipIf(!hasEapolTest)("EAP-AKA and EAP-AKA' with eapol_test: SIM reasons", () => {
  const nai = (prefix: string, imsi: string) => `${prefix}${imsi}@wlan.mnc001.mcc001.3gppnetwork.org`;
  const eapolTest = (name: string, eap: 'AKA' | "AKA'", identity: string) =>
    runEapolTest(work, name, auth, SECRET, { eap, identity, k: K, opc: OPC });

  beforeAll(async () => {
    await importSims(
      server,
      token,
      [IMSI, IMSI_BARRED].map((imsi) => ({ imsi, k: K, opc: OPC })),
      'log.csv',
    );
    for (const imsi of [IMSI, IMSI_BARRED])
      await api('POST', '/api/v1/subscribers', { imsi, official: 'ayesha' });
    await api('POST', `/api/v1/subscribers/${IMSI_BARRED}/bar`, { reason: 'e2e: reported lost' });
    // A rotated secret from the PAP tests: eapol_test uses SECRET.
    await cli(['radius', 'clients', 'rotate-secret', 'campus-wlc', '--secret', SECRET]);
  });

  it('accepts name the method and the IMSI; a barred and an unknown SIM say so', async () => {
    expect((await eapolTest('aka', 'AKA', nai('0', IMSI))).stdout.trim().split('\n').at(-1)).toBe('SUCCESS');
    expect((await eapolTest('aka-prime', "AKA'", nai('6', IMSI))).stdout.trim().split('\n').at(-1)).toBe(
      'SUCCESS',
    );
    expect((await eapolTest('barred', 'AKA', nai('0', IMSI_BARRED))).stdout.trim().split('\n').at(-1)).toBe(
      'FAILURE',
    );
    expect(
      (await eapolTest('unknown', 'AKA', nai('0', '001019999999999'))).stdout.trim().split('\n').at(-1),
    ).toBe('FAILURE');
    const events = await logUntil(
      ['--since', '5m'],
      (e) => e.filter((x) => x.method?.startsWith('eap')).length >= 4,
    );
    const eap = events.filter((e) => e.method?.startsWith('eap')).reverse();
    expect(eap.map((e) => [e.result, e.reason, e.method, e.imsi])).toEqual([
      ['accept', 'ok', 'eap-aka', IMSI],
      ['accept', 'ok', "eap-aka'", IMSI],
      ['reject', 'barred_sim', 'eap-aka', IMSI_BARRED],
      ['reject', 'unknown_sim', 'eap-aka', '001019999999999'],
    ]);
    expect(eap[2]?.reasonText).toBe('barred SIM');
  });
});
