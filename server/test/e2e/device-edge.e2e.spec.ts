import { webcrypto } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  DEVICE_AUTHENTICATOR,
  DEVICE_EDGE_TLS,
  certificateThumbprint,
  type DeviceAuthentication,
  type DeviceAuthenticator,
  type DeviceEdgeTls,
  type DevicePrincipal,
} from '@pakawaaz/platform';
import { DEVICE_TRUST, type DeviceTrust } from '@pakawaaz/identity';
import {
  createTestCa,
  freeTcpPort,
  issueTestDevice,
  type TestCa,
  type TestDevice,
} from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The device edge end to end: the real server with its device port (mutual TLS) and the guard, device
 * management's ports replaced by doubles over a test CA with real keys (DEVICE_EDGE_TLS: the CA and a server
 * certificate it issued; DEVICE_AUTHENTICATOR: a table; identity's DEVICE_TRUST for the device sign-in that
 * mints a bound token through identity's real token service).
 */
const PASSWORD = 'harbour-lantern-quartz-58';

let server: TestServer;
let ca: TestCa;
let rotatedCa: TestCa;
let foreignCa: TestCa;
let phone: TestDevice;
let phone2: TestDevice;
let revokedPhone: TestDevice;
let foreign: TestDevice;
let rotatedPhone: TestDevice;
let serverCert: TestDevice;
let userId = '';
const clientCas: string[] = [];
const askedHostnames: string[][] = [];
/** Device management's view: thumbprint → device; revoked thumbprints. */
const devices = new Map<string, DevicePrincipal>();
const revoked = new Set<string>();

const der = (d: TestDevice | TestCa) => new Uint8Array(d.cert.rawData);
const pem = (d: TestDevice | TestCa) => d.cert.toString('pem');
const thumb = (d: TestDevice) => certificateThumbprint(der(d));
async function keyPem(d: TestDevice): Promise<string> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', d.keys.privateKey));
  return `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`;
}

const edge: DeviceEdgeTls = {
  clientCas: () => Promise.resolve([...clientCas]),
  async serverIdentity(hostnames) {
    askedHostnames.push([...hostnames]);
    return { certPem: pem(serverCert), keyPem: await keyPem(serverCert), chainPem: pem(ca) };
  },
};
const authenticator: DeviceAuthenticator = {
  authenticate(chain): Promise<DeviceAuthentication> {
    const t = certificateThumbprint(chain[0]!);
    if (revoked.has(t)) return Promise.resolve({ ok: false, reason: 'revoked' });
    const device = devices.get(t);
    return Promise.resolve(device ? { ok: true, device } : { ok: false, reason: 'unknown_device' });
  },
};
const trust: DeviceTrust = {
  anchors: () => Promise.resolve([der(ca)]),
  isRevoked: () => Promise.resolve(false),
  bindingOf: (t) => {
    const d = devices.get(t);
    return Promise.resolve(d ? { userId: d.userId, deviceId: d.deviceId } : null);
  },
  hasDevice: (userId) => Promise.resolve([...devices.values()].some((d) => d.userId === userId)),
};

type Reply = { status: number; body: { code?: string; [k: string]: unknown } };
const parse = (status: number, text: string): Reply => {
  let body: Reply['body'] = {};
  try {
    body = JSON.parse(text) as Reply['body'];
  } catch {
    body = { text };
  }
  return { status, body };
};

