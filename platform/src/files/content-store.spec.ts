import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ContentStore, ContentUploadError, uploadTimeLimitMs } from './content-store.js';
import { syncFolder } from './stream-files.js';

vi.mock('node:fs', async (actual) => {
  const real = await actual<typeof import('node:fs')>();
  return { ...real, createWriteStream: vi.fn(real.createWriteStream) };
});
vi.mock('./stream-files.js', async (actual) => {
  const real = await actual<typeof import('./stream-files.js')>();
  return { ...real, syncFolder: vi.fn(real.syncFolder) };
});

// FIPS 180-2 appendix B.1: SHA-256("abc").
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

let dir: string;
let store: ContentStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-content-'));
  store = new ContentStore({ dir, suffix: '.bin', noun: 'blob' });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const from = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('the upload was accepted'),
    (e: unknown) => {
      expect(e).toBeInstanceOf(ContentUploadError);
      return e as ContentUploadError;
    },
  );

describe('the content-addressed store', () => {
  it('names files by digest and suffix (".apk" and "" keep existing folders valid)', async () => {
    expect(store.fileOf(ABC)).toBe(path.join(dir, `${ABC}.bin`));
    expect(new ContentStore({ dir, suffix: '', noun: 'payload' }).fileOf(ABC)).toBe(path.join(dir, ABC));
    expect(() => store.fileOf('../etc/passwd')).toThrow('not a SHA-256 digest');
    expect(() => store.fileOf(ABC.toUpperCase())).toThrow('not a SHA-256 digest');
    await store.commit(await store.receive(from('abc'), { maxBytes: 10 }));
    expect(await readdir(dir)).toEqual([`${ABC}.bin`]);
  });

  it('makes a file visible under its digest only once committed (rename), then reads it back', async () => {
    const received = await store.receive(from('a', 'bc'), { maxBytes: 10, declaredBytes: 3 });
    expect(received).toMatchObject({ sha256: ABC, sizeBytes: 3 });
    expect(path.dirname(received.temp)).toBe(dir); // same folder: the rename is atomic
    expect(path.basename(received.temp)).toMatch(/^\.upload-/); // a temp name removeStaleTemps knows
    expect(await readFile(received.temp, 'utf8')).toBe('abc');
    expect(await store.exists(ABC)).toBe(false);
    expect(await store.sizeOf(ABC)).toBeUndefined();
    expect(await store.openRead(ABC)).toBeNull();
    expect(await store.commit(received)).toBe(store.fileOf(ABC));
    expect(await readdir(dir)).toEqual([`${ABC}.bin`]);
    expect(await store.exists(ABC)).toBe(true);
    expect(await store.sizeOf(ABC)).toBe(3);
    const handle = (await store.openRead(ABC))!;
    try {
      expect(await handle.readFile('utf8')).toBe('abc');
    } finally {
      await handle.close();
    }
    await store.remove(ABC);
    expect(await readdir(dir)).toEqual([]);
  });

  it('fsyncs the file as it is written, and the folder once the file is renamed into place', async () => {
    const received = await store.receive(from('abc'), { maxBytes: 10 });
    // flush: the write stream fsyncs before it closes, so the rename never publishes unsynced bytes.
    expect(createWriteStream).toHaveBeenLastCalledWith(
      received.temp,
      expect.objectContaining({ flush: true }),
    );
    vi.mocked(syncFolder).mockClear();
    vi.mocked(syncFolder).mockImplementationOnce(async (folder) => {
      expect(await readdir(folder)).toEqual([`${ABC}.bin`]); // after the rename, not before
    });
    await store.commit(received);
    expect(syncFolder).toHaveBeenCalledExactlyOnceWith(dir);
  });

  it('leaves nothing when a received upload is discarded', async () => {
    await store.discard(await store.receive(from('abc'), { maxBytes: 10 }));
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a declared length over the cap before reading, and creates nothing', async () => {
    const fresh = new ContentStore({ dir: path.join(dir, 'fresh'), suffix: '.bin', noun: 'blob' });
    const e = await refusal(fresh.receive(from('abcde'), { maxBytes: 4, declaredBytes: 5 }));
    expect(e.reason).toBe('too_large');
    expect(e.message).toBe('the blob is larger than the limit of 4 bytes');
    expect(await readdir(dir)).toEqual([]); // not even its folder: refused before a temp file was made
  });

  it('stops the source at the cap while reading (never reads it to the end) and leaves no file', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled += 1;
        this.push(Buffer.alloc(1024));
      },
    });
    // It lied about its length: the count, not the header, decides.
    const e = await refusal(store.receive(endless, { maxBytes: 4096, declaredBytes: 4000 }));
    expect(e.reason).toBe('too_large');
    expect(endless.destroyed).toBe(true);
    const atRefusal = pulled;
    await new Promise((r) => setTimeout(r, 50));
    expect(pulled).toBe(atRefusal); // nothing read after the refusal
    // Read no further than the cap plus what the streams buffer ahead (about 16 KiB each): not to the end.
    expect(pulled).toBeLessThan(256);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a truncated upload (fewer bytes than declared, or an aborted stream) and leaves no file', async () => {
    const short = await refusal(store.receive(from('ab'), { maxBytes: 10, declaredBytes: 3 }));
    expect(short.reason).toBe('truncated');
    expect(short.message).toBe('the upload ended after 2 of 3 bytes; send it again');
    const aborted = Readable.from(
      (function* () {
        yield Buffer.from('ab');
        throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
      })(),
    );
    expect((await refusal(store.receive(aborted, { maxBytes: 10 }))).reason).toBe('truncated');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses bytes whose digest is not the one declared, and accepts the declared one', async () => {
    const e = await refusal(store.receive(from('abd'), { maxBytes: 10, expectedSha256: ABC }));
    expect(e.reason).toBe('digest_mismatch');
    expect(e.message).toMatch(/^the blob's SHA-256 is [0-9a-f]{64}, not ba7816bf/);
    expect(await readdir(dir)).toEqual([]);
    const ok = await store.receive(from('abc'), { maxBytes: 10, expectedSha256: ABC });
    expect(ok.sha256).toBe(ABC);
  });

  it('ends an upload that sends nothing for idleMs, stops its source and leaves no file', async () => {
    const stalled = new Readable({ read() {} });
    stalled.push(Buffer.from('P'));
    const started = Date.now();
    const e = await refusal(store.receive(stalled, { maxBytes: 10, idleMs: 50 }));
    expect(e.reason).toBe('timeout');
    expect(e.message).toBe('the upload sent nothing for 50 ms; nothing was stored');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(stalled.destroyed).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('ends an upload that trickles past totalMs though it never idles, and leaves no file', async () => {
    // A byte every 10 ms never idles for 50 ms, but overruns a 150 ms total.
    const trickle = new Readable({ read() {} });
    const drip = setInterval(() => trickle.push(Buffer.from('x')), 10);
    try {
      const e = await refusal(store.receive(trickle, { maxBytes: 1_000_000, idleMs: 50, totalMs: 150 }));
      expect(e.reason).toBe('timeout');
      expect(e.message).toBe('the upload took longer than 150 ms; nothing was stored');
    } finally {
      clearInterval(drip);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('never asks a timer for longer than it can wait (a longer delay would fire at once)', async () => {
    // 4 GiB at 1 KiB/s is 48 days: a Node timer of more than 2^31 - 1 ms fires after 1 ms instead.
    expect(uploadTimeLimitMs(4 * 1024 ** 3, 1024)).toBe(2 ** 31 - 1);
    const slow = new Readable({ read() {} });
    slow.push(Buffer.from('x'));
    const receiving = store.receive(slow, { maxBytes: 10, totalMs: 3 * 2 ** 31, idleMs: 5 * 2 ** 31 });
    await new Promise((r) => setTimeout(r, 100));
    slow.push(null);
    expect((await receiving).sizeBytes).toBe(1);
  });

  it('removes stale temporary files only: not a live upload, not a stored file', async () => {
    await store.commit(await store.receive(from('abc'), { maxBytes: 10 }));
    const dead = path.join(dir, '.upload-dead');
    await writeFile(dead, 'partial');
    await writeFile(path.join(dir, '.upload-live'), 'partial');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(dead, hourAgo, hourAgo);
    await utimes(store.fileOf(ABC), hourAgo, hourAgo);
    expect(await store.removeStaleTemps(600_000)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['.upload-live', `${ABC}.bin`]);
    const none = new ContentStore({ dir: path.join(dir, 'none'), suffix: '', noun: 'x' });
    expect(await none.removeStaleTemps(0)).toBe(0);
  });

  it('gives an upload a minute plus the cap at the slowest rate accepted', () => {
    expect(uploadTimeLimitMs(512 * 1024 ** 2, 256 * 1024)).toBe(60_000 + 2048_000);
    expect(uploadTimeLimitMs(1000, 3000)).toBe(60_334);
  });
});
