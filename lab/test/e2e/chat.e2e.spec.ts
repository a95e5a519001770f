import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  loadOrCreateLabRoot,
  mtlsFetch,
  SimulatedHandset,
  type ClientTls,
} from '@pakawaaz/handset-simulator';
import { testDatabaseUrl, withDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../../src/chat/chat-client.js';
import type { ChatEvent } from '../../src/chat/chat-types.js';
import {
  controlPlaneApi,
  signedIn,
  unwrap,
  type ControlPlaneApi,
} from '../../src/server-process/control-plane-api.js';
import {
  freeTcpPort,
  startServerProcess,
  type ServerProcess,
} from '../../src/server-process/server-process.js';
import { waitFor } from '../support/wait-for.js';

/*
 * Secure chat end to end: the built server in a child process on PostgreSQL, officials' lab-attested handsets
 * enrolled through device management, the client SDK (ts-mls) over mutual TLS and real WebSockets on the device
 * port. Three officials chat 1:1 and in a group (one of them on two handsets), send receipts and typing
 * indicators, share a client-encrypted file; then an administrator declares a handset lost (and later disables an official):
 * the server removes the handset (every handset of the official) from its groups as their external sender, a
 * member commits the Remove within seconds, and nothing sent afterwards reaches it.
 */
const ADMIN_PASSWORD = 'lantern-quartz-meadow-27';
const DB = `pakawaaz_chat_e2e_${process.pid}`;

type Device = {
  name: string;
  user: string;
  handset: SimulatedHandset;
  tls: ClientTls;
  chat: ChatClient;
  events: ChatEvent[];
};

let server: ServerProcess;
let admin: ControlPlaneApi;
let dir: string;
let deviceUrl = '';
const users: Record<string, string> = {};
const devices: Record<string, Device> = {};

const adminDb = () => new pg.Client({ connectionString: testDatabaseUrl() });

const texts = (d: Device, groupId: string) =>
  d.events.flatMap((e) => (e.type === 'message' && e.groupId === groupId && e.text ? [e.text] : []));

async function enrol(name: string, username: string): Promise<Device> {
  const { token } = await unwrap(admin.POST('/api/v1/enrolment-tokens', { body: { official: username } }));
  const root = await loadOrCreateLabRoot(path.join(dir, 'lab'));
  const handset = new SimulatedHandset({ apiUrl: server.url, deviceUrl, root });
  await handset.enrol(token);
  const saved = handset.saved()!;
  const tls = {
    certPem: saved.enrolment.certificatePem,
    keyPem: saved.keyPem,
    caPems: saved.enrolment.caPems,
  };
  const events: ChatEvent[] = [];
  const chat = await ChatClient.open({ baseUrl: deviceUrl, tls, onEvent: (e) => events.push(e) });
  await chat.uploadKeyPackages(5);
  await chat.start();
  return { name, user: users[username]!, handset, tls, chat, events };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-chat-e2e-'));
  await loadOrCreateLabRoot(path.join(dir, 'lab'));
  const c = adminDb();
  await c.connect();
  await c.query(`drop database if exists "${DB}" with (force)`);
  await c.query(`create database "${DB}"`);
  await c.end();
  const port = await freeTcpPort();
  deviceUrl = `https://127.0.0.1:${port}`;
  server = await startServerProcess({
    adminPassword: ADMIN_PASSWORD,
    env: {
      DATABASE_URL: withDatabase(testDatabaseUrl(), DB),
      PAKAWAAZ_DEVICE_PORT: String(port),
      PAKAWAAZ_TRUST_LAB_ROOT: '1',
      PAKAWAAZ_LAB_ROOT_FILE: path.join(dir, 'lab', 'attestation-root.pem'),
      OPEN5GS_MONITOR: 'off',
    },
  });
  admin = await signedIn(controlPlaneApi(server.url), 'admin', ADMIN_PASSWORD);
  const inst = await unwrap(admin.POST('/api/v1/institutions', { body: { name: 'Ministry of Interior' } }));
  for (const [username, displayName] of [
    ['aisha.malik', 'Aisha Malik'],
    ['bilal.khan', 'Bilal Khan'],
    ['chand.bibi', 'Chand Bibi'],
  ] as const) {
    const u = await unwrap(
      admin.POST('/api/v1/users', {
        body: {
          username,
          displayName,
          kind: 'official',
          institution: inst.id,
          password: 'meadow-violin-copper-58',
        },
      }),
    );
    users[username] = u.id;
  }
  for (const [name, username] of [
    ['aisha', 'aisha.malik'],
    ['bilal-phone', 'bilal.khan'],
    ['bilal-tablet', 'bilal.khan'],
    ['chand', 'chand.bibi'],
  ] as const)
    devices[name] = await enrol(name, username);
}, 240_000);

