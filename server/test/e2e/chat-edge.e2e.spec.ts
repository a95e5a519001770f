import { webcrypto } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import {
  DATABASE,
  DEVICE_AUTHENTICATOR,
  DEVICE_EDGE_TLS,
  certificateThumbprint,
  sql,
  type DatabaseHandle,
  type DeviceAuthentication,
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * Secure chat on the real server: its routes and WebSocket on the device port (mutual TLS), device
 * management's ports replaced by doubles over a test CA with real keys (as device-edge.e2e does).
 */
let server: TestServer;
let ca: TestCa;
let phone: TestDevice;
let serverCert: TestDevice;
const devices = new Map<string, DevicePrincipal>();
const PHONE_DEVICE = '00000000-0000-4000-8000-0000000000c1';

const pem = (d: TestDevice | TestCa) => d.cert.toString('pem');
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
  authenticate(chain): Promise<DeviceAuthentication> {
    const device = devices.get(certificateThumbprint(chain[0]!));
    return Promise.resolve(device ? { ok: true, device } : { ok: false, reason: 'unknown_device' });
  },
};

const deviceUrl = (path: string, scheme: 'https' | 'wss') => {
  if (!server.devicePort.open) throw new Error('device port not open');
  const url = new URL(path, server.devicePort.url);
  url.protocol = `${scheme}:`;
  return url;
};
// The test server certificate names no host; its chain is what is checked (node:tls wants undefined).
const anyHost = (() => undefined) as unknown as () => boolean;

type DeviceReply = { status: number; body: Record<string, unknown>; retryAfter?: string | undefined };

