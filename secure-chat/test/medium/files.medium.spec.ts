import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { AppError, AuditService, NATIONAL_SCOPE, platformDomain, type Principal } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHUNK_TIME_LIMIT_MS, ChunkUploadService } from '../../src/files/chunk-upload.service.js';
import { DiskBlobStore } from '../../src/files/disk-blob-store.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { FilesRepository } from '../../src/files/files.repository.js';
import { FilesService, type Uploader } from '../../src/files/files.service.js';
import { FilesSweepService } from '../../src/files/files-sweep.service.js';
import { UPLOAD_MEDIA_TYPE } from '../../src/files/files-rules.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { FILES_TEST_CONFIG } from '../support/files-config.js';

/*
 * Attachments on the database the environment gives (PostgreSQL when reachable, else PGlite): the real
 * services and repository over a DiskBlobStore in a temporary folder, driven as the controllers drive them
 * (request bodies are streams).
 */

const INST_A = randomUUID();
const INST_B = randomUUID();
const amina: Uploader = { userId: 'amina', institutionId: INST_A, deviceId: 'dev-amina' };
const bilal: Uploader = { userId: 'bilal', institutionId: INST_A, deviceId: null };
const omar: Uploader = { userId: 'omar', institutionId: INST_B, deviceId: null };

const admin = (institutionId: string, roles: Principal['roles'] = ['chat-admin']): Principal => ({
  actor: { type: 'operator', id: `admin-${institutionId}` },
  name: 'admin',
  roles,
  institutionId,
  scope: { kind: 'institution', institutionIds: [institutionId] },
  amr: ['pwd'],
  acr: 'aal1',
  tokenId: 'jti',
});
const national: Principal = { ...admin(INST_A), institutionId: null, scope: NATIONAL_SCOPE };

let db: TestDatabase;
let dir: string;
let files: FilesService;
let chunks: ChunkUploadService;
let sweep: FilesSweepService;
let blobs: DiskBlobStore;
let repo: FilesRepository;
let clock = Date.UTC(2026, 11, 5, 9);

// The quota tests fill it from one uploader; the share has its own test.
const config = FILES_TEST_CONFIG;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const headers = (offset: number, length?: number, contentType = UPLOAD_MEDIA_TYPE) => ({
  contentType,
  uploadOffset: String(offset),
  contentLength: length === undefined ? undefined : String(length),
});
const send = (who: Uploader, id: string, offset: number, bytes: Buffer) =>
  chunks.append(who, id, headers(offset, bytes.length), Readable.from([bytes]));

async function code(p: Promise<unknown>): Promise<{ code: string; details: unknown }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected an AppError');
}

async function usedBytes(institutionId: string): Promise<number> {
  const u = await files.usage(national);
  return u.items.find((i) => i.institutionId === institutionId)?.usedBytes ?? 0;
}

/** Uploads `bytes` whole in chunks of chunkMaxBytes; returns the completing reply. */
async function upload(who: Uploader, bytes: Buffer, retentionDays?: number) {
  const created = await files.create(who, { sizeBytes: bytes.length, sha256: sha(bytes), retentionDays });
  let reply = created;
  for (let at = 0; at < bytes.length; at += config.chunkMaxBytes)
    reply = await send(who, created.id, at, bytes.subarray(at, at + config.chunkMaxBytes));
  return reply;
}

/** Waits until the store holds `size` bytes of the upload (the embedded database makes the lease slower). */
async function stored(id: string, size: number): Promise<void> {
  for (let i = 0; i < 200 && (await blobs.size(id)) !== size; i++)
    await new Promise((r) => setTimeout(r, 25));
}

const audit = () => new AuditService(db.handle);
const tokenOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, secureChatDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-chat-files-'));
  repo = new FilesRepository(db.handle);
  blobs = new DiskBlobStore(dir);
  files = new FilesService(repo, blobs, { ...config, dir }, audit(), new DeliveryRepository(db.handle));
  files.now = () => new Date(clock);
  chunks = new ChunkUploadService(files, repo, blobs);
  sweep = new FilesSweepService(files, repo, {
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  } as never);
});

afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('resumable uploads', () => {
  it('takes chunks at the offset the upload stands at, checks the digest and issues a link', async () => {
    const bytes = randomBytes(200_000);
    const append = vi.spyOn(blobs, 'append');
    const done = await upload(amina, bytes);
    expect(done).toMatchObject({ state: 'complete', offset: 200_000, sizeBytes: 200_000 });
    // Each chunk is bounded in time as well as in idleness (a trickle never holds the lease for ever).
    const limits = { idleMs: config.uploadIdleMs, totalMs: CHUNK_TIME_LIMIT_MS };
    expect(append).toHaveBeenCalledWith(done.id, 0, expect.anything(), expect.objectContaining(limits));
    append.mockRestore();
    expect(done.download?.path).toMatch(/^\/api\/v1\/chat\/downloads\/[A-Za-z0-9_-]{43}$/);
    const d = await files.download(tokenOf(done.download!.path), undefined);
    expect(sha(await buffer(d.stream))).toBe(sha(bytes));
    const part = await files.download(tokenOf(done.download!.path), 'bytes=1000-1999');
    expect(await buffer(part.stream)).toEqual(bytes.subarray(1000, 2000));
    expect(await code(files.download(tokenOf(done.download!.path), 'bytes=300000-'))).toMatchObject({
      code: 'range_not_satisfiable',
    });
  });

  it('answers a wrong offset with 409 and where to resume; a resumed upload completes', async () => {
    const bytes = randomBytes(100_000);
    const u = await files.create(amina, { sizeBytes: bytes.length, sha256: sha(bytes) });
    await send(amina, u.id, 0, bytes.subarray(0, 30_000));
    expect(await code(send(amina, u.id, 0, bytes.subarray(0, 10)))).toEqual({
      code: 'upload_offset_mismatch',
      details: { offset: 30_000 },
    });
    expect(await code(send(amina, u.id, 50_000, bytes.subarray(50_000)))).toMatchObject({
      code: 'upload_offset_mismatch',
    });
    // An interrupted chunk keeps what arrived; the status says where to go on.
    const cut = new PassThrough();
    const pending = code(chunks.append(amina, u.id, headers(30_000, 40_000), cut));
    cut.write(bytes.subarray(30_000, 50_000));
    await stored(u.id, 50_000);
    cut.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    expect(await pending).toEqual({ code: 'upload_interrupted', details: { offset: 50_000 } });
    const status = await files.status(amina, u.id);
    expect(status.offset).toBe(50_000);
    await send(amina, u.id, 50_000, bytes.subarray(50_000, 100_000));
    expect((await files.status(amina, u.id)).state).toBe('complete');
  });

  it('lets one of two concurrent PATCHes stream, and refuses the other without losing a byte', async () => {
    const bytes = randomBytes(20_000);
    const u = await files.create(amina, { sizeBytes: bytes.length, sha256: sha(bytes) });
    const slow = new PassThrough();
    const first = chunks.append(amina, u.id, headers(0, 10_000), slow);
    slow.write(bytes.subarray(0, 5_000));
    await stored(u.id, 5_000);
    expect(await code(send(amina, u.id, 0, bytes.subarray(0, 10_000)))).toMatchObject({
      code: 'upload_busy',
    });
    slow.end(bytes.subarray(5_000, 10_000));
    expect((await first).offset).toBe(10_000);
    expect((await send(amina, u.id, 10_000, bytes.subarray(10_000))).state).toBe('complete');
  });

  it('takes over from a PATCH whose process died once its lease lapses, at the size the store holds', async () => {
    const bytes = randomBytes(3000);
    const u = await files.create(amina, { sizeBytes: 3000, sha256: sha(bytes) });
    await send(amina, u.id, 0, bytes.subarray(0, 1000));
    // The dead PATCH: it took the lease and wrote 500 bytes, but never recorded them.
    await repo.lease(u.id, randomUUID(), new Date(clock + 60_000), new Date(clock));
    await blobs.append(u.id, 1000, Readable.from([bytes.subarray(1000, 1500)]), { maxBytes: 500 });
    expect((await files.status(amina, u.id)).offset).toBe(1000);
    expect((await code(send(amina, u.id, 1000, bytes.subarray(1000)))).code).toBe('upload_busy');
    clock += 61_000;
    expect((await files.status(amina, u.id)).offset).toBe(1500);
    expect(await code(send(amina, u.id, 1000, bytes.subarray(1000)))).toEqual({
      code: 'upload_offset_mismatch',
      details: { offset: 1500 },
    });
    expect((await send(amina, u.id, 1500, bytes.subarray(1500))).state).toBe('complete');
  });

  it('refuses bad input with stable codes', async () => {
    const bytes = randomBytes(70_000);
    const u = await files.create(amina, { sizeBytes: bytes.length, sha256: sha(bytes) });
    const wrongType = chunks.append(amina, u.id, headers(0, 5, 'application/json'), { a: 1 });
    expect((await code(wrongType)).code).toBe('upload_media_type');
    const noOffset = chunks.append(amina, u.id, { ...headers(0, 5), uploadOffset: '-1' }, Readable.from([]));
    expect((await code(noOffset)).code).toBe('upload_offset_required');
    expect((await code(send(amina, u.id, 0, bytes.subarray(0, 65_537)))).code).toBe('upload_chunk_too_large');
    await send(amina, u.id, 0, bytes.subarray(0, 60_000));
    expect((await code(send(amina, u.id, 60_000, randomBytes(10_001)))).code).toBe('upload_beyond_size');
    // Without a Content-Length the stream is counted and cut at the declared size.
    const chunked = chunks.append(amina, u.id, headers(60_000), Readable.from([randomBytes(20_000)]));
    expect((await code(chunked)).code).toBe('upload_beyond_size');
    expect((await code(files.status(bilal, u.id))).code).toBe('upload_not_found');
    expect((await code(files.create(amina, { sizeBytes: (1 << 20) + 1, sha256: sha(bytes) }))).code).toBe(
      'file_too_large',
    );
    const nobody = { ...amina, institutionId: null };
    expect((await code(files.create(nobody, { sizeBytes: 1, sha256: sha(bytes) }))).code).toBe(
      'file_institution_required',
    );
  });

  it('discards an upload whose bytes do not match the declared SHA-256, and releases its reservation', async () => {
    const before = await usedBytes(INST_B);
    const bytes = randomBytes(5000);
    const u = await files.create(omar, { sizeBytes: 5000, sha256: sha(Buffer.from('other')) });
    expect(await usedBytes(INST_B)).toBe(before + 5000);
    expect(await code(send(omar, u.id, 0, bytes))).toMatchObject({
      code: 'upload_digest_mismatch',
      details: { expected: sha(Buffer.from('other')), actual: sha(bytes) },
    });
    expect(await usedBytes(INST_B)).toBe(before);
    expect((await readdir(dir)).filter((n) => n.startsWith(u.id))).toEqual([]);
  });

  it('leaves deleted an upload deleted while its last chunk was being hashed: no link, quota released once', async () => {
    const before = await usedBytes(INST_B);
    const bytes = randomBytes(1000);
    const u = await files.create(omar, { sizeBytes: 1000, sha256: sha(bytes) });
    // The row the completing PATCH holds, as it was read before its hash: then the uploader deletes it.
    const held = (await repo.byId(u.id))!;
    await files.discard(held);
    expect(await usedBytes(INST_B)).toBe(before);
    expect(await code(files.seal(held))).toMatchObject({ code: 'file_gone' });
    expect((await repo.byId(u.id))?.state).toBe('deleted');
    expect(await usedBytes(INST_B)).toBe(before);
  });
});

