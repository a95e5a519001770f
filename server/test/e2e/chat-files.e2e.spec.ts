import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  labRootPaths,
  loadOrCreateLabRoot,
  SimulatedHandset,
  type SavedHandset,
} from '@pakawaaz/handset-simulator';
import { DATABASE, sql, type DatabaseHandle } from '@pakawaaz/platform';
import { freeTcpPort } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * Chat attachments end to end: a lab-attested handset, enrolled through device management, uploads a
 * ciphertext over the mutual-TLS device port in chunks; one chunk is cut off mid-stream (the socket
 * destroyed), the handset asks where the upload stands and resumes; the last byte is checked against the
 * declared SHA-256 and yields a capability URL, which anyone downloads (whole and by range) from the main
 * port without credentials until it expires (410). A chunk that stalls mid-body is answered on its connection
 * with where to resume.
 */
const MiB = 1024 * 1024;
const ROUTE = '/api/v1/chat/device/files';
const IDLE_SECONDS = 2;

let server: TestServer;
let dir: string;
let handset: SimulatedHandset;
let tls: SavedHandset;
let admin = '';

function deviceUrl(): string {
  if (!server.devicePort.open) throw new Error(`the device port is closed: ${server.devicePort.reason}`);
  return server.devicePort.url;
}

type Reply = { status: number; headers: IncomingMessage['headers']; body: Buffer };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const json = <T>(r: Reply) => JSON.parse(r.body.toString('utf8')) as T;

/**
 * One request over the device port with the handset's certificate; `cutAfter` destroys it mid-body,
 * `stallAfter` sends that many bytes of the body and then nothing, the socket left open.
 */
function device(
  method: string,
  p: string,
  o: {
    body?: Buffer;
    headers?: Record<string, string>;
    cutAfter?: number;
    stallAfter?: number;
    cert?: boolean;
  } = {},
): Promise<Reply> {
  const url = new URL(p, deviceUrl());
  const withCert = o.cert ?? true;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        headers: { ...(o.body ? { 'content-length': String(o.body.length) } : {}), ...o.headers },
        ca: tls.enrolment.caPems,
        ...(withCert ? { cert: tls.enrolment.certificatePem, key: tls.keyPem } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (o.stallAfter !== undefined) return void req.write(o.body!.subarray(0, o.stallAfter));
    // The body goes out in 64 KiB writes, as a handset streams a file (one 8 MiB write would encrypt it
    // in one go on this process's event loop, which the server shares in this test).
    if (o.cutAfter === undefined) return void Readable.from(slices(o.body)).pipe(req);
    req.write(o.body!.subarray(0, o.cutAfter), () => {
      setTimeout(() => {
        req.destroy();
        resolve({ status: 0, headers: {}, body: Buffer.alloc(0) });
      }, 200);
    });
  });
}

function* slices(body: Buffer | undefined): Generator<Buffer> {
  for (let at = 0; body && at < body.length; at += 64 * 1024) yield body.subarray(at, at + 64 * 1024);
}

const patch = (id: string, offset: number, bytes: Buffer, extra: Record<string, string> = {}) =>
  device('PATCH', `${ROUTE}/${id}`, {
    body: bytes,
    headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), ...extra },
  });
const create = (bytes: Buffer) =>
  device('POST', ROUTE, {
    body: Buffer.from(JSON.stringify({ sizeBytes: bytes.length, sha256: sha(bytes) })),
    headers: { 'content-type': 'application/json' },
  });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-chat-files-e2e-'));
  const root = await loadOrCreateLabRoot(path.join(dir, 'lab'));
  server = await startTestServer({
    OPEN5GS_MONITOR: 'off',
    PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
    PAKAWAAZ_TRUST_LAB_ROOT: '1',
    PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(path.join(dir, 'lab')).cert,
    PAKAWAAZ_CHAT_FILES_DIR: path.join(dir, 'chat-files'),
    PAKAWAAZ_CHAT_FILE_CHUNK_MAX_BYTES: String(8 * MiB),
    PAKAWAAZ_CHAT_FILE_UPLOAD_IDLE_SECONDS: String(IDLE_SECONDS),
  });
  admin = await server.adminToken();
  const inst = await server.json<{ id: string }>('POST', '/api/v1/institutions', {
    token: admin,
    body: { name: 'Interior' },
  });
  await server.json('POST', '/api/v1/users', {
    token: admin,
    body: {
      username: 'sana.interior',
      displayName: 'Sana',
      kind: 'official',
      institution: inst.id,
      password: 'meadow-copper-signal-47',
    },
  });
  handset = new SimulatedHandset({ apiUrl: server.url, deviceUrl: deviceUrl(), root });
  const { token } = await server.json<{ token: string }>('POST', '/api/v1/enrolment-tokens', {
    token: admin,
    body: { official: 'sana.interior' },
  });
  await handset.enrol(token);
  tls = handset.saved()!;
}, 180_000);