/** A request to the device port, with this handset's certificate (or none). */
async function device(
  path: string,
  as?: TestDevice,
  init: {
    token?: string;
    method?: string;
    headers?: Record<string, string>;
    localAddress?: string;
    maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  } = {},
): Promise<Reply> {
  if (!server.devicePort.open) throw new Error('device port not open');
  const url = new URL(path, server.devicePort.url);
  const key = as ? await keyPem(as) : undefined;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: init.method ?? 'GET',
        agent: false,
        ca: pem(ca),
        // The test server certificate names no host; the chain is what is checked here.
        checkServerIdentity: () => undefined,
        ...(as ? { cert: pem(as), key } : {}),
        ...(init.localAddress ? { localAddress: init.localAddress } : {}),
        ...(init.maxVersion ? { maxVersion: init.maxVersion } : {}),
        headers: { ...init.headers, ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(parse(res.statusCode ?? 0, text)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * A TLS terminator's request: to the device port over TLS without a client certificate, from a chosen local
 * address, with a forwarded certificate header.
 */
const viaProxy = (path: string, from: string, header?: string, token?: string): Promise<Reply> =>
  device(path, undefined, {
    localAddress: from,
    headers: header === undefined ? {} : { 'x-client-cert': header },
    ...(token ? { token } : {}),
  });

/** The same request to the main (plain HTTP) API port. */
function viaMainPort(path: string, from: string, header?: string): Promise<Reply> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { localAddress: from, headers: header === undefined ? {} : { 'x-client-cert': header } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(parse(res.statusCode ?? 0, text)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const principal = (d: TestDevice, n: number): DevicePrincipal => ({
  deviceId: `00000000-0000-4000-8000-00000000000${n}`,
  userId,
  institutionId: null,
  certThumbprint: thumb(d),
  compliance: 'compliant',
});

beforeAll(async () => {
  [ca, rotatedCa, foreignCa] = await Promise.all([
    createTestCa('Pakawaaz Device CA'),
    createTestCa('Pakawaaz Device CA 2'),
    createTestCa('Someone Else CA'),
  ]);
  [phone, phone2, revokedPhone, serverCert] = await Promise.all([
    issueTestDevice(ca, { serial: '0100' }),
    issueTestDevice(ca, { serial: '0101' }),
    issueTestDevice(ca, { serial: '0102' }),
    issueTestDevice(ca, { serial: '05', usage: 'server' }),
  ]);
  foreign = await issueTestDevice(foreignCa, { serial: '0100' });
  rotatedPhone = await issueTestDevice(rotatedCa, { serial: '0200' });
  clientCas.push(pem(ca));
  server = await startTestServer(
    {
      PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
      PAKAWAAZ_DEVICE_PROXY_ADDRESSES: '127.0.0.1/32',
      // The edge with test doubles for device management's ports: this node does not serve device-mgmt.
      PAKAWAAZ_DOMAINS: 'identity,core-network,hardened-os,app-store,secure-chat',
      PAKAWAAZ_LOGIN_RATE_PER_ACCOUNT: '1000',
    },
    {
      providers: [
        { provide: DEVICE_EDGE_TLS, useValue: edge },
        { provide: DEVICE_AUTHENTICATOR, useValue: authenticator },
        { provide: DEVICE_TRUST, useValue: trust },
      ],
    },
  );
  const admin = await server.adminToken();
  const institution = await server.request('POST', '/api/v1/institutions', {
    token: admin,
    body: { name: 'Edge Ministry' },
  });
  const institutionId = ((await institution.json()) as { id: string }).id;
  const created = await server.request('POST', '/api/v1/users', {
    token: admin,
    body: {
      kind: 'official',
      username: 'edge-farah',
      displayName: 'Farah Edge',
      password: PASSWORD,
      institution: institutionId,
    },
  });
  if (created.status !== 201) throw new Error(`user: ${created.status} ${await created.text()}`);
  userId = ((await created.json()) as { id: string }).id;
  devices.set(thumb(phone), principal(phone, 1));
  devices.set(thumb(phone2), principal(phone2, 2));
  devices.set(thumb(revokedPhone), principal(revokedPhone, 3));
  revoked.add(thumb(revokedPhone));
});
afterAll(() => server?.stop());

describe('the device port (mutual TLS)', () => {
  it('is open, with a server certificate the device CA issued for the configured host names', () => {
    const state = server.devicePort;
    expect(state.open && state.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(askedHostnames[0]).toEqual(['localhost', '127.0.0.1']);
  });

  it('is shown on the NOC’s system page', async () => {
    const res = await server.request('GET', '/api/v1/system', { token: await server.adminToken() });
    const { devicePort } = (await res.json()) as { devicePort: unknown };
    expect(devicePort).toEqual({ open: true, url: server.devicePort.open ? server.devicePort.url : '' });
  });

  it('serves a client without a certificate like the main port, and refuses it on device routes', async () => {
    expect((await device('/healthz')).status).toBe(200);
    const r = await device('/api/v1/device/whoami');
    expect([r.status, r.body.code]).toEqual([401, 'device_certificate_required']);
  });

  it("refuses national operators' routes, whatever the token; institution and device routes are served", async () => {
    const admin = await server.adminToken();
    const national = await device('/api/v1/system', undefined, { token: admin });
    expect([national.status, national.body.code]).toEqual([403, 'operator_route_on_device_port']);
    // With a handset's certificate too: the port, not the caller, decides.
    const withCert = await device('/api/v1/system', phone, { token: admin });
    expect([withCert.status, withCert.body.code]).toEqual([403, 'operator_route_on_device_port']);
    // The same route on the main port, and an institution route on the device port, are served.
    expect((await server.request('GET', '/api/v1/system', { token: admin })).status).toBe(200);
    expect((await device('/api/v1/users', undefined, { token: admin })).status).toBe(200);
  });

  it('authenticates a handset by its certificate', async () => {
    const r = await device('/api/v1/device/whoami', phone);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(principal(phone, 1));
  });

  it('requires TLS 1.3: a TLS 1.2 client fails the handshake', async () => {
    await expect(device('/healthz', undefined, { maxVersion: 'TLSv1.2' })).rejects.toThrow();
    await expect(device('/healthz', phone, { maxVersion: 'TLSv1.2' })).rejects.toThrow();
    expect((await device('/healthz', undefined, { maxVersion: 'TLSv1.3' })).status).toBe(200);
  });

  it('ends the connection of a certificate another CA issued: no request is served', async () => {
    await expect(device('/healthz', foreign)).rejects.toThrow();
    await expect(device('/api/v1/device/whoami', foreign)).rejects.toThrow();
  });

  it('asks device management on every request: a revoked certificate is refused with the reason', async () => {
    const r = await device('/api/v1/device/whoami', revokedPhone);
    expect([r.status, r.body.code, r.body.details]).toEqual([
      401,
      'device_certificate_refused',
      { reason: 'revoked' },
    ]);
    revoked.add(thumb(phone2));
    expect((await device('/api/v1/device/whoami', phone2)).body.code).toBe('device_certificate_refused');
    revoked.delete(thumb(phone2));
    expect((await device('/api/v1/device/whoami', phone2)).status).toBe(200);
  });

  it('takes a rotated CA without a restart', async () => {
    await expect(device('/healthz', rotatedPhone)).rejects.toThrow();
    clientCas.push(pem(rotatedCa));
    devices.set(thumb(rotatedPhone), principal(rotatedPhone, 4));
    await server.refreshDeviceTls();
    expect((await device('/api/v1/device/whoami', rotatedPhone)).status).toBe(200);
    expect((await device('/api/v1/device/whoami', phone)).status).toBe(200);
  });
});

describe('a client certificate forwarded by a TLS terminator', () => {
  const header = () => encodeURIComponent(pem(phone));

  it('is ignored on the main API port, even from an allow-listed address', async () => {
    const r = await viaMainPort('/api/v1/device/whoami', '127.0.0.1', header());
    expect([r.status, r.body.code]).toEqual([401, 'device_certificate_required']);
    // Not looked at at all there: a malformed one is no 400 either.
    const junk = await viaMainPort('/api/v1/device/whoami', '127.0.0.1', 'not-a-certificate');
    expect([junk.status, junk.body.code]).toEqual([401, 'device_certificate_required']);
  });

  it('is believed on the device port from an allow-listed address (PAKAWAAZ_DEVICE_PROXY_ADDRESSES)', async () => {
    const r = await viaProxy('/api/v1/device/whoami', '127.0.0.1', header());
    expect([r.status, r.body.deviceId]).toEqual([200, principal(phone, 1).deviceId]);
  });

  it('is ignored from any other address', async () => {
    const r = await viaProxy('/api/v1/device/whoami', '127.0.0.2', header());
    expect([r.status, r.body.code]).toEqual([401, 'device_certificate_required']);
  });

  it('is a 400 when an allow-listed proxy forwards something that is not a certificate', async () => {
    const bad = [
      'not-a-certificate',
      encodeURIComponent('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'),
      '%E0%A4%A',
    ];
    for (const value of bad) {
      const r = await viaProxy('/api/v1/device/whoami', '127.0.0.1', value);
      expect([r.status, r.body.code], value).toEqual([400, 'malformed_client_certificate']);
    }
    // Past Node's 16 KiB of headers the HTTP parser refuses it first (431); never a 500.
    expect((await viaProxy('/api/v1/device/whoami', '127.0.0.1', 'A'.repeat(17_000))).status).toBe(431);
  });
});

describe('a token bound to the device certificate (device sign-in, cnf.x5t#S256)', () => {
  let token = '';
  beforeAll(async () => {
    const post = async <T>(path: string, body: unknown) => {
      const res = await server.request('POST', path, { body });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const first = await post<{ status: string; ticket: string; factors: string[] }>('/api/v1/auth/login', {
      username: 'edge-farah',
      password: PASSWORD,
      acr: 'aal2',
    });
    expect(first.factors).toContain('device');
    const { challenge } = await post<{ challenge: string }>('/api/v1/auth/device/challenge', {
      ticket: first.ticket,
    });
    const done = await post<{ status: string; accessToken: string }>('/api/v1/auth/login/device', {
      ticket: first.ticket,
      challenge,
      certificateChain: [Buffer.from(der(phone)).toString('base64')],
      signature: (await phone.sign(challenge)).toString('base64'),
    });
    expect(done.status).toBe('authenticated');
    token = done.accessToken;
  });

  it('works with that certificate, on the device port or forwarded to it by an allow-listed proxy', async () => {
    const r = await device('/api/v1/auth/me', phone, { token });
    expect([r.status, r.body.id]).toEqual([200, userId]);
    const forwarded = encodeURIComponent(pem(phone));
    expect((await viaProxy('/api/v1/auth/me', '127.0.0.1', forwarded, token)).status).toBe(200);
    // The same forwarded header on the main API port proves nothing.
    const main = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        new URL('/api/v1/auth/me', server.url),
        {
          localAddress: '127.0.0.1',
          headers: { authorization: `Bearer ${token}`, 'x-client-cert': forwarded },
        },
        (res) => (res.resume(), resolve(res.statusCode ?? 0)),
      );
      req.on('error', reject);
      req.end();
    });
    expect(main).toBe(401);
  });

  it('is refused without a certificate, or with another handset’s', async () => {
    const bare = await server.request('GET', '/api/v1/auth/me', { token });
    expect([bare.status, ((await bare.json()) as { code: string }).code]).toEqual([
      401,
      'certificate_binding_failed',
    ]);
    const other = await device('/api/v1/auth/me', phone2, { token });
    expect([other.status, other.body.code]).toEqual([401, 'certificate_binding_failed']);
  });

  it('stops working while the device is non-compliant, and again once it recovers', async () => {
    devices.set(thumb(phone), { ...principal(phone, 1), compliance: 'non_compliant' });
    const r = await device('/api/v1/auth/me', phone, { token });
    expect([r.status, r.body.code]).toEqual([401, 'certificate_binding_failed']);
    // Its own device routes stay open: it can check in to recover.
    expect((await device('/api/v1/device/whoami', phone)).status).toBe(200);
    devices.set(thumb(phone), principal(phone, 1));
    expect((await device('/api/v1/auth/me', phone, { token })).status).toBe(200);
  });

  it('stops working the moment the certificate is revoked', async () => {
    revoked.add(thumb(phone));
    expect((await device('/api/v1/auth/me', phone, { token })).body.code).toBe('certificate_binding_failed');
    revoked.delete(thumb(phone));
  });
});