afterAll(async () => {
  for (const d of Object.values(devices)) await d.chat.close().catch(() => undefined);
  await server?.stop();
  const c = adminDb();
  await c.connect();
  await c.query(`drop database if exists "${DB}" with (force)`);
  await c.end();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('secure chat between officials on attested handsets', () => {
  let oneToOne = '';
  let group = '';

  it('chats 1:1: both of the other official’s handsets read it, receipts and typing come back', async () => {
    const { aisha } = devices;
    oneToOne = await aisha!.chat.createGroup();
    await aisha!.chat.addMembers(oneToOne, [users['bilal.khan']!]);
    for (const d of [devices['bilal-phone']!, devices['bilal-tablet']!])
      await waitFor(`${d.name} joins`, () =>
        d.events.find((e) => e.type === 'joined' && e.groupId === oneToOne),
      );
    const id = await aisha!.chat.send(oneToOne, {
      type: 'text',
      text: 'Assalam-o-alaikum, the file is ready',
    });
    for (const d of [devices['bilal-phone']!, devices['bilal-tablet']!])
      await waitFor(`${d.name} reads`, () =>
        texts(d, oneToOne).includes('Assalam-o-alaikum, the file is ready') ? true : undefined,
      );
    await devices['bilal-phone']!.chat.send(oneToOne, { type: 'receipt', status: 'read', ids: [id] });
    await devices['bilal-phone']!.chat.send(oneToOne, { type: 'typing', active: true });
    const receipt = await waitFor('the receipt', () =>
      aisha!.events.find((e) => e.type === 'receipt' && e.groupId === oneToOne),
    );
    expect(receipt).toMatchObject({ status: 'read', ids: [id] });
    await waitFor('typing', () => aisha!.events.find((e) => e.type === 'typing' && e.groupId === oneToOne));
    // Chand, not in this chat, received nothing of it.
    expect(devices.chand!.events.filter((e) => 'groupId' in e && e.groupId === oneToOne)).toEqual([]);
  });

  it('chats in a group of three officials and shares a client-encrypted file', async () => {
    const { aisha, chand } = devices;
    group = await aisha!.chat.createGroup();
    await aisha!.chat.addMembers(group, [users['bilal.khan']!, users['chand.bibi']!]);
    await chand!.chat.send(group, { type: 'text', text: 'Meeting at 3' }).catch(async () => {
      await waitFor('chand joins', () =>
        chand!.events.find((e) => e.type === 'joined' && e.groupId === group),
      );
      return chand!.chat.send(group, { type: 'text', text: 'Meeting at 3' });
    });
    for (const d of [aisha!, devices['bilal-phone']!, devices['bilal-tablet']!])
      await waitFor(`${d.name} reads chand`, () =>
        texts(d, group).includes('Meeting at 3') ? true : undefined,
      );

    // The file: encrypted on the handset (AES-256-GCM, a fresh key), uploaded as ciphertext, its link and key
    // shared inside the MLS message. The server stores bytes it cannot read.
    const plain = Buffer.from('Notification No. 7/2026: revised duty roster.\n'.repeat(200));
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    const sha256 = createHash('sha256').update(sealed).digest('hex');
    const http = mtlsFetch(aisha!.tls);
    const created = await http(
      new Request(`${deviceUrl}/api/v1/chat/device/files`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sizeBytes: sealed.length, sha256 }),
      }),
    );
    expect(created.status).toBe(201);
    const upload = (await created.json()) as { id: string };
    const sent = await http(
      new Request(`${deviceUrl}/api/v1/chat/device/files/${upload.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
        body: sealed,
      }),
    );
    expect(sent.status).toBe(200);
    const done = (await sent.json()) as { state: string; download: { path: string } };
    expect(done.state).toBe('complete');
    http.close();
    await aisha!.chat.send(group, {
      type: 'file',
      file: {
        url: `${server.url}${done.download.path}`,
        key: key.toString('base64url'),
        hash: Buffer.from(sha256, 'hex').toString('base64url'),
        name: 'roster.txt',
        size: sealed.length,
      },
    });
    const got = await waitFor('the file reference', () =>
      chand!.events.find((e) => e.type === 'message' && e.groupId === group && e.file !== undefined),
    );
    if (got.type !== 'message' || !got.file) throw new Error('expected a file');
    const fetched = Buffer.from(await (await fetch(got.file.url)).arrayBuffer());
    expect(createHash('sha256').update(fetched).digest('base64url')).toBe(got.file.hash);
    const k = Buffer.from(got.file.key, 'base64url');
    const d = createDecipheriv('aes-256-gcm', k, fetched.subarray(0, 12));
    d.setAuthTag(fetched.subarray(fetched.length - 16));
    expect(Buffer.concat([d.update(fetched.subarray(12, fetched.length - 16)), d.final()])).toEqual(plain);
  });

  it('a handset declared lost leaves every group within seconds and reads nothing sent afterwards', async () => {
    const tablet = devices['bilal-tablet']!;
    const { aisha } = devices;
    const started = Date.now();
    await unwrap(
      admin.POST('/api/v1/devices/{id}/lost', {
        params: { path: { id: tablet.handset.deviceId! } },
        body: { reason: 'left in a taxi' },
      }),
    );
    // A member commits the server's Remove in each group (the SDK does it on receipt of the proposal).
    for (const g of [oneToOne, group])
      await waitFor(`the Remove committed in ${g}`, () =>
        aisha!.events.find(
          (e) =>
            e.type === 'members-changed' &&
            e.groupId === g &&
            e.removed.some((m) => m.deviceId === tablet.handset.deviceId),
        )
          ? true
          : undefined,
      );
    const elapsed = Date.now() - started;
    console.log(`lost handset out of 2 groups in ${elapsed} ms`);
    expect(elapsed).toBeLessThan(15_000);
    const before = texts(tablet, group).length;
    await aisha!.chat.send(group, { type: 'text', text: 'After the loss' });
    await waitFor('bilal-phone reads', () =>
      texts(devices['bilal-phone']!, group).includes('After the loss') ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(texts(tablet, group).length).toBe(before);
    expect(texts(tablet, group)).not.toContain('After the loss');
  });

  it('an official who is disabled leaves the groups with every handset, and claims no one any more', async () => {
    const { aisha, chand } = devices;
    await unwrap(
      admin.POST('/api/v1/users/{id}/disable', {
        params: { path: { id: users['chand.bibi']! } },
        body: { reason: 'transferred' },
      }),
    );
    await waitFor('chand removed', () =>
      aisha!.events.find(
        (e) =>
          e.type === 'members-changed' &&
          e.groupId === group &&
          e.removed.some((m) => m.deviceId === chand!.handset.deviceId),
      ),
    );
    await aisha!.chat.send(group, { type: 'text', text: 'Without Chand' });
    await waitFor('bilal-phone reads', () =>
      texts(devices['bilal-phone']!, group).includes('Without Chand') ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(texts(chand!, group)).not.toContain('Without Chand');
    // Chand's handset is out of chat: it publishes no KeyPackage and registers no group.
    await expect(chand!.chat.uploadKeyPackages(1)).rejects.toThrow(/device_removed_from_chat|403/);
  });
});
