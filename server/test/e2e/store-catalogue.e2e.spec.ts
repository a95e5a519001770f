import { webcrypto } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { verifyCatalogue, type CataloguePins } from '@pakawaaz/app-store/catalogue';
import { CatalogueClient, CatalogueRefused, type DeviceFetch } from '@pakawaaz/handset-simulator';
import {
  DEVICE_AUTHENTICATOR,
  DEVICE_EDGE_TLS,
  certificateThumbprint,
  type DeviceAuthenticator,
  type DeviceEdgeTls,
  type DevicePrincipal,
} from '@pakawaaz/platform';
import {
  createTestCa,
  freeTcpPort,
  issueTestDevice,
  type TestCa,
  type TestDevice,
} from '@pakawaaz/test-support';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The handset's catalogue fetch end to end: the real server's device port (mutual TLS) and guard, the handset
 * simulator's CatalogueClient verifying with the catalogue format's verifyCatalogue against the key the server publishes and the
 * log key, and the ETag's 304 on a repeat. Device management's ports are doubles over a test CA; the APK log
 * is the server's own (its verifier key from GET /api/v1/store/log/key, its origin the key's name).
 */
let LOG_VKEY = '';
let ORIGIN = '';

let server: TestServer;
let ca: TestCa;
let phone: TestDevice;
let stray: TestDevice;
let serverCert: TestDevice;
let institutionId = '';
let admin = '';
const devices = new Map<string, DevicePrincipal>();

const pem = (d: TestDevice | TestCa) => d.cert.toString('pem');
const thumb = (d: TestDevice) => certificateThumbprint(new Uint8Array(d.cert.rawData));
async function keyPem(d: TestDevice): Promise<string> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', d.keys.privateKey));
  return `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`;
}

const edge: DeviceEdgeTls = {
  clientCas: () => Promise.resolve([pem(ca)]),
  async serverIdentity() {
    return { certPem: pem(serverCert), keyPem: await keyPem(serverCert), chainPem: pem(ca) };
  },
};
const authenticator: DeviceAuthenticator = {
  authenticate(chain) {
    const device = devices.get(certificateThumbprint(chain[0]!));
    return Promise.resolve(device ? { ok: true, device } : { ok: false, reason: 'unknown_device' });
  },
};

/** A fetch over the device port with this handset's certificate. */
function deviceFetch(as: TestDevice): DeviceFetch {
  return async (req) => {
    const key = await keyPem(as);
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = v));
    return new Promise((resolve, reject) => {
      const r = httpsRequest(
        req.url,
        {
          method: req.method,
          headers,
          agent: false,
          ca: pem(ca),
          cert: pem(as),
          key,
          // The test server certificate names no host; the chain is what is checked here.
          checkServerIdentity: () => undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
            const status = res.statusCode ?? 0;
            const body = status === 304 ? null : Buffer.concat(chunks);
            resolve(new Response(body, { status, headers: h }));
          });
        },
      );
      r.on('error', reject);
      r.end();
    });
  };
}

beforeAll(async () => {
  ca = await createTestCa('Pakawaaz Device CA');
  [phone, stray, serverCert] = await Promise.all([
    issueTestDevice(ca, { serial: '0100' }),
    issueTestDevice(ca, { serial: '0101' }),
    issueTestDevice(ca, { serial: '05', usage: 'server' }),
  ]);
  server = await startTestServer(
    {
      PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
      // The edge with test doubles for device management's ports: this node does not serve device-mgmt.
      PAKAWAAZ_DOMAINS: 'identity,core-network,hardened-os,app-store,secure-chat',
    },
    {
      providers: [
        { provide: DEVICE_EDGE_TLS, useValue: edge },
        { provide: DEVICE_AUTHENTICATOR, useValue: authenticator },
      ],
    },
  );
  admin = await server.adminToken();
  LOG_VKEY = (await (await server.request('GET', '/api/v1/store/log/key', { token: admin })).text()).trim();
  ORIGIN = LOG_VKEY.slice(0, LOG_VKEY.indexOf('+'));
  const institution = await server.request('POST', '/api/v1/institutions', {
    token: admin,
    body: { name: 'Catalogue Ministry' },
  });
  institutionId = ((await institution.json()) as { id: string }).id;
  const device = (d: TestDevice, n: number, inst: string | null): DevicePrincipal => ({
    deviceId: `00000000-0000-4000-8000-00000000000${n}`,
    userId: '00000000-0000-4000-8000-000000000000',
    institutionId: inst,
    certThumbprint: thumb(d),
    compliance: 'compliant',
  });
  devices.set(thumb(phone), device(phone, 1, institutionId));
  devices.set(thumb(stray), device(stray, 2, null));
});
afterAll(() => server?.stop());

