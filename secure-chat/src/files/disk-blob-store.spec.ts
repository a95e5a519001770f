import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { syncFile, syncFolder } from '@pakawaaz/platform';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BlobAppendError } from './blob-store.js';
import { DiskBlobStore } from './disk-blob-store.js';

vi.mock('@pakawaaz/platform', async (actual) => {
  const real = await actual<typeof import('@pakawaaz/platform')>();
  return { ...real, syncFile: vi.fn(real.syncFile), syncFolder: vi.fn(real.syncFolder) };
});

let dir: string;
let store: DiskBlobStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-blobs-'));
  store = new DiskBlobStore(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const from = (s: string) => Readable.from([Buffer.from(s)]);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err as BlobAppendError,
  );

describe('DiskBlobStore (the BlobStore contract on a folder)', () => {
  it('appends at the staged size, seals, and reads whole or by range', async () => {
    const id = randomUUID();
    await store.create(id);
    expect(await store.append(id, 0, from('hello '), { maxBytes: 100 })).toBe(6);
    expect(await store.append(id, 6, from('world'), { maxBytes: 100 })).toBe(11);
    expect(await store.openRead(id)).toBeNull(); // staged blobs are not readable
    await store.complete(id);
    await store.complete(id); // sealing twice is a no-op
    expect(await text((await store.openRead(id))!)).toBe('hello world');
    expect(await text((await store.openRead(id, { start: 6, end: 10 }))!)).toBe('world');
    expect(await store.size(id)).toBe(11);
    expect((await stat(path.join(dir, id))).mode & 0o777).toBe(0o600);
  });

  it('fsyncs the folder once a staged blob is created (the upload is acknowledged next)', async () => {
    const id = randomUUID();
    vi.mocked(syncFolder).mockClear();
    vi.mocked(syncFolder).mockImplementationOnce(async (folder) => {
      expect(await readdir(folder)).toEqual([`${id}.part`]); // after the file is created, not before
    });
    await store.create(id);
    expect(syncFolder).toHaveBeenCalledExactlyOnceWith(dir);
  });

  it('refuses an offset other than the staged size and writes nothing', async () => {
    const id = randomUUID();
    await store.create(id);
    await store.append(id, 0, from('abc'), { maxBytes: 100 });
    const err = await failure(store.append(id, 1, from('XYZ'), { maxBytes: 100 }));
    expect([err.reason, err.size]).toEqual(['offset_mismatch', 3]);
    await store.complete(id);
    expect(await text((await store.openRead(id))!)).toBe('abc');
  });

  it('keeps the bytes of a stream that breaks off, and says how many', async () => {
    const id = randomUUID();
    await store.create(id);
    const source = new PassThrough();
    const pending = failure(store.append(id, 0, source, { maxBytes: 1 << 20 }));
    source.write(randomBytes(4096));
    await new Promise((r) => setTimeout(r, 50));
    vi.mocked(syncFile).mockClear();
    source.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    const err = await pending;
    expect(err.reason).toBe('interrupted');
    expect(err.size).toBe(4096);
    expect(await store.size(id)).toBe(4096);
    // The answer says "resume from 4096": those bytes were fsynced first (the write stream's flush does not
    // run when the stream is destroyed).
    expect(syncFile).toHaveBeenCalledExactlyOnceWith(path.join(dir, `${id}.part`));
  });

  it('cuts a stream past its limit, and ends one that idles', async () => {
    const id = randomUUID();
    await store.create(id);
    const big = await failure(store.append(id, 0, from('x'.repeat(50)), { maxBytes: 10 }));
    expect(big.reason).toBe('too_large');
    expect(big.size).toBeLessThanOrEqual(10);
    const at = big.size;
    const idle = new PassThrough();
    idle.write('y');
    const err = await failure(store.append(id, at, idle, { maxBytes: 10, idleMs: 50 }));
    expect(err.reason).toBe('timeout');
  });

  it('ends a chunk that keeps trickling past its total time, keeping what arrived', async () => {
    const id = randomUUID();
    await store.create(id);
    const trickle = new PassThrough();
    const drip = setInterval(() => trickle.write('z'), 20);
    const started = Date.now();
    const err = await failure(store.append(id, 0, trickle, { maxBytes: 1000, idleMs: 1000, totalMs: 200 }));
    clearInterval(drip);
    expect(err.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err.size).toBeGreaterThan(0);
    expect(await store.size(id)).toBe(err.size);
  });

  it("takes a limit beyond a timer's range as its longest delay, not as none (Node fires those at once)", async () => {
    const id = randomUUID();
    await store.create(id);
    const late = new PassThrough();
    setTimeout(() => late.end('abc'), 50);
    const limits = { maxBytes: 10, idleMs: 2 ** 32, totalMs: 2 ** 32 };
    expect(await store.append(id, 0, late, limits)).toBe(3);
  });

  it('deletes staged and sealed blobs, and an unknown id is not an error', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await store.create(a);
    await store.create(b);
    await store.complete(b);
    await store.delete(a);
    await store.delete(b);
    await store.delete(randomUUID());
    expect(await readdir(dir)).toEqual([]);
    expect(await store.size(a)).toBeNull();
    await expect(store.create('../escape')).rejects.toThrow('not a blob id');
  });
});
