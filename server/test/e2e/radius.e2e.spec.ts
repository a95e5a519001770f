import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE, type DatabaseHandle } from '@pakawaaz/platform';
import { sql } from 'drizzle-orm';
import { totpCodeAtStep, totpStepAt } from '@pakawaaz/totp';
import { EAPOL_TEST, OATHTOOL, RADCLIENT, toolAvailable } from '../support/external-tools.js';
import {
  addNas,
  addOfficial,
  apiAs,
  cliAs,
  eapolTest as runEapolTest,
  enrolTotp,
  importSims,
  radclient as runRadclient,
  totpNow as oathtoolNow,
  type EapolNetwork,
} from '../support/radius-world.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The RADIUS server against real Debian clients: radclient (freeradius-utils) for PAP, accounting and the
 * Blast-RADIUS rules, oathtool for the TOTP half of the PAP password, and eapol_test with its software USIM
 * (lab/tools/build-eapol-test.sh) for EAP-AKA and EAP-AKA' with MS-MPPE keys.
 */
const SECRET = 'nas-shared-secret-e2e-01';
const PASSWORD = 'quiet-harbour-lantern-42';
// 3GPP TS 35.208 test set 1.
const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const IMSI = '001010000000001';
const IMSI_BARRED = '001010000000002';

const GUESS_LIMIT = 5;

const hasRadclient = toolAvailable(RADCLIENT, 'apt-get install freeradius-utils');
const hasOathtool = toolAvailable(OATHTOOL, 'apt-get install oathtool');
const hasEapolTest = toolAvailable(EAPOL_TEST, 'sudo lab/tools/build-eapol-test.sh');

let server: TestServer;
let token: string;
let auth: string;
let acct: string;
let seed: string;
let userId: string;
let work: string;
/** The Class of the first Access-Accept (hex, as radclient prints it): the session's accounting key. */
let issuedClass: string;

const api = <T>(method: string, p: string, body?: unknown) => apiAs(server, token)<T>(method, p, body);
const cli = (args: string[], stdin?: string) => cliAs(server, token)(args, stdin);
const totpNow = () => oathtoolNow(seed);

/** radclient -x prints the reply and its attributes, one per line, in wire order. */
const radclient = (kind: 'auth' | 'acct' | 'status', port: string, attributes: string[], secret = SECRET) =>
  runRadclient(kind, port, secret, attributes);
const replyAttributes = (out: string) =>
  out
    .slice(out.indexOf('Received '))
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => /^[A-Z][\w-]+ = /.test(l));

beforeAll(async () => {
  // A small guess limit, so that closing a password step takes a handful of requests.
  server = await startTestServer({ PAKAWAAZ_LOCKOUT_THRESHOLD: String(GUESS_LIMIT) });
  token = await server.adminToken();
  if (!server.radius) throw new Error('RADIUS did not start');
  auth = String(server.radius.authPort);
  acct = String(server.radius.acctPort);
  work = await mkdtemp(path.join(tmpdir(), 'pakawaaz-radius-e2e-'));
  userId = await addOfficial(cli, {
    institution: 'Ministry of Interior',
    username: 'ayesha',
    name: 'Ayesha Khan',
    password: PASSWORD,
  });
  seed = await enrolTotp(server, 'ayesha', PASSWORD);
  expect(seed).toMatch(/^[A-Z2-7]{32}$/);
  await addNas(cli, 'campus-wlc', SECRET);
  await importSims(
    server,
    token,
    [IMSI, IMSI_BARRED].map((imsi) => ({ imsi, k: K, opc: OPC })),
  );
  for (const imsi of [IMSI, IMSI_BARRED])
    await api('POST', '/api/v1/subscribers', { imsi, official: 'ayesha' });
  await api('POST', `/api/v1/subscribers/${IMSI_BARRED}/bar`, { reason: 'e2e: reported lost' });
});

