import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AuditService, platformDomain } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/files/blob-store.js';
import { ChunkUploadService } from '../../src/files/chunk-upload.service.js';
import { DiskBlobStore } from '../../src/files/disk-blob-store.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { FilesRepository } from '../../src/files/files.repository.js';
import { FilesService, type Uploader } from '../../src/files/files.service.js';
import { UPLOAD_MEDIA_TYPE } from '../../src/files/files-rules.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { FILES_TEST_CONFIG } from '../support/files-config.js';
import { codeOf } from '../support/app-error.js';

/*
 * An upload deleted (its DELETE, or the sweep) while its last chunk completes, between the steps of the
 * completion: the real services over a DiskBlobStore whose `complete` or `openRead` first lets the deletion
 * land (files.discard, what DELETE and the sweep run). Either way the PATCH is answered 410 file_gone.
 */

const amina: Uploader = { userId: 'amina', institutionId: randomUUID(), deviceId: 'dev-amina' };
const config = FILES_TEST_CONFIG;

let db: TestDatabase;
let dir: string;
let files: FilesService;
let chunks: ChunkUploadService;
let repo: FilesRepository;
/** Runs before the step it names, once: the deletion landing there. */
const before: { complete?: (id: string) => Promise<void>; openRead?: (id: string) => Promise<void> } = {};

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, secureChatDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-chat-file-races-'));
  repo = new FilesRepository(db.handle);
  const disk = new DiskBlobStore(dir);
  const blobs: BlobStore = {
    create: (id) => disk.create(id),
    append: (id, offset, source, limits) => disk.append(id, offset, source, limits),
    size: (id) => disk.size(id),
    complete: async (id) => {
      const hook = before.complete;
      before.complete = undefined;
      await hook?.(id);
      return disk.complete(id);
    },
    openRead: async (id, range) => {
      const hook = before.openRead;
      before.openRead = undefined;
      await hook?.(id);
      return disk.openRead(id, range);
    },
    delete: (id) => disk.delete(id),
  };
  files = new FilesService(
    repo,
    blobs,
    { ...config, dir },
    new AuditService(db.handle),
    new DeliveryRepository(db.handle),
  );
  chunks = new ChunkUploadService(files, repo, blobs);
});

afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const lastChunk = async () => {
  const bytes = randomBytes(1000);
  const u = await files.create(amina, { sizeBytes: bytes.length, sha256: sha(bytes) });
  const send = () =>
    chunks.append(
      amina,
      u.id,
      { contentType: UPLOAD_MEDIA_TYPE, uploadOffset: '0', contentLength: String(bytes.length) },
      Readable.from([bytes]),
    );
  return { id: u.id, send };
};
const deleteIt = async (id: string): Promise<void> => {
  await files.discard((await repo.byId(id))!);
};

describe('an upload deleted while its last chunk completes', () => {
  it('before it is sealed (the staged blob is gone): 410 file_gone, not a 500', async () => {
    const u = await lastChunk();
    before.complete = deleteIt;
    expect(await codeOf(u.send())).toMatchObject({ code: 'file_gone', status: 410 });
    expect((await repo.byId(u.id))?.state).toBe('deleted');
  });

  it('after it is sealed, before it is hashed (the sealed blob is gone): 410 file_gone', async () => {
    const u = await lastChunk();
    before.openRead = deleteIt;
    expect(await codeOf(u.send())).toMatchObject({ code: 'file_gone', status: 410 });
    expect((await repo.byId(u.id))?.state).toBe('deleted');
  });
});