describe('quota, links, retention and deletion', () => {
  it('reserves declared sizes against the quota and refuses what would exceed it', async () => {
    const inst = randomUUID();
    const who: Uploader = { userId: 'q', institutionId: inst, deviceId: null };
    const a = await files.create(who, { sizeBytes: 1 << 20, sha256: 'a'.repeat(64) });
    await files.create(who, { sizeBytes: 1 << 20, sha256: 'a'.repeat(64) });
    await files.create(who, { sizeBytes: 1 << 20, sha256: 'a'.repeat(64) });
    expect(await code(files.create(who, { sizeBytes: 1, sha256: 'a'.repeat(64) }))).toEqual({
      code: 'file_quota_exceeded',
      // A file counts at least MIN_CHARGE_BYTES (4 KiB), however small.
      details: { usedBytes: 3 << 20, quotaBytes: 3 << 20, needBytes: 4096 },
    });
    await files.remove(who, a.id);
    expect(await usedBytes(inst)).toBe(2 << 20);
    await files.create(who, { sizeBytes: 1 << 20, sha256: 'a'.repeat(64) });
  });

  it("caps one handset's (or account's) share of its institution's quota; others still have room", async () => {
    const inst = randomUUID();
    const halves = new FilesService(
      repo,
      blobs,
      { ...config, dir, uploaderSharePercent: 50 },
      audit(),
      new DeliveryRepository(db.handle),
    );
    const phone: Uploader = { userId: randomUUID(), institutionId: inst, deviceId: randomUUID() };
    const other: Uploader = { userId: phone.userId, institutionId: inst, deviceId: randomUUID() };
    await halves.create(phone, { sizeBytes: 1 << 20, sha256: 'a'.repeat(64) });
    expect(await code(halves.create(phone, { sizeBytes: 1 << 20, sha256: 'a'.repeat(64) }))).toEqual({
      code: 'file_uploader_share_exceeded',
      details: { heldBytes: 1 << 20, shareBytes: (3 << 20) / 2, needBytes: 1 << 20 },
    });
    // Nothing was reserved for the refused one; the official's other handset has its own share.
    expect(await usedBytes(inst)).toBe(1 << 20);
    await halves.create(other, { sizeBytes: 1 << 20, sha256: 'a'.repeat(64) });
    // Concurrent creations by one uploader count each other (the usage row's lock): one of two passes.
    const fresh: Uploader = { userId: randomUUID(), institutionId: randomUUID(), deviceId: randomUUID() };
    const both = await Promise.allSettled([
      halves.create(fresh, { sizeBytes: 1 << 20, sha256: 'a'.repeat(64) }),
      halves.create(fresh, { sizeBytes: 1 << 20, sha256: 'a'.repeat(64) }),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('answers an expired link with 410, and the sweep deletes expired files and abandoned uploads', async () => {
    const done = await upload(bilal, randomBytes(5000), 1);
    const token = tokenOf(done.download!.path);
    const abandoned = await files.create(bilal, { sizeBytes: 4000, sha256: 'b'.repeat(64) });
    const usedBefore = await usedBytes(INST_A);
    clock += 86_400_000 + 1000; // a day later: past the file's retention and the upload's abandonment
    expect((await code(files.download(token, undefined))).code).toBe('file_gone');
    const swept = await sweep.sweep();
    expect(swept.deleted).toBeGreaterThanOrEqual(2);
    expect(await usedBytes(INST_A)).toBeLessThanOrEqual(usedBefore - 9000);
    expect((await readdir(dir)).filter((n) => n.startsWith(abandoned.id))).toEqual([]);
    expect((await code(files.download(token, undefined))).code).toBe('file_gone');
    clock += 31 * 86_400_000; // tombstones are purged after 30 days: the link is unknown then
    await sweep.sweep();
    expect((await code(files.download(token, undefined))).code).toBe('file_not_found');
  });

  it('lets the uploader replace a lost link, and the institution chat-admin delete (audited, in scope only)', async () => {
    const done = await upload(bilal, randomBytes(3000));
    const fresh = await files.newLink(bilal, done.id);
    expect((await code(files.download(tokenOf(done.download!.path), undefined))).code).toBe('file_not_found');
    await files.download(tokenOf(fresh.download!.path), undefined).then((d) => d.stream.destroy());
    expect((await code(files.removeAsAdmin(admin(INST_B), done.id, 'r'))).code).toBe('file_not_found');
    expect((await code(files.removeAsAdmin(admin(INST_A, ['viewer']), done.id, 'r'))).code).toBe('forbidden');
    await files.removeAsAdmin(admin(INST_A), done.id, 'r');
    expect((await code(files.download(tokenOf(fresh.download!.path), undefined))).code).toBe('file_gone');
    expect((await code(files.remove(bilal, done.id))).code).toBe('upload_not_found');
  });
});