afterAll(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!hasRadclient || !hasOathtool)('RADIUS PAP with radclient (password + TOTP)', () => {
  it('accepts password followed by the current code; Message-Authenticator is the first reply attribute', async () => {
    const r = await radclient('auth', auth, [
      'User-Name = "ayesha"',
      `User-Password = "${PASSWORD}${await totpNow()}"`,
      'Message-Authenticator = 0x00',
    ]);
    expect(r.stdout).toContain('Received Access-Accept');
    const attrs = replyAttributes(r.stdout);
    expect(attrs[0]).toMatch(/^Message-Authenticator = 0x[0-9a-f]{32}$/);
    expect(attrs).toContain('Reply-Message = "Welcome, Ayesha Khan."');
    expect(attrs).toContain('Session-Timeout = 43200');
    const cls = attrs.find((a) => a.startsWith('Class = '))?.slice('Class = '.length) ?? '';
    const text = Buffer.from(cls.slice(2), 'hex').toString('latin1');
    expect(text).toMatch(
      new RegExp(`^pkz2;u=${userId};inst=[0-9a-f-]{36};c=[0-9a-f-]{36};t=\\d+;m=[\\w-]{22}$`),
    );
    issuedClass = cls;
  });

  it('refuses the same code a second time, a wrong password and a password without code', async () => {
    const code = await totpNow();
    // The first use may have happened in the test above within the same 30 s step: either way, twice never works.
    const attempts = await Promise.all(
      [0, 1].map(() =>
        radclient('auth', auth, [
          'User-Name = "ayesha"',
          `User-Password = "${PASSWORD}${code}"`,
          'Message-Authenticator = 0x00',
        ]),
      ),
    );
    expect(attempts.filter((a) => a.stdout.includes('Received Access-Accept')).length).toBeLessThanOrEqual(1);
    for (const pw of [`wrong-password-1${code}`, PASSWORD]) {
      const r = await radclient('auth', auth, [
        'User-Name = "ayesha"',
        `User-Password = "${pw}"`,
        'Message-Authenticator = 0x00',
      ]);
      expect(r.stdout).toContain('Received Access-Reject');
      expect(replyAttributes(r.stdout)[0]).toMatch(/^Message-Authenticator = /);
    }
  });

  it('an unknown user gets the same Access-Reject as a wrong password', async () => {
    const r = await radclient('auth', auth, [
      'User-Name = "nobody"',
      `User-Password = "${PASSWORD}123456"`,
      'Message-Authenticator = 0x00',
    ]);
    expect(r.stdout).toContain('Received Access-Reject');
    expect(replyAttributes(r.stdout)).toContain('Reply-Message = "Authentication failed."');
  });

  it('drops an Access-Request without Message-Authenticator and one with the wrong secret (no reply at all)', async () => {
    const noMa = await radclient('auth', auth, [
      'User-Name = "ayesha"',
      `User-Password = "${PASSWORD}${await totpNow()}"`,
    ]);
    expect(noMa.stdout).not.toContain('Received');
    const wrongSecret = await radclient(
      'auth',
      auth,
      ['User-Name = "ayesha"', 'User-Password = "x"', 'Message-Authenticator = 0x00'],
      'not-the-secret-00000',
    );
    expect(wrongSecret.stdout).not.toContain('Received');
    const status = await api<{ stats: { dropped: Record<string, number> } }>('GET', '/api/v1/radius/status');
    expect(status.stats.dropped.missing_message_authenticator).toBeGreaterThanOrEqual(1);
    expect(status.stats.dropped.bad_message_authenticator).toBeGreaterThanOrEqual(1);
  });

  it('stores accounting start and stop per official (from Class), once per record even when resent', async () => {
    const cls = issuedClass;
    const base = [
      'User-Name = "ayesha"',
      'Acct-Session-Id = "e2e-session-1"',
      `Class = ${cls}`,
      'NAS-IP-Address = 127.0.0.1',
    ];
    const start = await radclient('acct', acct, [...base, 'Acct-Status-Type = Start']);
    expect(start.stdout).toContain('Received Accounting-Response');
    const stop = [
      'Acct-Status-Type = Stop',
      'Acct-Session-Time = 300',
      'Acct-Input-Octets = 1000',
      'Acct-Output-Octets = 5000',
      'Acct-Terminate-Cause = User-Request',
    ];
    for (let i = 0; i < 2; i++)
      expect((await radclient('acct', acct, [...base, ...stop])).stdout).toContain(
        'Received Accounting-Response',
      );
    const r = await cli(['radius', 'accounting', '--user', userId, '--json']);
    const { records } = JSON.parse(r.stdout) as {
      records: { statusType: string; imsi: string; outputOctets: number; terminateCause: string }[];
    };
    expect(records.map((x) => x.statusType).sort()).toEqual(['start', 'stop']);
    expect(records.find((x) => x.statusType === 'stop')).toMatchObject({
      imsi: null, // a PAP session: no SIM
      outputOctets: 5000,
      terminateCause: 'user-request',
    });
    // The official may be named by username too, like every CLI flag that names a user.
    const byName = await cli(['radius', 'accounting', '--user', 'ayesha', '--json']);
    expect(JSON.parse(byName.stdout)).toEqual(JSON.parse(r.stdout));
  });

  it('refuses accounting whose Class is forged, edited, unsigned or from another NAS: acknowledged, never charged', async () => {
    const recordsOf = async () => {
      const r = await cli(['radius', 'accounting', '--user', userId, '--json']);
      return (JSON.parse(r.stdout) as { records: { acctSessionId: string }[] }).records;
    };
    const before = await recordsOf();
    const issued = Buffer.from(issuedClass.slice(2), 'hex').toString('latin1');
    const asHex = (text: string) => `0x${Buffer.from(text, 'latin1').toString('hex')}`;
    const someoneElse = '0badc0de-0000-4000-8000-000000000001';
    const refused = async (cls: string, session: string) => {
      const r = await radclient('acct', acct, [
        'User-Name = "ayesha"',
        `Acct-Session-Id = "${session}"`,
        `Class = ${cls}`,
        'Acct-Status-Type = Start',
      ]);
      // Acknowledged, so the NAS does not resend it forever.
      expect(r.stdout).toContain('Received Accounting-Response');
    };
    // The unsigned Class of earlier builds, as any NAS could write it.
    await refused(asHex(`pkz1;u=${userId};imsi=${IMSI}`), 'forged-legacy');
    // The issued Class with another official in it (the MAC no longer matches).
    await refused(asHex(issued.replace(userId, someoneElse)), 'forged-edited');
    // A made-up tag.
    await refused(
      asHex(`${issued.slice(0, issued.lastIndexOf(';m='))};m=AAAAAAAAAAAAAAAAAAAAAA`),
      'forged-tag',
    );
    // The genuine Class, but sent by another NAS than the one that authenticated the session.
    expect((await cli(['radius', 'clients', 'remove', 'campus-wlc'])).code).toBe(0);
    const other = await cli([
      'radius',
      'clients',
      'add',
      '--name',
      'branch-vpn',
      '--ip',
      '127.0.0.1',
      '--secret',
      SECRET,
    ]);
    expect(other.code, other.stderr).toBe(0);
    try {
      await refused(issuedClass, 'replayed-by-other-nas');
    } finally {
      expect((await cli(['radius', 'clients', 'remove', 'branch-vpn'])).code).toBe(0);
      const back = await cli([
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
      expect(back.code, back.stderr).toBe(0);
    }
    expect(await recordsOf()).toHaveLength(before.length);
    const status = await api<{ stats: { accountingRefused: Record<string, number> } }>(
      'GET',
      '/api/v1/radius/status',
    );
    expect(status.stats.accountingRefused).toEqual({ legacy: 1, bad_mac: 2, other_nas: 1 });
    const metrics = await (await server.request('GET', '/metrics')).text();
    expect(metrics).toContain('pakawaaz_radius_accounting_refused{reason="other_nas"} 1');
  });

  it('a closed password step rejects PAP even with the right password and code, until an officer reopens it', async () => {
    expect((await cli(['users', 'unlock', '--username', 'ayesha'])).code).toBe(0);
    const pap = (password: string, station: string) =>
      radclient('auth', auth, [
        'User-Name = "ayesha"',
        `User-Password = "${password}"`,
        `Calling-Station-Id = "${station}"`,
        'Message-Authenticator = 0x00',
      ]);
    // The guesses come from different stations, so that the per-station back-off never answers instead.
    for (let i = 0; i < GUESS_LIMIT; i++)
      expect((await pap(`guess-number-${i}123456`, `02-00-00-00-00-0${i}`)).stdout).toContain(
        'Received Access-Reject',
      );
    const next = totpCodeAtStep(seed, totpStepAt(new Date()) + 1);
    expect((await pap(`${PASSWORD}${next}`, '02-00-00-00-01-00')).stdout).toContain('Received Access-Reject');
    const attacked = await cli(['users', 'list', '--under-attack']);
    expect(attacked.stdout).toMatch(/ayesha\s+official\s+under-attack/);
    expect((await cli(['users', 'unlock', '--username', 'ayesha'])).code).toBe(0);
    expect((await pap(`${PASSWORD}${next}`, '02-00-00-00-01-00')).stdout).toContain('Received Access-Accept');
  });

  it('answers Status-Server on both ports', async () => {
    expect((await radclient('status', auth, ['Message-Authenticator = 0x00'])).stdout).toContain(
      'Received Access-Accept',
    );
    expect((await radclient('status', acct, ['Message-Authenticator = 0x00'])).stdout).toContain(
      'Received Accounting-Response',
    );
  });
});

/** eapol_test with its software USIM against our RADIUS port (K of test set 1 unless given). */
const eapolTest = (name: string, network: Omit<EapolNetwork, 'k' | 'opc'> & { k?: string }) =>
  runEapolTest(work, name, auth, SECRET, { ...network, k: network.k ?? K, opc: OPC });
const lastLine = (out: string) => out.trim().split('\n').at(-1);
const nai = (prefix: string, imsi: string) => `${prefix}${imsi}@wlan.mnc001.mcc001.3gppnetwork.org`;

describe.skipIf(!hasEapolTest)("EAP-AKA and EAP-AKA' with eapol_test's software USIM", () => {
  it('EAP-AKA succeeds with the SIM assigned to an active official, with matching MPPE keys', async () => {
    const r = await eapolTest('aka', { eap: 'AKA', identity: nai('0', IMSI) });
    expect(r.stdout).toContain('MPPE keys OK: 1');
    expect(lastLine(r.stdout)).toBe('SUCCESS');
    expect(r.code).toBe(0);
  });

  it("EAP-AKA' succeeds too (network name in AT_KDF_INPUT)", async () => {
    const r = await eapolTest('aka-prime', { eap: "AKA'", identity: nai('6', IMSI) });
    expect(r.stdout).toContain("EAP-AKA': MSK");
    expect(lastLine(r.stdout)).toBe('SUCCESS');
  });

  it('re-synchronises once when the USIM is ahead (AUTS), then succeeds', async () => {
    const r = await eapolTest('resync', { eap: 'AKA', identity: nai('0', IMSI), sqn: 'ffa000000000' });
    expect(r.stdout).toContain('Synchronization-Failure');
    expect(lastLine(r.stdout)).toBe('SUCCESS');
  });

  it('a wrong K, a barred SIM and an unknown IMSI all fail', async () => {
    const wrongK = await eapolTest('wrong-k', { eap: 'AKA', identity: nai('0', IMSI), k: '00'.repeat(16) });
    const barred = await eapolTest('barred', { eap: 'AKA', identity: nai('0', IMSI_BARRED) });
    const unknown = await eapolTest('unknown', { eap: 'AKA', identity: nai('0', '001019999999999') });
    for (const r of [wrongK, barred, unknown]) {
      expect(lastLine(r.stdout)).toBe('FAILURE');
      expect(r.code).not.toBe(0);
    }
  });

  it('a password step closed by guessing does not stop the SIM (a factor nobody can guess)', async () => {
    for (let i = 0; i < GUESS_LIMIT; i++)
      await server.request('POST', '/api/v1/auth/login', {
        body: { username: 'ayesha', password: `guess-number-${i}` },
      });
    const closed = await api<{ passwordClosed: boolean }>('GET', `/api/v1/users/${userId}`);
    expect(closed.passwordClosed).toBe(true);
    try {
      const r = await eapolTest('closed', { eap: 'AKA', identity: nai('0', IMSI) });
      expect(lastLine(r.stdout)).toBe('SUCCESS');
    } finally {
      await api('POST', `/api/v1/users/${userId}/unlock`);
    }
  });

  it("a disabled official's SIM no longer authenticates", async () => {
    await api('POST', `/api/v1/users/${userId}/disable`, { reason: 'e2e' });
    try {
      const r = await eapolTest('disabled', { eap: 'AKA', identity: nai('0', IMSI) });
      expect(lastLine(r.stdout)).toBe('FAILURE');
    } finally {
      await api('POST', `/api/v1/users/${userId}/enable`, {});
    }
    expect(lastLine((await eapolTest('re-enabled', { eap: 'AKA', identity: nai('0', IMSI) })).stdout)).toBe(
      'SUCCESS',
    );
  });
});

/** Every printable value wpa_supplicant hexdumps under `label` (wpa_hexdump_ascii: hex bytes, then text). */
function hexdumps(out: string, label: string): string[] {
  const lines = out.split('\n');
  const found: string[] = [];
  lines.forEach((line, i) => {
    const head = new RegExp(
      `${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} - hexdump_ascii\\(len=(\\d+)\\):`,
    ).exec(line);
    if (!head) return;
    const bytes: string[] = [];
    for (let j = i + 1; bytes.length < Number(head[1]) && j < lines.length; j++)
      bytes.push(
        ...(/^\s+((?:[0-9a-f]{2} )+)/
          .exec(lines[j] ?? '')?.[1]
          ?.trim()
          .split(' ') ?? []),
      );
    found.push(Buffer.from(bytes.slice(0, Number(head[1])).join(''), 'hex').toString('latin1'));
  });
  return found;
}

async function sqnSeq(imsi: string): Promise<number> {
  const db = server.app.get<DatabaseHandle>(DATABASE).db;
  const result: unknown = await db.execute(
    sql`select sqn_seq from core_network.sim_cards where imsi = ${imsi}`,
  );
  return Number((result as { rows: { sqn_seq: string | number }[] }).rows[0]?.sqn_seq);
}

describe.skipIf(!hasEapolTest)(
  'identity privacy over EAP: pseudonyms and fast re-authentication (eapol_test)',
  () => {
    const REALM = 'wlan.mnc001.mcc001.3gppnetwork.org';

    it.each([
      ['AKA', '0', '4'],
      ["AKA'", '6', '8'],
    ] as const)(
      '%s: re-authentications use the re-auth identity, succeed with matching keys and spend no vector (SQN unchanged)',
      async (eap, permanent, reauthPrefix) => {
        const before = await sqnSeq(IMSI);
        const r = await eapolTest(`reauth-${permanent}`, { eap, identity: nai(permanent, IMSI), reauths: 2 });
        expect(lastLine(r.stdout)).toBe('SUCCESS');
        expect(r.stdout).toMatch(/MPPE keys OK: 3 {2}mismatch: 0/);
        expect(r.stdout.match(/subtype Reauthentication/g)).toHaveLength(2);
        // One full authentication: one SQN; the two fast ones used none.
        expect((await sqnSeq(IMSI)) - before).toBe(1);
        const reauthIds = hexdumps(r.stdout, 'EAP-AKA: (encr) AT_NEXT_REAUTH_ID');
        expect(reauthIds.length).toBeGreaterThanOrEqual(2);
        for (const id of reauthIds) expect(id).toMatch(new RegExp(`^${reauthPrefix}[0-9a-f]{32}@${REALM}$`));
      },
    );

    it('the next sign-in presents the pseudonym alone: no identity round, no IMSI from the handset', async () => {
      const first = await eapolTest('pseudonym-1', { eap: 'AKA', identity: nai('0', IMSI) });
      expect(lastLine(first.stdout)).toBe('SUCCESS');
      const [pseudonym] = hexdumps(first.stdout, 'EAP-AKA: (encr) AT_NEXT_PSEUDONYM');
      expect(pseudonym).toMatch(/^2[0-9a-f]{32}$/);
      const next = await eapolTest('pseudonym-2', {
        eap: 'AKA',
        identity: nai('0', IMSI),
        anonymous: `${pseudonym}@${REALM}`,
      });
      expect(lastLine(next.stdout)).toBe('SUCCESS');
      expect(next.stdout).not.toContain('Generating EAP-AKA Identity');
      expect(hexdumps(next.stdout, 'EAP-AKA: Selected identity for MK derivation')).toEqual([
        `${pseudonym}@${REALM}`,
      ]);
      // Every Access-Request (the handset's side) names the pseudonym and never the IMSI; the Access-Accept
      // gives the NAS the permanent identity for accounting, so no record pairs a pseudonym with the IMSI.
      const messages = next.stdout.split('RADIUS message: code=').slice(1);
      const requests = messages.filter((m) => m.startsWith('1 (Access-Request)'));
      expect(requests.length).toBeGreaterThan(0);
      for (const m of requests) {
        expect(m).toContain(`Value: '${pseudonym}@${REALM}'`);
        expect(m).not.toContain(IMSI);
      }
      const accept = messages.find((m) => m.startsWith('2 (Access-Accept)'));
      expect(accept).toContain(`Value: '${nai('0', IMSI)}'`);
      // Used once: the same pseudonym again is unknown, and the server asks for the permanent identity.
      const replay = await eapolTest('pseudonym-3', {
        eap: 'AKA',
        identity: nai('0', IMSI),
        anonymous: `${pseudonym}@${REALM}`,
      });
      expect(lastLine(replay.stdout)).toBe('SUCCESS');
      expect(hexdumps(replay.stdout, 'EAP-AKA: Selected identity for MK derivation')).toEqual([
        nai('0', IMSI),
      ]);
    });

    it('a replayed re-authentication identity fails over to a full authentication', async () => {
      const first = await eapolTest('replay-1', { eap: 'AKA', identity: nai('0', IMSI), reauths: 1 });
      expect(lastLine(first.stdout)).toBe('SUCCESS');
      const [spent] = hexdumps(first.stdout, 'EAP-AKA: (encr) AT_NEXT_REAUTH_ID');
      expect(spent).toMatch(/^4[0-9a-f]{32}@/);
      const before = await sqnSeq(IMSI);
      const replay = await eapolTest('replay-2', { eap: 'AKA', identity: nai('0', IMSI), anonymous: spent! });
      expect(lastLine(replay.stdout)).toBe('SUCCESS');
      expect(replay.stdout).not.toContain('subtype Reauthentication');
      expect((await sqnSeq(IMSI)) - before).toBe(1);
    });
  },
);
