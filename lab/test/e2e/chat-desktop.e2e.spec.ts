import { createHash, webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../../src/chat/chat-client.js';
import type { ChatEvent } from '../../src/chat/chat-types.js';
import {
  createDesktopKey,
  desktopCsr,
  dpopBoundToken,
  dpopFetch,
  dpopProof,
  type DesktopIdentity,
} from '../../src/chat/desktop-device.js';
import { certificateDerFromPem } from '../../src/chat/device-key.js';
import {
  controlPlaneApi,
  passwordLogin,
  unwrap,
  type ControlPlaneApi,
} from '../../src/server-process/control-plane-api.js';
import type { ServerProcess } from '../../src/server-process/server-process.js';
import { mtlsFetch } from '@pakawaaz/handset-simulator';
import { OFFICIAL_PASSWORD as PASSWORD, startChatLab, type ChatLab } from '../support/chat-server.js';
import { waitFor } from '../support/wait-for.js';

/*
 * Desktop devices (the officials' web client) end to end on the built server and PostgreSQL: an official signs
 * in, enrols a non-extractable WebCrypto key (Node's WebCrypto, the browser's API) as a device of kind
 * `desktop`, and authenticates every chat route and the chat WebSocket on the main port with the access token
 * and DPoP proofs (RFC 9449) instead of mutual TLS. Two officials chat, send a receipt and share a file; an
 * institution whose device policy forbids desktops gets a clear refusal.
 */

type Desktop = {
  /** The sign-in's access token (bearer routes). */
  token: string;
  /** The same, re-issued bound to the device key (RFC 9449 cnf.jkt): device routes with DPoP proofs. */
  deviceToken: string;
  identity: DesktopIdentity;
  caPems: string[];
  certPem: string;
  deviceId: string;
  chat?: ChatClient;
  events: ChatEvent[];
  saved?: Parameters<NonNullable<Parameters<typeof ChatClient.open>[0]['persist']>>[0];
};

let lab: ChatLab;
let server: ServerProcess;
let admin: ControlPlaneApi;
/** Officials' user ids by username, institutions' ids by name. */
let users: Record<string, string> = {};

let devicePort = 0;

async function signIn(username: string): Promise<string> {
  const step = await passwordLogin(controlPlaneApi(server.url), username, PASSWORD);
  if (step.status !== 'authenticated') throw new Error(`${username}: ${step.status}`);
  return step.accessToken;
}

function enrolDesktop(token: string, csr: Uint8Array): Promise<Response> {
  return fetch(`${server.url}/api/v1/enrolment/desktop`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ csr: Buffer.from(csr).toString('base64') }),
  });
}

async function desktop(username: string): Promise<Desktop> {
  const token = await signIn(username);
  const keys = await createDesktopKey();
  expect(keys.privateKey.extractable).toBe(false);
  const res = await enrolDesktop(token, await desktopCsr(keys));
  expect(res.status).toBe(201);
  const body = (await res.json()) as { deviceId: string; certificate: string; caCertificates: string[] };
  const identity = { keys, certificateDer: certificateDerFromPem(body.certificate) };
  return {
    token,
    deviceToken: (await dpopBoundToken(identity, server.url, token)).accessToken,
    identity,
    certPem: body.certificate,
    caPems: body.caCertificates,
    deviceId: body.deviceId,
    events: [],
  };
}

async function openChat(d: Desktop): Promise<ChatClient> {
  const restart = d.saved !== undefined;
  d.chat = await ChatClient.open({
    baseUrl: server.url,
    tls: { certPem: d.certPem, keyPem: '', caPems: d.caPems },
    desktop: { identity: d.identity, accessToken: () => d.deviceToken },
    ...(d.saved ? { saved: d.saved } : {}),
    persist: (s) => void (d.saved = s),
    onEvent: (e) => d.events.push(e),
  });
  if (!restart) await d.chat.uploadKeyPackages(3);
  await d.chat.start();
  return d.chat;
}

beforeAll(async () => {
  lab = await startChatLab('chat_desktop_e2e');
  ({ server, admin, users, devicePort } = lab);
  for (const [name, officials] of [
    ['Ministry of Interior', ['aisha.malik', 'bilal.khan']],
    ['Ministry of Defence', ['dawood.shah']],
  ] as const) {
    const id = (users[name] = await lab.institution(name));
    for (const username of officials) await lab.official(username, username, id);
  }
}, 240_000);

afterAll(async () => lab?.stop());

