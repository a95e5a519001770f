import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { X509Certificate, X509Crl, X509CrlReason } from '@peculiar/x509';
import {
  HandsetHttpError,
  labRootPaths,
  loadOrCreateLabRoot,
  SimulatedHandset,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import { freeTcpPort } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { freshPostgresDatabase, postgresAvailable, type FreshDatabase } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * A handset's life after enrolment, over the real protocols (mutual TLS, the embedded MQTT broker): it
 * re-attests when told and before its evidence gets stale, renews its certificate before expiry, wakes on a
 * push, and an operator's loss declaration revokes it (CRL, refused at the device port). On PostgreSQL when the
 * test database is there (PGlite otherwise; PAKAWAAZ_REQUIRE_SERVICES=1 demands PostgreSQL).
 */
const onPostgres = await postgresAvailable();
const PASSWORD = 'quartz-lantern-orchard-58';
const DAY = 86_400_000;

let server: TestServer;
let admin: string;
let labDir: string;
let root: LabAttestationRoot;
let mqttUrl: string;
let institution: string;
let db: FreshDatabase | undefined;
const handsets: SimulatedHandset[] = [];

type Device = {
  state: string;
  lastAttestedAt: string;
  certificates: { serial: string; status: string; revocationReason: string | null }[];
};
type Command = { id: string; state: string; result?: { detail?: string } | null };

async function api<T>(method: string, p: string, body?: unknown, token = admin) {
  const res = await server.request(method, p, { token, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** An enrolled handset whose clock runs `clock.skewMs` ahead of the server's (a test moves it on). */
async function enrolled(clock = { skewMs: 0 }): Promise<SimulatedHandset> {
  if (!server.devicePort.open) throw new Error('the device port is not open');
  const h = new SimulatedHandset({
    apiUrl: server.url,
    deviceUrl: server.devicePort.url,
    root,
    now: () => new Date(Date.now() + clock.skewMs),
  });
  handsets.push(h);
  const t = await api<{ token: string }>('POST', '/api/v1/enrolment-tokens', { official: 'nadia.rauf' });
  expect(t.status).toBe(201);
  await h.enrol(t.body.token);
  return h;
}

const device = async (h: SimulatedHandset) =>
  (await api<Device>('GET', `/api/v1/devices/${h.deviceId}`)).body;
const commands = async (h: SimulatedHandset) => {
  const r = await api<{ commands: Command[] } | Command[]>('GET', `/api/v1/devices/${h.deviceId}/commands`);
  return Array.isArray(r.body) ? r.body : r.body.commands;
};
const queue = async (h: SimulatedHandset, type: string) => {
  const r = await api<{ id: string }>('POST', `/api/v1/devices/${h.deviceId}/commands`, { type });
  expect([200, 201, 202]).toContain(r.status);
  return r.body.id;
};
const until = async (cond: () => Promise<boolean> | boolean, ms = 10_000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50)))
    if (await cond()) return true;
  return cond();
};
const serialOf = (pem: string) => BigInt(`0x${new X509Certificate(pem).serialNumber}`);

beforeAll(async () => {
  ensureBuilt();
  labDir = await mkdtemp(path.join(tmpdir(), 'pkz-lab-root-'));
  root = await loadOrCreateLabRoot(labDir);
  const mqttPort = await freeTcpPort();
  mqttUrl = `mqtts://127.0.0.1:${mqttPort}`;
  db = onPostgres ? await freshPostgresDatabase() : undefined;
  server = await startTestServer({
    ...(db ? { DATABASE_URL: db.url } : {}),
    OPEN5GS_MONITOR: 'off',
    PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
    PAKAWAAZ_MQTT_PORT: String(mqttPort),
    PAKAWAAZ_TRUST_LAB_ROOT: '1',
    PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(labDir).cert,
  });
  admin = await server.adminToken();
  institution = (await api<{ id: string }>('POST', '/api/v1/institutions', { name: 'Ministry of Ports' }))
    .body.id;
  const user = await api('POST', '/api/v1/users', {
    username: 'nadia.rauf',
    displayName: 'Nadia Rauf',
    kind: 'official',
    institution,
    password: PASSWORD,
  });
  expect(user.status).toBe(201);
}, 90_000);

afterAll(async () => {
  handsets.forEach((h) => h.close());
  await server?.stop();
  await db?.drop();
  await rm(labDir, { recursive: true, force: true });
});

describe('re-attestation', () => {
  it('re-attests its key when told (a reattest command), acknowledges it, and its attestation time moves', async () => {
    const h = await enrolled();
    await h.checkIn();
    const before = Date.parse((await device(h)).lastAttestedAt);
    await new Promise((r) => setTimeout(r, 20));
    const id = await queue(h, 'reattest');
    await h.wake(); // the check-in that delivers it, then the one that acknowledges it
    expect(h.upkeep.done.reattestations).toBe(1);
    const done = (await commands(h)).find((c) => c.id === id);
    expect(done?.state).toBe('succeeded');
    expect(Date.parse((await device(h)).lastAttestedAt)).toBeGreaterThan(before);
    expect(h.upkeep.done.renewals).toBe(0); // its certificate is new: nothing to renew
  });

  it('re-attests on its own before its evidence is older than the policy allows (default 24 h)', async () => {
    const clock = { skewMs: 0 };
    const h = await enrolled(clock);
    clock.skewMs = 17 * 3_600_000; // 17 h after enrolment: not yet due (24 h less a quarter)
    await h.checkIn();
    expect(h.upkeep.done.reattestations).toBe(0);

    clock.skewMs = 19 * 3_600_000;
    const before = Date.parse((await device(h)).lastAttestedAt);
    await new Promise((r) => setTimeout(r, 20));
    const reply = await h.checkIn();
    expect(h.upkeep.done.reattestations).toBe(1);
    expect(h.upkeep.lastError).toBeNull();
    expect(Date.parse((await device(h)).lastAttestedAt)).toBeGreaterThan(before);
    expect(reply.compliance.state).toBe('compliant');
  });
});

describe('certificate renewal', () => {
  it('renews past two thirds of its certificate’s life; the old one is superseded and the new one works', async () => {
    const clock = { skewMs: 0 };
    const h = await enrolled(clock);
    clock.skewMs = 59 * DAY; // 90-day certificates: due after 60 days
    await h.checkIn();
    expect(h.upkeep.done.renewals).toBe(0);
    clock.skewMs = 61 * DAY;
    const old = serialOf(h.enrolment!.certificatePem);
    await h.checkIn();
    expect(h.upkeep.done.renewals).toBe(1);
    const renewed = serialOf(h.enrolment!.certificatePem);
    expect(renewed).not.toBe(old);
    const certs = (await device(h)).certificates;
    const byId = (s: bigint) => certs.find((c) => BigInt(`0x${c.serial}`) === s);
    expect(byId(old)).toMatchObject({ status: 'revoked', revocationReason: 'superseded' });
    expect(byId(renewed)?.status).toBe('valid');
    // The check-in after it went over mutual TLS with the new certificate.
    const me = await h.deviceCall<{ deviceId: string }>('GET', '/api/v1/device/whoami');
    expect(me.deviceId).toBe(h.deviceId);
  });
});

describe('push over MQTT (embedded broker, mutual TLS)', () => {
  it('a queued lock reaches a handset that does not poll: the push makes it check in and acknowledge', async () => {
    const h = await enrolled();
    const errors: unknown[] = [];
    h.connectPush(mqttUrl, { onError: (e) => errors.push(e) });
    expect(await until(() => h.pushConnected)).toBe(true);
    // Connecting checks in once (pushes sent while away are lost); let that settle before the command.
    expect(await until(async () => (await device(h)) && h.pendingAcknowledgements.length === 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.state.locked).toBe(false);

    const id = await queue(h, 'lock');
    expect(await until(async () => (await commands(h)).find((c) => c.id === id)?.state === 'succeeded')).toBe(
      true,
    );
    expect(h.state.locked).toBe(true);
    expect(errors).toEqual([]);
  });
});

describe('loss', () => {
  it('an operator declares a handset lost: only in their institution; its certificate is revoked (CRL) and refused', async () => {
    const h = await enrolled();
    await h.checkIn();
    const serial = serialOf(h.enrolment!.certificatePem);

    // Another institution's device-admin does not see it.
    const other = (await api<{ id: string }>('POST', '/api/v1/institutions', { name: 'Ministry of Rail' }))
      .body.id;
    const token = async (inst: string) =>
      (
        await api<{ token: string }>('POST', '/api/v1/tokens', {
          name: `lost-${inst}`,
          roles: ['device-admin'],
          institutionId: inst,
        })
      ).body.token;
    const foreign = await api<{ code: string }>(
      'POST',
      `/api/v1/devices/${h.deviceId}/lost`,
      {},
      await token(other),
    );
    expect([foreign.status, foreign.body.code]).toEqual([404, 'device_not_found']);

    // Its own institution's device-admin, from the CLI.
    const r = await runCli(
      ['devices', 'lost', '--device', h.deviceId!, '--reason', 'stolen at the port', '--json'],
      {
        PAKAWAAZ_URL: server.url,
        PAKAWAAZ_TOKEN: await token(institution),
      },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { state: string; revokedCertificates: string[] };
    expect(out.state).toBe('lost');
    expect(out.revokedCertificates.map((s) => BigInt(`0x${s}`))).toEqual([serial]);

    const shown = await device(h);
    expect(shown.state).toBe('lost');
    expect(shown.certificates[0]).toMatchObject({ status: 'revoked', revocationReason: 'lost' });

    // The handset is refused at the device port…
    const err = (await h.checkIn().catch((e: unknown) => e)) as HandsetHttpError;
    expect(err).toBeInstanceOf(HandsetHttpError);
    expect([err.status, err.code, (err.body as { details?: unknown }).details]).toEqual([
      401,
      'device_certificate_refused',
      { reason: 'revoked' },
    ]);
    // …and listed on the CRL for key compromise (RFC 5280 reason 1).
    const crl = new X509Crl(
      Buffer.from(await (await server.request('GET', '/api/v1/device-ca/crl')).arrayBuffer()),
    );
    const entry = crl.entries.find((e) => BigInt(`0x${e.serialNumber}`) === serial);
    expect(entry?.reason).toBe(X509CrlReason.keyCompromise);

    const audit = await api<{ entries: { action: string; target: string; details: { reason?: string } }[] }>(
      'GET',
      '/api/v1/audit?action=device-mgmt.device.marked-lost',
    );
    expect(audit.body.entries.find((e) => e.target === `device:${h.deviceId}`)?.details.reason).toBe(
      'stolen at the port',
    );
    // Nothing left to revoke; a retired handset cannot be declared lost.
    expect(
      (await api<{ revokedCertificates: string[] }>('POST', `/api/v1/devices/${h.deviceId}/lost`, {})).body,
    ).toMatchObject({ state: 'lost', revokedCertificates: [] });
  });

  it('a lost handset that is found comes back only by re-enrolment, once the lost enrolment is retired', async () => {
    const h = await enrolled();
    expect((await api('POST', `/api/v1/devices/${h.deviceId}/lost`, {})).status).toBe(200);
    const found = new SimulatedHandset({
      apiUrl: server.url,
      deviceUrl: server.devicePort.open ? server.devicePort.url : '',
      root,
      imei: h.imei,
      serial: h.serial,
    });
    handsets.push(found);
    const enrol = async () =>
      found.enrol(
        (await api<{ token: string }>('POST', '/api/v1/enrolment-tokens', { official: 'nadia.rauf' })).body
          .token,
      );
    expect(((await enrol().catch((e: unknown) => e)) as HandsetHttpError).code).toBe(
      'device_already_enrolled',
    );
    const retired = await api('POST', `/api/v1/devices/${h.deviceId}/retire`, { reason: 'found, re-issued' });
    expect(retired.status).toBe(200);
    await enrol();
    expect(found.deviceId).not.toBe(h.deviceId);
    expect((await found.checkIn()).compliance.state).toBe('compliant');
    // A retired handset is not declared lost.
    const again = await api<{ code: string }>('POST', `/api/v1/devices/${h.deviceId}/lost`, {});
    expect([again.status, again.body.code]).toEqual([409, 'device_retired']);
  });
});