async function call(method: string, path: string, as?: TestDevice, body?: unknown): Promise<DeviceReply> {
  const key = as ? await keyPem(as) : undefined;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      deviceUrl(path, 'https'),
      {
        method,
        agent: false,
        ca: pem(ca),
        checkServerIdentity: () => undefined,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' } }),
        ...(as ? { cert: pem(as), key } : {}),
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text) as Record<string, unknown>,
            retryAfter: res.headers['retry-after'],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
const get = (path: string, as?: TestDevice) => call('GET', path, as);

async function socket(as?: TestDevice): Promise<{ ws: WebSocket } | { status: number }> {
  const ws = new WebSocket(deviceUrl('/api/v1/chat/ws', 'wss'), {
    ca: pem(ca),
    checkServerIdentity: anyHost,
    ...(as ? { cert: pem(as), key: await keyPem(as) } : {}),
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  ca = await createTestCa('Pakawaaz Device CA');
  [phone, serverCert] = await Promise.all([
    issueTestDevice(ca, { serial: '0100' }),
    issueTestDevice(ca, { serial: '05', usage: 'server' }),
  ]);
  devices.set(certificateThumbprint(new Uint8Array(phone.cert.rawData)), {
    deviceId: PHONE_DEVICE,
    userId: '00000000-0000-4000-8000-0000000000a1',
    institutionId: null,
    certThumbprint: certificateThumbprint(new Uint8Array(phone.cert.rawData)),
    compliance: 'compliant',
  });
  server = await startTestServer(
    {
      PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
      PAKAWAAZ_DOMAINS: 'identity,secure-chat',
      PAKAWAAZ_CHAT_CLAIMS_PER_SECOND: '1',
    },
    {
      providers: [
        { provide: DEVICE_EDGE_TLS, useValue: edge },
        { provide: DEVICE_AUTHENTICATOR, useValue: authenticator },
      ],
    },
  );
});
afterAll(() => server?.stop());

describe('secure chat on the device port', () => {
  it("serves the external sender's key to a handset, and only to a handset", async () => {
    const r = await get('/api/v1/chat/external-sender', phone);
    expect(r.status).toBe(200);
    expect(r.body.cipherSuite).toBe('MLS_128_DHKEMP256_AES128GCM_SHA256_P256');
    // An uncompressed P-256 point: 65 bytes, 0x04 first.
    const key = Buffer.from(r.body.signatureKey as string, 'base64url');
    expect([key.length, key[0]]).toEqual([65, 4]);
    expect((await get('/api/v1/chat/external-sender')).body.code).toBe('device_certificate_required');
  });

  it('opens the chat WebSocket for a handset certificate, and refuses one without', async () => {
    expect(await socket()).toEqual({ status: 401 });
    const opened = await socket(phone);
    if (!('ws' in opened)) throw new Error(`refused: ${opened.status}`);
    const reply = new Promise<Record<string, unknown>>((resolve) =>
      opened.ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()) as Record<string, unknown>)),
    );
    opened.ws.send(JSON.stringify({ type: 'ack', upTo: 0, reply: true }));
    expect(await reply).toEqual({ type: 'acked', upTo: 0, removed: 0 });
    opened.ws.close();
  });

  it('limits KeyPackage claims per device: 429 chat_rate_limited with Retry-After past the burst', async () => {
    const claim = () => call('POST', '/api/v1/chat/key-packages/claim', phone, { user: 'nobody.here' });
    // Past a burst of twice the rate (1 a second) the device is told to wait, before anything is looked up.
    // Eight at once: even a slow machine cannot refill the bucket between them.
    const replies = await Promise.all(Array.from({ length: 8 }, claim));
    expect(replies.filter((r) => r.body.code === 'official_not_found').length).toBeGreaterThanOrEqual(1);
    const limited = replies.find((r) => r.status === 429);
    expect(limited?.body.code).toBe('chat_rate_limited');
    expect(Number(limited?.retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('answers an upgrade to any other path with 404 (no socket left hanging)', async () => {
    const ws = new WebSocket(deviceUrl('/api/v1/other/ws', 'wss'), {
      ca: pem(ca),
      checkServerIdentity: anyHost,
    });
    const status = await new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', reject);
    });
    expect(status).toBe(404);
  });
  it('answers GET inbox with at most 1 MiB of envelopes (one at least) and says when more is queued', async () => {
    // Three envelopes of 600 KiB (800,000 base64url characters each): one an answer.
    const db = server.app.get<DatabaseHandle>(DATABASE).db;
    for (const seq of [1, 2, 3])
      await db.execute(sql`insert into secure_chat.device_queue (device_id, seq, group_id, kind, body)
        values (${PHONE_DEVICE}, ${seq}, 'g', 'application', decode(repeat('ab', ${600 * 1024}), 'hex'))`);
    const pages: { seqs: number[]; more: unknown }[] = [];
    for (let after = 0; pages.length < 4;) {
      const r = await get(`/api/v1/chat/inbox?after=${after}`, phone);
      expect(r.status).toBe(200);
      const envelopes = r.body.envelopes as { seq: number; body: string }[];
      pages.push({ seqs: envelopes.map((e) => e.seq), more: r.body.more });
      expect(envelopes[0]?.body.length ?? 0).toBe(envelopes.length ? 819_200 : 0);
      if (!r.body.more) break;
      after = envelopes.at(-1)!.seq;
    }
    expect(pages).toEqual([
      { seqs: [1], more: true },
      { seqs: [2], more: true },
      { seqs: [3], more: false },
    ]);
    expect(await call('POST', '/api/v1/chat/inbox/ack', phone, { upTo: 3 })).toMatchObject({
      body: { removed: 3 },
    });
  });

  it('refuses a message send over its own body limit (an MLS message at 256 KiB, base64url) with 413', async () => {
    const send = (chars: number) =>
      call('POST', '/api/v1/chat/groups/g/messages', phone, {
        message: 'A'.repeat(chars),
        clientId: 'abcdefgh',
      });
    // Under the server's general limit (1 MiB) but over the send's own: refused before it is parsed.
    const over = await send(600 * 1024);
    expect([over.status, over.body.code]).toEqual([413, 'payload_too_large']);
    // A message at the MLS limit is read (and found no MLS message).
    const at = await send(Math.ceil((256 * 1024 * 4) / 3));
    expect([at.status, at.body.code]).toEqual([400, 'mls_malformed']);
  });
});
