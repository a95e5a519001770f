import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { X509Certificate } from '@peculiar/x509';
import {
  HandsetHttpError,
  healthyLabAttestation,
  labAttestationChain,
  labRootPaths,
  loadOrCreateLabRoot,
  SimulatedHandset,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import { decodeJwt } from 'jose';
import { freeTcpPort } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The "done when", over the real protocols: an administrator makes an enrolment token, a simulated
 * handset (lab-attested key, genuine KeyDescription) enrols, checks in over mutual TLS and is compliant; a
 * lock is queued, delivered at the next check-in, obeyed and acknowledged; the official signs in with the
 * device factor and gets a token bound to the device certificate, refused without that certificate.
 */
const PASSWORD = 'quartz-lantern-orchard-58';

let server: TestServer;
let admin: string;
let labDir: string;
let root: LabAttestationRoot;
let handset: SimulatedHandset;
const handsets: SimulatedHandset[] = [];

async function api<T>(
  method: string,
  p: string,
  body?: unknown,
  token = admin,
): Promise<{ status: number; body: T }> {
  const res = await server.request(method, p, { token, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

function deviceUrl(): string {
  if (!server.devicePort.open) throw new Error('the device port is not open');
  return server.devicePort.url;
}

function newHandset(
  extra: Partial<ConstructorParameters<typeof SimulatedHandset>[0]> = {},
): SimulatedHandset {
  const h = new SimulatedHandset({ apiUrl: server.url, deviceUrl: deviceUrl(), root, ...extra });
  handsets.push(h);
  return h;
}

async function enrolmentToken(official: string): Promise<string> {
  const r = await api<{ token: string; enrolUrl: string; qrSvg: string }>(
    'POST',
    '/api/v1/enrolment-tokens',
    {
      official,
    },
  );
  expect(r.status).toBe(201);
  // The QR code the NOC shows and prints carries the enrol URL, which carries the token.
  expect(r.body.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  expect(r.body.enrolUrl).toContain(r.body.token);
  return r.body.token;
}

beforeAll(async () => {
  labDir = await mkdtemp(path.join(tmpdir(), 'pkz-lab-root-'));
  root = await loadOrCreateLabRoot(labDir);
  server = await startTestServer({
    OPEN5GS_MONITOR: 'off',
    PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
    PAKAWAAZ_TRUST_LAB_ROOT: '1',
    PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(labDir).cert,
  });
  admin = await server.adminToken();
  const inst = await api<{ id: string }>('POST', '/api/v1/institutions', { name: 'Ministry of Water' });
  expect(inst.status).toBe(201);
  const user = await api('POST', '/api/v1/users', {
    username: 'sana.malik',
    displayName: 'Sana Malik',
    kind: 'official',
    institution: inst.body.id,
    password: PASSWORD,
  });
  expect(user.status).toBe(201);
  handset = newHandset();
}, 60_000);

afterAll(async () => {
  handsets.forEach((h) => h.close());
  await server?.stop();
  await rm(labDir, { recursive: true, force: true });
});

describe('a handset from enrolment to obeyed command', () => {
  it('enrols once with a single-use token and receives a device certificate for its attested key', async () => {
    const token = await enrolmentToken('sana.malik');
    const enrolled = await handset.enrol(token);
    const cert = new X509Certificate(enrolled.certificatePem);
    expect(cert.subject).toContain(enrolled.deviceId);
    // The token is spent: a second handset cannot reuse it.
    await expect(newHandset().enrol(token)).rejects.toBeInstanceOf(HandsetHttpError);
  });

  it('binds a token only to a SIM assigned to its official (the SIM a lost handset bars)', async () => {
    const r = await api<{ code: string }>('POST', '/api/v1/enrolment-tokens', {
      official: 'sana.malik',
      imsi: '001010000000042',
    });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('sim_not_assigned');
  });

  it('is refused with reason codes when its bootloader is unlocked', async () => {
    const unlocked = newHandset({ attest: { deviceLocked: false } });
    const err = (await unlocked
      .enrol(await enrolmentToken('sana.malik'))
      .catch((e: unknown) => e)) as HandsetHttpError;
    expect(err).toBeInstanceOf(HandsetHttpError);
    expect(err.status).toBe(422);
    expect(err.code).toBe('attestation_refused');
    expect(JSON.stringify(err.body)).toContain('DEVICE_UNLOCKED');
  });

  it('checks in over mutual TLS, is compliant and shows so to the administrator', async () => {
    const reply = await handset.checkIn();
    expect(reply.compliance.state).toBe('compliant');
    const shown = await api<{ compliance: string }>('GET', `/api/v1/devices/${handset.deviceId}`);
    expect(shown.status).toBe(200);
    expect(shown.body.compliance).toBe('compliant');
    const fleet = await api<{
      total: number;
      byCompliance: Record<string, number>;
      byPatchLevel: { patchLevel: string | null; count: number }[];
      trustsLabAttestationRoot: boolean;
    }>('GET', '/api/v1/devices/summary');
    // Reported at check-in (2025-11-05) beats the attested month; the NOC warns while the lab root is trusted.
    expect(fleet.body).toMatchObject({
      total: 1,
      byCompliance: { compliant: 1, grace: 0, non_compliant: 0 },
    });
    expect(fleet.body.byPatchLevel).toEqual([{ patchLevel: '2025-11', count: 1 }]);
    expect(fleet.body.trustsLabAttestationRoot).toBe(true);
    const system = await api<{ trustsLabAttestationRoot: boolean }>('GET', '/api/v1/system');
    expect(system.body.trustsLabAttestationRoot).toBe(true);
  });

  it('receives a queued lock once, obeys it and the acknowledgement reaches the command history', async () => {
    const queued = await api<{ id: string }>('POST', `/api/v1/devices/${handset.deviceId}/commands`, {
      type: 'lock',
      idempotencyKey: 'lock-1',
    });
    expect([200, 201, 202]).toContain(queued.status);
    const again = await api<{ id: string }>('POST', `/api/v1/devices/${handset.deviceId}/commands`, {
      type: 'lock',
      idempotencyKey: 'lock-1',
    });
    expect(again.body.id).toBe(queued.body.id);

    const delivered = await handset.checkIn();
    expect(delivered.commands.map((c) => c.id)).toEqual([queued.body.id]);
    expect(handset.state.locked).toBe(true);
    await handset.checkIn(); // carries the acknowledgement
    const history = await api<
      { commands: { id: string; state: string }[] } | { id: string; state: string }[]
    >('GET', `/api/v1/devices/${handset.deviceId}/commands`);
    const rows = Array.isArray(history.body) ? history.body : history.body.commands;
    expect(rows.find((c) => c.id === queued.body.id)?.state).toBe('succeeded');
  });
});

describe('re-attestation over mutual TLS', () => {
  const reattest = async (ids: { imei?: string; serial?: string }) => {
    const c = await handset.deviceCall<{ challengeId: string; challenge: string }>(
      'POST',
      '/api/v1/device/attestation/challenge',
      {},
    );
    const chain = await labAttestationChain(root, {
      ...healthyLabAttestation(Buffer.from(c.challenge, 'hex')),
      ...ids,
    });
    return handset
      .deviceCall('POST', '/api/v1/device/attestation', {
        challengeId: c.challengeId,
        attestationChain: chain.ders.map((d) => Buffer.from(d).toString('base64')),
      })
      .then(
        () => ({ status: 200, body: null }),
        (e: HandsetHttpError) => ({ status: e.status, body: e.body }),
      );
  };

  it("takes a fresh attestation of the same hardware, and refuses another handset's", async () => {
    // Another phone's chain — another IMEI, or none attested — cannot make this device compliant again.
    for (const ids of [{ imei: '356938035643809', serial: handset.serial }, {}]) {
      const other = await reattest(ids);
      expect(other.status).toBe(422);
      expect(JSON.stringify(other.body)).toContain('DEVICE_MISMATCH');
    }
    expect((await reattest({ imei: handset.imei, serial: handset.serial })).status).toBe(200);
  });
});

describe('the device factor', () => {
  it("signs the official in with the handset's certificate; the token is bound to it and useless without it", async () => {
    // Possession first: the handset proves itself, then the password completes the sign-in.
    const start = await api<{ status: string; ticket: string; factors: string[] }>(
      'POST',
      '/api/v1/auth/login/start',
      { username: 'sana.malik' },
      '',
    );
    expect(start.body.factors).toContain('device');
    const challenge = await api<{ challenge: string }>(
      'POST',
      '/api/v1/auth/device/challenge',
      { ticket: start.body.ticket },
      '',
    );
    const der = new X509Certificate(handset.enrolment!.certificatePem).rawData;
    const proof = await api<{ status: string; ticket: string; amr: string[] }>(
      'POST',
      '/api/v1/auth/login/device',
      {
        ticket: start.body.ticket,
        challenge: challenge.body.challenge,
        certificateChain: [Buffer.from(der).toString('base64')],
        signature: handset.sign(challenge.body.challenge).toString('base64'),
      },
      '',
    );
    expect(proof.body.amr).toContain('hwk');
    const done = await api<{ status: string; accessToken: string; amr: string[] }>(
      'POST',
      '/api/v1/auth/login/password-factor',
      { ticket: proof.body.ticket, password: PASSWORD },
      '',
    );
    expect(done.body).toMatchObject({ status: 'authenticated' });
    const signedIn = { body: done.body };
    const cnf = decodeJwt(signedIn.body.accessToken).cnf as { 'x5t#S256': string };
    expect(cnf['x5t#S256']).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Without the certificate (the main port, no TLS client certificate): refused.
    expect((await api('GET', '/api/v1/account/sessions', undefined, signedIn.body.accessToken)).status).toBe(
      401,
    );
    // With it, over the device port: accepted.
    await expect(
      handset.deviceCall('GET', '/api/v1/account/sessions', undefined, signedIn.body.accessToken),
    ).resolves.toBeTruthy();
  });
});

describe('a device certificate past its validity', () => {
  it('is refused on the device port with the reason expired, checked on every request (not only at issue)', async () => {
    const notAfter = new X509Certificate(handset.enrolment!.certificatePem).notAfter;
    // Within its validity, the handset's certificate is accepted.
    await expect(handset.checkIn()).resolves.toBeTruthy();
    // The server's clock moves past notAfter (only JavaScript's Date: the TLS handshake, which lets any
    // certificate of the device CA through to the guard, still runs in real time).
    vi.useFakeTimers({ toFake: ['Date'], now: notAfter.getTime() + 60_000 });
    try {
      const refused = await handset.checkIn().then(
        () => null,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(HandsetHttpError);
      const e = refused as HandsetHttpError;
      expect([e.status, e.code, (e.body as { details?: unknown }).details]).toEqual([
        401,
        'device_certificate_refused',
        { reason: 'expired' },
      ]);
    } finally {
      vi.useRealTimers();
    }
    // Back within its validity: accepted again (the refusal was the date, nothing else).
    await expect(handset.checkIn()).resolves.toBeTruthy();
  });
});
