import { attributeValues } from '@pakawaaz/radius';
import { PAKAWAAZ_IND, sqnFromSeqInd } from '@pakawaaz/milenage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simFactor } from '../../src/http-sim/http-sim-factor.js';
import { createNas, type Nas } from '../../src/radius-nas/radius-nas.js';
import {
  ApiError,
  controlPlaneApi,
  passwordFactor,
  passwordLogin,
  possessionFirst,
  signedIn,
  unwrap,
  type ControlPlaneApi,
} from '../../src/server-process/control-plane-api.js';
import {
  startServerProcess,
  withServerOutput,
  type ServerProcess,
} from '../../src/server-process/server-process.js';
import { provisionFleet, type LabSim, type SimFleet } from '../../src/server-process/sim-fleet.js';
import { createEapAkaPeer } from '../../src/sim-peer/eap-aka-peer.js';
import { createUsim, withAcceptedSqn } from '../../src/sim-peer/usim.js';

/*
 * The lab's handset (software USIM + EAP-AKA peer), NAS and HTTPS SIM-factor driver against the built
 * server in a child process, provisioned over its HTTP API: what the identity benchmark runs, asserted.
 */
const ADMIN_PASSWORD = 'quartz-meadow-lantern-58';
const OFFICIAL = { username: 'ayesha.khan', password: 'violet-harbour-tandem-93' };
const GUESS_LIMIT = 3;

let server: ServerProcess;
let admin: ControlPlaneApi;
let fleet: SimFleet;
let nas: Nas;

beforeAll(async () => {
  // A small guess limit: closing the official's password step takes a few requests.
  server = await startServerProcess({
    adminPassword: ADMIN_PASSWORD,
    env: { PAKAWAAZ_LOCKOUT_THRESHOLD: String(GUESS_LIMIT) },
  });
  await withServerOutput(server, async () => {
    admin = await signedIn(controlPlaneApi(server.url), 'admin', ADMIN_PASSWORD);
    fleet = await provisionFleet(admin, { sims: 4, ...OFFICIAL, radiusSecret: 'lab-e2e-nas-secret-000001' });
    nas = await createNas({ host: '127.0.0.1', ...server.radius, secret: fleet.radiusSecret });
  });
  // Over the start's 90 s, a request's 60 s and the import's minute: each fails with its own message first.
}, 240_000);
afterAll(async () => {
  await nas?.close();
  await server?.stop();
});

const sim = (i: number): LabSim => fleet.sims[i]!;
const peerFor = (s: LabSim, method: 'aka' | 'aka-prime', usim = createUsim({ k: s.k, opc: s.opc })) =>
  createEapAkaPeer({ method, imsi: s.imsi, usim });

describe('EAP-AKA over RADIUS against the server', () => {
  it("EAP-AKA then EAP-AKA' with one USIM: Access-Accept with MPPE keys equal to the peer's MSK halves", async () => {
    const aka = await nas.eapAka(peerFor(sim(0), 'aka'));
    expect(aka).toMatchObject({ outcome: 'accept', rounds: 2, keysMatch: true });
    const prime = await nas.eapAka(peerFor(sim(0), 'aka-prime', aka.peer.usim));
    expect(prime).toMatchObject({ outcome: 'accept', rounds: 2, keysMatch: true });
  });

  it('re-synchronises a USIM that is ahead of the network, in one extra round trip', async () => {
    const ahead = withAcceptedSqn(
      createUsim({ k: sim(1).k, opc: sim(1).opc }),
      sqnFromSeqInd(70_000, PAKAWAAZ_IND),
    );
    expect(await nas.eapAka(peerFor(sim(1), 'aka', ahead))).toMatchObject({
      outcome: 'accept',
      rounds: 3,
      keysMatch: true,
    });
  });

  it('a wrong K and an unknown IMSI both end in Access-Reject', async () => {
    const wrongK = await nas.eapAka(
      peerFor(sim(2), 'aka', createUsim({ k: Buffer.alloc(16, 7), opc: sim(2).opc })),
    );
    const unknown = { ...sim(2), imsi: '001019999999999' };
    const stranger = await nas.eapAka(peerFor(unknown, 'aka'));
    for (const r of [wrongK, stranger]) expect(r).toMatchObject({ outcome: 'reject', mppe: null });
  });

  it('stores accounting start and stop under the official and IMSI named by the Class of the Accept', async () => {
    const accept = await nas.eapAka(peerFor(sim(3), 'aka'));
    const classes = attributeValues(accept.reply, 'Class').map(
      (value) => ({ type: 'Class', value }) as const,
    );
    const base = [{ type: 'Acct-Session-Id', value: 'lab-e2e-1' }, ...classes] as const;
    await nas.accounting([{ type: 'Acct-Status-Type', value: 1 }, ...base]);
    await nas.accounting([
      { type: 'Acct-Status-Type', value: 2 },
      { type: 'Acct-Session-Time', value: 60 },
      ...base,
    ]);
    const { records } = await unwrap(
      admin.GET('/api/v1/radius/accounting', { params: { query: { imsi: sim(3).imsi } } }),
    );
    expect(records.map((r) => r.statusType).sort()).toEqual(['start', 'stop']);
    expect(records.every((r) => r.userId === fleet.official.id)).toBe(true);
  });
});