const pinned =
  (pins: CataloguePins) => (jws: string, index: Uint8Array, state: { lastSeenTimestamp?: number }) =>
    verifyCatalogue(jws, index, pins, state);

async function pinnedKey(): Promise<JWK> {
  const res = await server.request('GET', '/api/v1/store/catalogue/key');
  expect(res.status).toBe(200);
  return ((await res.json()) as { jwk: JWK }).jwk;
}

describe('the handset catalogue', () => {
  it('is fetched over mutual TLS, verified against the pinned keys, then answered 304 while unchanged', async () => {
    const jwk = await pinnedKey();
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(jwk).not.toHaveProperty('d');
    const client = new CatalogueClient(
      server.devicePort.open ? server.devicePort.url : '',
      deviceFetch(phone),
      pinned({
        catalogueKey: jwk,
        institution: institutionId,
        logKey: LOG_VKEY,
        logOrigin: ORIGIN,
      }),
    );
    const first = await client.refresh();
    expect(first.status).toBe('updated');
    expect(client.current).toMatchObject({ institution: institutionId, logOrigin: ORIGIN, apps: {} });
    const again = await client.refresh();
    expect(again).toEqual({ status: 'unchanged', timestamp: first.timestamp });
    expect(client.unchangedCount).toBe(1);

    const view = await server.request('GET', `/api/v1/store/institutions/${institutionId}/catalogue`, {
      token: admin,
    });
    expect(view.status).toBe(200);
    expect(await view.json()).toMatchObject({ institutionId, timestamp: first.timestamp, numPackages: 0 });
  });

  it('is refused by a handset pinning another key or institution', async () => {
    const url = server.devicePort.open ? server.devicePort.url : '';
    const { publicKey } = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const otherKey = (await webcrypto.subtle.exportKey('jwk', publicKey)) as JWK;
    const base = { institution: institutionId, logKey: LOG_VKEY, logOrigin: ORIGIN };
    const wrongKey = new CatalogueClient(
      url,
      deviceFetch(phone),
      pinned({ ...base, catalogueKey: otherKey }),
    );
    await expect(wrongKey.refresh()).rejects.toMatchObject({ code: 'catalogue_signature_invalid' });
    const wrongPlace = new CatalogueClient(
      url,
      deviceFetch(phone),
      pinned({
        ...base,
        institution: '11111111-1111-4111-8111-111111111111',
        catalogueKey: await pinnedKey(),
      }),
    );
    const refused = await wrongPlace.refresh().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CatalogueRefused);
    expect(refused).toMatchObject({ code: 'catalogue_wrong_institution' });
  });

  it('is not served to a device of no institution, nor without a device certificate', async () => {
    const url = server.devicePort.open ? server.devicePort.url : '';
    const none = new CatalogueClient(
      url,
      deviceFetch(stray),
      pinned({
        catalogueKey: await pinnedKey(),
        institution: institutionId,
        logKey: LOG_VKEY,
        logOrigin: ORIGIN,
      }),
    );
    await expect(none.refresh()).rejects.toMatchObject({ code: 'catalogue_http_error' });
    const plain = await server.request('GET', '/api/v1/store/catalogue');
    expect(plain.status).toBe(401);
  });
});
