import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentUploadError } from '@pakawaaz/platform';
import { ApkBlobStore } from './apk-blob-store.js';

let dir: string;
let store: ApkBlobStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-apks-'));
  store = new ApkBlobStore(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function chunks(parts: Buffer[], failAfter?: Error): Readable {
  return Readable.from(
    (function* () {
      for (const p of parts) yield p;
      if (failAfter) throw failAfter;
    })(),
  );
}

// FIPS 180-2 appendix B.1: SHA-256("abc").
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('the APK blob store', () => {
  it('ends an upload that stops sending (idle) or trickles past its total time, and leaves no file', async () => {
    // A client that sends a byte and then nothing: the stream never ends by itself.
    const stalled = new Readable({ read() {} });
    stalled.push(Buffer.from('P'));
    const idle = await store.receive(stalled, { maxBytes: 10, idleMs: 50 }).catch((e: unknown) => e);
    expect(idle).toBeInstanceOf(ContentUploadError);
    expect((idle as ContentUploadError).reason).toBe('timeout');
    expect(await readdir(dir)).toEqual([]);
    // A byte every 10 ms never idles for 50 ms, but overruns a 120 ms total.
    const trickle = new Readable({ read() {} });
    const drip = setInterval(() => trickle.push(Buffer.from('x')), 10);
    try {
      const slow = await store
        .receive(trickle, { maxBytes: 1_000_000, idleMs: 50, totalMs: 120 })
        .catch((e: unknown) => e);
      expect((slow as ContentUploadError).reason).toBe('timeout');
    } finally {
      clearInterval(drip);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('hashes while streaming (FIPS 180-2 vector) and keeps the bytes in a temporary file until committed', async () => {
    const received = await store.receive(chunks([Buffer.from('a'), Buffer.from('bc')]), {
      maxBytes: 10,
      declaredBytes: 3,
    });
    expect(received).toMatchObject({ sha256: ABC, sizeBytes: 3 });
    expect(await readdir(dir)).toEqual([path.basename(received.temp)]);
    const file = await store.commit(received);
    expect(file).toBe(path.join(dir, `${ABC}.apk`));
    expect(await readFile(file, 'utf8')).toBe('abc');
    expect(await readdir(dir)).toEqual([`${ABC}.apk`]);
  });

  it('leaves nothing when a received upload is discarded (a refusal after inspection)', async () => {
    await store.discard(await store.receive(chunks([Buffer.from('abc')]), { maxBytes: 10 }));
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an upload over the cap, declared (before reading) or counted, and leaves no file', async () => {
    await expect(
      store.receive(chunks([Buffer.alloc(5)]), { maxBytes: 4, declaredBytes: 5 }),
    ).rejects.toMatchObject({
      reason: 'too_large',
      message: 'the APK is larger than the limit of 4 bytes', // apk_too_large's text, as before
    });
    await expect(
      store.receive(chunks([Buffer.alloc(3), Buffer.alloc(3)]), { maxBytes: 4 }),
    ).rejects.toMatchObject({
      reason: 'too_large',
    });
    // The stream lied about its length: the count, not the header, decides.
    await expect(
      store.receive(chunks([Buffer.alloc(3), Buffer.alloc(3)]), { maxBytes: 4, declaredBytes: 3 }),
    ).rejects.toMatchObject({ reason: 'too_large' });
    expect(await readdir(dir).catch(() => [])).toEqual([]);
  });

  it('refuses a truncated upload (fewer bytes than declared, or an aborted stream)', async () => {
    await expect(
      store.receive(chunks([Buffer.from('ab')]), { maxBytes: 10, declaredBytes: 3 }),
    ).rejects.toMatchObject({ reason: 'truncated' });
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const err = await store
      .receive(chunks([Buffer.from('ab')], aborted), { maxBytes: 10 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContentUploadError);
    expect((err as ContentUploadError).reason).toBe('truncated');
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes stale temporary files only', async () => {
    await store.commit(await store.receive(chunks([Buffer.from('abc')]), { maxBytes: 10 }));
    const dead = path.join(dir, '.upload-dead');
    await writeFile(dead, 'partial');
    await writeFile(path.join(dir, '.upload-live'), 'partial');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(dead, hourAgo, hourAgo);
    expect(await store.removeStaleTemps(600_000)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['.upload-live', `${ABC}.apk`]);
  });
});