describe('desktop devices: officials’ browsers on WebCrypto keys and DPoP', () => {
  const ds: Record<string, Desktop> = {};

  it('enrols a desktop and authenticates device routes with token + DPoP; replays and other tokens are refused', async () => {
    ds.aisha = await desktop('aisha.malik');
    const d = ds.aisha;
    const http = dpopFetch(d.identity, () => d.deviceToken);
    const who = await http(new Request(`${server.url}/api/v1/device/whoami`));
    expect(who.status).toBe(200);
    expect(await who.json()).toMatchObject({ deviceId: d.deviceId, userId: users['aisha.malik'] });

    const url = `${server.url}/api/v1/device/whoami`;
    const proof = await dpopProof(d.identity, { method: 'GET', url, accessToken: d.deviceToken });
    const headers = { authorization: `DPoP ${d.deviceToken}`, dpop: proof };
    expect((await fetch(url, { headers })).status).toBe(200);
    const replay = await fetch(url, { headers });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'dpop_proof_invalid' });
    // The session's token, not bound to the device key (RFC 9449 §6): refused with a proof.
    const unbound = await dpopProof(d.identity, { method: 'GET', url, accessToken: d.token });
    const plain = await fetch(url, { headers: { authorization: `DPoP ${d.token}`, dpop: unbound } });
    expect(await plain.json()).toMatchObject({ code: 'dpop_binding_failed' });
    // The bound token without a proof, as a bearer token on another route: refused too.
    const me = await fetch(`${server.url}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${d.deviceToken}` },
    });
    expect([me.status, ((await me.json()) as { code: string }).code]).toEqual([401, 'dpop_binding_failed']);
    // Another official's token, bound to this desktop's key: the certificate is not theirs (refused at once).
    await expect(dpopBoundToken(d.identity, server.url, await signIn('bilal.khan'))).rejects.toMatchObject({
      code: 'dpop_proof_invalid',
    });
    // A proof for another route, or another server (htu: scheme, host and path), does not open this one.
    const evil = Object.assign(new URL(url), { hostname: 'evil.example' }).href;
    for (const elsewhereUrl of [`${server.url}/x`, evil]) {
      const elsewhere = await dpopProof(d.identity, {
        method: 'GET',
        url: elsewhereUrl,
        accessToken: d.deviceToken,
      });
      const wrong = await fetch(url, {
        headers: { authorization: `DPoP ${d.deviceToken}`, dpop: elsewhere },
      });
      expect(await wrong.json()).toMatchObject({ code: 'dpop_proof_invalid' });
    }
    const bare = await fetch(url, { headers: { authorization: `Bearer ${d.token}` } });
    expect(await bare.json()).toMatchObject({ code: 'device_certificate_required' });

    const list = await unwrap(admin.GET('/api/v1/devices', { params: { query: {} } }));
    expect(list.devices.find((x) => x.id === d.deviceId)).toMatchObject({ kind: 'desktop' });
  });

  it('a desktop certificate alone (its key exported, used for mutual TLS) opens nothing without token and proof', async () => {
    // What an attacker holding an official's token for a minute could do: enrol a key of their own.
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const res = await enrolDesktop(await signIn('aisha.malik'), await desktopCsr(keys));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { certificate: string; caCertificates: string[] };
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
    const http = mtlsFetch({
      certPem: body.certificate,
      keyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`,
      caPems: body.caCertificates,
    });
    try {
      for (const path of ['/api/v1/device/whoami', '/api/v1/chat/inbox?after=0&limit=1']) {
        const r = await http(new Request(`https://127.0.0.1:${devicePort}${path}`));
        expect([r.status, await r.json()], path).toEqual([
          401,
          expect.objectContaining({
            code: 'device_certificate_refused',
            details: { reason: 'desktop_needs_dpop' },
          }),
        ]);
      }
    } finally {
      http.close();
    }
  });

  it('two officials chat from their desktops: text, a receipt and a client-encrypted file', async () => {
    ds.bilal = await desktop('bilal.khan');
    const a = await openChat(ds.aisha!);
    await openChat(ds.bilal);
    const groupId = await a.createGroup();
    await a.addMembers(groupId, [users['bilal.khan']!]);
    await waitFor('bilal joins', () =>
      ds.bilal!.events.find((e) => e.type === 'joined' && e.groupId === groupId),
    );
    const id = await a.send(groupId, { type: 'text', text: 'Sent from my browser' });
    const got = await waitFor('bilal reads', () =>
      ds.bilal!.events.find((e) => e.type === 'message' && e.text === 'Sent from my browser'),
    );
    expect(got).toMatchObject({ groupId });
    await ds.bilal.chat!.send(groupId, { type: 'receipt', status: 'read', ids: [id] });
    await waitFor('the receipt', () =>
      ds.aisha!.events.find((e) => e.type === 'receipt' && e.ids.includes(id)),
    );

    // The file, sealed in the browser (AES-GCM on WebCrypto) and uploaded over the DPoP-authenticated route.
    const plain = new TextEncoder().encode('Minutes of the 4 December meeting.\n'.repeat(100));
    const key = crypto.getRandomValues(new Uint8Array(32));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const aes = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt']);
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, plain));
    const sealed = Buffer.concat([iv, ct]);
    const sha256 = createHash('sha256').update(sealed).digest('hex');
    const http = dpopFetch(ds.aisha!.identity, () => ds.aisha!.deviceToken);
    const created = await http(
      new Request(`${server.url}/api/v1/chat/device/files`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // Tagged with the chat it is for, as the web client does: the desktop is a member of that group.
        body: JSON.stringify({ sizeBytes: sealed.length, sha256, groupId }),
      }),
    );
    expect(created.status).toBe(201);
    const upload = (await created.json()) as { id: string; groupId: string };
    expect(upload.groupId).toBe(groupId);
    const sent = await http(
      new Request(`${server.url}/api/v1/chat/device/files/${upload.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
        body: sealed,
      }),
    );
    expect(sent.status).toBe(200);
    const done = (await sent.json()) as { state: string; download: { path: string } };
    await a.send(groupId, {
      type: 'file',
      file: {
        url: `${server.url}${done.download.path}`,
        key: Buffer.from(key).toString('base64url'),
        hash: Buffer.from(sha256, 'hex').toString('base64url'),
        name: 'minutes.txt',
        size: sealed.length,
      },
    });
    const file = await waitFor('the file', () =>
      ds.bilal!.events.find((e) => e.type === 'message' && e.file !== undefined),
    );
    if (file.type !== 'message' || !file.file) throw new Error('expected a file');
    const fetched = new Uint8Array(await (await fetch(file.file.url)).arrayBuffer());
    const k = await crypto.subtle.importKey(
      'raw',
      Buffer.from(file.file.key, 'base64url'),
      'AES-GCM',
      false,
      ['decrypt'],
    );
    const opened = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fetched.subarray(0, 12) },
      k,
      fetched.subarray(12),
    );
    expect(new Uint8Array(opened)).toEqual(plain);

    // A restart from the saved snapshot: the same CryptoKey signs the group's messages (its handle is stable).
    await a.close();
    const again = await openChat(ds.aisha!);
    await again.send(groupId, { type: 'text', text: 'Back after a restart' });
    await waitFor('bilal reads after the restart', () =>
      ds.bilal!.events.find((e) => e.type === 'message' && e.text === 'Back after a restart'),
    );
    for (const d of [ds.aisha!, ds.bilal]) await d.chat?.close();
  });

  it('an institution whose device policy forbids desktops gets desktop_devices_forbidden', async () => {
    // Every other setting at its default (the typed client wants them all spelled out).
    const put = await fetch(`${server.url}/api/v1/device-policies/${users['Ministry of Defence']!}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { allowDesktop: false } }),
    });
    expect(put.status).toBe(200);
    const token = await signIn('dawood.shah');
    const res = await enrolDesktop(token, await desktopCsr(await createDesktopKey()));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'desktop_devices_forbidden' });
  });

  it('an official holds at most five live desktop devices', async () => {
    const token = await signIn('bilal.khan');
    const statuses: number[] = [];
    let refusal: unknown;
    for (let i = 0; i < 6 && refusal === undefined; i++) {
      const res = await enrolDesktop(token, await desktopCsr(await createDesktopKey()));
      statuses.push(res.status);
      if (res.status !== 201) refusal = await res.json();
    }
    expect(statuses.at(-1)).toBe(409);
    expect(refusal).toMatchObject({ code: 'desktop_limit_reached', details: { limit: 5 } });
    const { devices } = await unwrap(admin.GET('/api/v1/devices', { params: { query: {} } }));
    expect(
      devices.filter(
        (d) => d.kind === 'desktop' && d.official.id === users['bilal.khan'] && d.state === 'active',
      ),
    ).toHaveLength(5);
  });

  it('turning allowDesktop off retires the desktops already enrolled there (revoked, audited)', async () => {
    const d = ds.aisha!;
    const whoami = () =>
      dpopFetch(d.identity, () => d.deviceToken)(new Request(`${server.url}/api/v1/device/whoami`));
    expect((await whoami()).status).toBe(200);
    const interior = users['Ministry of Interior']!;
    const put = await fetch(`${server.url}/api/v1/device-policies/${interior}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { allowDesktop: false } }),
    });
    expect(put.status).toBe(200);
    const { devices } = await unwrap(admin.GET('/api/v1/devices', { params: { query: {} } }));
    const desktops = devices.filter((x) => x.kind === 'desktop' && x.institutionId === interior);
    expect(desktops.length).toBeGreaterThanOrEqual(6);
    expect(desktops.filter((x) => x.state !== 'retired')).toEqual([]);
    // Its certificate is revoked: the desktop is refused from now on.
    const refused = await whoami();
    expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([
      401,
      'device_certificate_refused',
    ]);
    const audit = await fetch(
      `${server.url}/api/v1/audit?action=device-mgmt.device.retired&q=${d.deviceId}`,
      { headers: { authorization: `Bearer ${admin.token}` } },
    );
    const body = JSON.stringify(await audit.json());
    expect(body).toContain('allowDesktop: false');
  });
});