describe('HTTPS SIM factor against the server', () => {
  const ticket = async (): Promise<string> => {
    const step = await passwordLogin(controlPlaneApi(server.url), OFFICIAL.username, OFFICIAL.password);
    if (step.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${step.status}`);
    expect(step.factors).toContain('sim');
    return step.ticket;
  };

  it('password then SIM (with and without the identity in /start) signs in at AAL2 with amr sim', async () => {
    for (const sendIdentity of [true, false]) {
      const r = await simFactor({
        baseUrl: server.url,
        ticket: await ticket(),
        peer: peerFor(sim(0), 'aka'),
        sendIdentity,
      });
      expect(r.kind).toBe('done');
      if (r.kind !== 'done') return;
      expect(r.step).toMatchObject({ status: 'authenticated', acr: 'aal2' });
      expect(r.step.amr).toEqual(expect.arrayContaining(['pwd', 'sim']));
      expect(r.peer.phase).toBe('success');
    }
  });

  it('the next sign-ins use the re-authentication identity, then the pseudonym: the IMSI is not sent again', async () => {
    const first = await simFactor({
      baseUrl: server.url,
      ticket: await ticket(),
      peer: peerFor(sim(0), 'aka'),
    });
    if (first.kind !== 'done') throw new Error('first SIM sign-in failed');
    expect(first.peer.reauth?.identity.toString()).toMatch(/^4[0-9a-f]{32}@/);
    const fast = await simFactor({ baseUrl: server.url, ticket: await ticket(), peer: first.peer });
    expect(fast).toMatchObject({ kind: 'done', step: { status: 'authenticated', acr: 'aal2' } });
    if (fast.kind !== 'done') return;
    expect(fast.peer.reauth?.counter).toBe(1);
    expect(fast.peer.keys?.msk).not.toEqual(first.peer.keys?.msk);
    const pseudonymOnly = { ...fast.peer, reauth: undefined };
    const next = await simFactor({ baseUrl: server.url, ticket: await ticket(), peer: pseudonymOnly });
    expect(next).toMatchObject({ kind: 'done', step: { status: 'authenticated' } });
    if (next.kind !== 'done') return;
    expect(next.peer.identity.toString()).toMatch(/^2[0-9a-f]{32}@/);
  });

  it('a wrong K is refused with invalid_credentials', async () => {
    const peer = peerFor(sim(0), 'aka', createUsim({ k: Buffer.alloc(16, 1), opc: sim(0).opc }));
    const r = await simFactor({ baseUrl: server.url, ticket: await ticket(), peer });
    expect(r).toMatchObject({ kind: 'refused', status: 401, body: { code: 'invalid_credentials' } });
  });

  it('SIM first, then the password: the official signs in although guessing closed the password step', async () => {
    const api = controlPlaneApi(server.url);
    const user = { params: { path: { id: fleet.official.id } } };
    const unlock = () => unwrap(admin.POST('/api/v1/users/{id}/unlock', user));
    await unlock();
    try {
      for (let i = 0; i < GUESS_LIMIT; i++)
        await expect(passwordLogin(api, OFFICIAL.username, `guess-${i}-of-a-stranger`)).rejects.toThrow(
          ApiError,
        );
      expect((await unwrap(admin.GET('/api/v1/users/{id}', user))).passwordClosed).toBe(true);
      const start = await possessionFirst(api, OFFICIAL.username);
      if (start.status !== 'mfa_required') throw new Error(start.status);
      expect(start.factors).toContain('sim');
      const r = await simFactor({ baseUrl: server.url, ticket: start.ticket, peer: peerFor(sim(0), 'aka') });
      if (r.kind !== 'done') throw new Error(`SIM refused: ${JSON.stringify(r.body)}`);
      expect(r.step).toMatchObject({ status: 'mfa_required', factors: ['password'], amr: ['sim'] });
      const done = await passwordFactor(api, String(r.step.ticket), OFFICIAL.password);
      expect(done).toMatchObject({ status: 'authenticated', acr: 'aal2' });
      if (done.status === 'authenticated') expect([...done.amr].sort()).toEqual(['mfa', 'pwd', 'sim']);
      // The step stays closed to password-first sign-ins: the right password alone is refused like a guess.
      await expect(passwordLogin(api, OFFICIAL.username, OFFICIAL.password)).rejects.toThrow(
        /invalid_credentials/,
      );
    } finally {
      await unlock();
    }
  });
});