afterAll(async () => {
  handset?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('chat attachments from a handset', () => {
  it('resumes an interrupted upload, then anyone with the link downloads it until it expires', async () => {
    const bytes = randomBytes(3 * MiB + 12345);
    const created = await create(bytes);
    expect(created.status, created.body.toString()).toBe(201);
    const { id } = json<{ id: string }>(created);

    expect((await patch(id, 0, bytes.subarray(0, MiB))).headers['upload-offset']).toBe(String(MiB));
    // The second chunk is cut after 300 KB: the socket is destroyed mid-body.
    await device('PATCH', `${ROUTE}/${id}`, {
      body: bytes.subarray(MiB, 2 * MiB),
      cutAfter: 300_000,
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(MiB) },
    });
    let offset = MiB;
    for (let i = 0; i < 100 && offset === MiB; i++) {
      await new Promise((r) => setTimeout(r, 100));
      offset = Number((await device('HEAD', `${ROUTE}/${id}`)).headers['upload-offset']);
    }
    expect(offset).toBeGreaterThan(MiB);
    expect(offset).toBeLessThanOrEqual(MiB + 300_000);

    const wrong = await patch(id, MiB, bytes.subarray(MiB, MiB + 10));
    expect(wrong.status).toBe(409);
    expect(json<{ code: string; details: unknown }>(wrong)).toMatchObject({
      code: 'upload_offset_mismatch',
      details: { offset },
    });
    const octet = await patch(id, offset, bytes.subarray(offset, offset + 10), {
      'content-type': 'application/octet-stream',
    });
    expect(octet.status).toBe(415);

    const done = await patch(id, offset, bytes.subarray(offset));
    expect(done.status, done.body.toString()).toBe(200);
    const file = json<{ state: string; download: { path: string; expiresAt: string } }>(done);
    expect(file.state).toBe('complete');

    // The link needs no credentials, on the main port.
    const whole = await fetch(`${server.url}${file.download.path}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('etag')).toBe(`"${sha(bytes)}"`);
    expect(sha(Buffer.from(await whole.arrayBuffer()))).toBe(sha(bytes));
    const part = await fetch(`${server.url}${file.download.path}`, { headers: { range: 'bytes=-1000' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(
      `bytes ${bytes.length - 1000}-${bytes.length - 1}/${bytes.length}`,
    );
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 1000));

    const db = server.app.get<DatabaseHandle>(DATABASE).db;
    await db.execute(
      sql`update secure_chat.chat_files set expires_at = now() - interval '1 second' where id = ${id}`,
    );
    const gone = await fetch(`${server.url}${file.download.path}`);
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { code: string }).code).toBe('file_gone');
  });

  it('answers a chunk that stalls mid-body 400 upload_interrupted with the offset, then resumes', async () => {
    const bytes = randomBytes(MiB + 4321);
    const { id } = json<{ id: string }>(await create(bytes));
    const headers = { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' };
    const started = performance.now();
    // Declares the whole file, sends 200,000 bytes and then nothing, the socket kept open: the idle limit
    // ends the chunk, and the answer comes on this connection (before the fix: a reset).
    const stalled = await device('PATCH', `${ROUTE}/${id}`, { body: bytes, stallAfter: 200_000, headers });
    const waited = performance.now() - started;
    expect(stalled.status, stalled.body.toString()).toBe(400);
    const { code, details } = json<{ code: string; details: { offset: number } }>(stalled);
    expect(code).toBe('upload_interrupted');
    // What arrived is kept (the kernel may hold back a little of it): resume from there.
    expect(details.offset).toBeGreaterThan(0);
    expect(details.offset).toBeLessThanOrEqual(200_000);
    expect(waited).toBeGreaterThanOrEqual(IDLE_SECONDS * 1000 - 50);
    expect(waited).toBeLessThan(IDLE_SECONDS * 1000 + 5000);
    const head = await device('HEAD', `${ROUTE}/${id}`);
    expect(head.headers['upload-offset']).toBe(String(details.offset));

    const done = await patch(id, details.offset, bytes.subarray(details.offset));
    expect(done.status, done.body.toString()).toBe(200);
    const file = json<{ state: string; download: { path: string } }>(done);
    expect(file.state).toBe('complete');
    const got = await fetch(`${server.url}${file.download.path}`);
    expect(sha(Buffer.from(await got.arrayBuffer()))).toBe(sha(bytes));
  });

  it("takes an official's own token on the main port; a deleted file's link answers 410", async () => {
    const token = await server.signIn('sana.interior', 'meadow-copper-signal-47', 'harbour-violet-engine-93');
    const bytes = randomBytes(5000);
    const call = (method: string, p: string, body?: Buffer, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${p}`, { method, body, headers: { authorization: `Bearer ${token}`, ...headers } });
    const created = await call(
      'POST',
      '/api/v1/chat/files',
      Buffer.from(JSON.stringify({ sizeBytes: 5000, sha256: sha(bytes) })),
      { 'content-type': 'application/json' },
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const done = await call('PATCH', `/api/v1/chat/files/${id}`, bytes, {
      'content-type': 'application/offset+octet-stream',
      'upload-offset': '0',
    });
    const { download } = (await done.json()) as { download: { path: string } };
    expect((await fetch(`${server.url}${download.path}`)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/chat/files/${id}`)).status).toBe(204);
    expect((await fetch(`${server.url}${download.path}`)).status).toBe(410);
  });

  it('refuses the device routes without the certificate, and a forged link', async () => {
    const r = await device('POST', ROUTE, {
      cert: false,
      body: Buffer.from('{}'),
      headers: { 'content-type': 'application/json' },
    });
    expect([401, 403]).toContain(r.status);
    const forged = await fetch(`${server.url}/api/v1/chat/downloads/${'A'.repeat(43)}`);
    expect(forged.status).toBe(404);
  });

  it('measures a 32 MiB upload in 8 MiB chunks against a plain file copy of the same bytes', async () => {
    const bytes = randomBytes(32 * MiB);
    const src = path.join(dir, 'plain.bin');
    await writeFile(src, bytes);
    let t = performance.now();
    await copyFile(src, path.join(dir, 'plain-copy.bin'));
    const copyMs = performance.now() - t;
    // The same work without HTTP: a streamed copy through Node, then a SHA-256 pass over the copy.
    t = performance.now();
    await pipeline(createReadStream(src), createWriteStream(path.join(dir, 'stream-copy.bin')));
    await pipeline(createReadStream(path.join(dir, 'stream-copy.bin')), createHash('sha256'));
    const streamMs = performance.now() - t;
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    t = performance.now();
    const { id } = json<{ id: string }>(await create(bytes));
    let last: Reply | undefined;
    for (let at = 0; at < bytes.length; at += 8 * MiB)
      last = await patch(id, at, bytes.subarray(at, at + 8 * MiB));
    const uploadMs = performance.now() - t;
    loop.disable();
    expect(json<{ state: string }>(last!).state).toBe('complete');
    const rate = (ms: number) => `${((32 / ms) * 1000).toFixed(0)} MiB/s`;
    console.log(
      `[measure] 32 MiB: upload over mTLS (4 chunks, SHA-256 checked) ${uploadMs.toFixed(0)} ms = ${rate(uploadMs)}; ` +
        `streamed copy + SHA-256 pass ${streamMs.toFixed(0)} ms = ${rate(streamMs)}; ` +
        `plain file copy (copyFile) ${copyMs.toFixed(0)} ms = ${rate(copyMs)}; ` +
        `event-loop delay during the upload p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, ` +
        `max ${(loop.max / 1e6).toFixed(0)} ms`,
    );
  });
});
