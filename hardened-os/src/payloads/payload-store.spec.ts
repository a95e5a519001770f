import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentUploadError } from '@pakawaaz/platform';
import { PayloadStore } from './payload-store.js';

let dir: string;
let store: PayloadStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-payloads-'));
  store = new PayloadStore(dir);
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

describe('the OTA payload store', () => {
  // FIPS 180-2 appendix B.1: SHA-256("abc").
  const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

  it('stores by SHA-256 computed while streaming (FIPS 180-2 vector), whatever the chunking', async () => {
    const stored = await store.put(chunks([Buffer.from('a'), Buffer.from('bc')]), {
      maxBytes: 10,
      declaredBytes: 3,
    });
    expect(stored).toEqual({ sha256: ABC, sizeBytes: 3, file: path.join(dir, ABC) });
    expect(await readFile(stored.file, 'utf8')).toBe('abc');
    expect(await readdir(dir)).toEqual([ABC]);
    expect(await store.exists(ABC)).toBe(true);
  });

  it('ends an upload that stops sending (idle) or trickles past its total time, and leaves no file', async () => {
    const stalled = new Readable({ read() {} });
    stalled.push(Buffer.from('P'));
    await expect(store.put(stalled, { maxBytes: 10, idleMs: 50 })).rejects.toMatchObject({
      reason: 'timeout',
    });
    const trickle = new Readable({ read() {} });
    const drip = setInterval(() => trickle.push(Buffer.from('x')), 10);
    try {
      await expect(
        store.put(trickle, { maxBytes: 1_000_000, idleMs: 50, totalMs: 120 }),
      ).rejects.toMatchObject({ reason: 'timeout' });
    } finally {
      clearInterval(drip);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('hashes a multi-megabyte payload as one digest of all its bytes', async () => {
    const parts = Array.from({ length: 40 }, (_, i) => Buffer.alloc(64 * 1024, i));
    const expected = createHash('sha256').update(Buffer.concat(parts)).digest('hex');
    expect((await store.put(chunks(parts), { maxBytes: 8 << 20 })).sha256).toBe(expected);
  });

  it('refuses a payload over the limit, declared or streamed, and leaves no file', async () => {
    await expect(
      store.put(chunks([Buffer.alloc(5)]), { maxBytes: 4, declaredBytes: 5 }),
    ).rejects.toMatchObject({
      reason: 'too_large',
      message: 'the payload is larger than the limit of 4 bytes', // payload_too_large's text, as before
    });
    await expect(
      store.put(chunks([Buffer.alloc(3), Buffer.alloc(3)]), { maxBytes: 4 }),
    ).rejects.toMatchObject({ reason: 'too_large' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a truncated upload (fewer bytes than declared, or an aborted stream) and leaves no file', async () => {
    await expect(
      store.put(chunks([Buffer.from('ab')]), { maxBytes: 10, declaredBytes: 3 }),
    ).rejects.toMatchObject({
      reason: 'truncated',
    });
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const err = await store
      .put(chunks([Buffer.from('ab')], aborted), { maxBytes: 10 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContentUploadError);
    expect((err as ContentUploadError).reason).toBe('truncated');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a payload whose digest is not the one the uploader declared', async () => {
    const abd = createHash('sha256').update('abd').digest('hex');
    await expect(
      store.put(chunks([Buffer.from('abd')]), { maxBytes: 10, expectedSha256: ABC }),
    ).rejects.toMatchObject({
      reason: 'digest_mismatch',
      message: `the payload's SHA-256 is ${abd}, not ${ABC} as declared`, // payload_digest_mismatch's text
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes the received file when it cannot be moved into place', async () => {
    await mkdir(path.join(dir, ABC, 'in-the-way'), { recursive: true }); // rename() cannot replace it
    await expect(store.put(chunks([Buffer.from('abc')]), { maxBytes: 10 })).rejects.toThrow();
    expect(await readdir(dir)).toEqual([ABC]);
  });

  it("removes temporary files a dead upload left, not a live upload's nor payloads", async () => {
    await store.put(chunks([Buffer.from('abc')]), { maxBytes: 10 });
    const dead = path.join(dir, '.upload-dead');
    const live = path.join(dir, '.upload-live');
    await writeFile(dead, 'partial');
    await writeFile(live, 'partial');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(dead, hourAgo, hourAgo);
    expect(await store.removeStaleTemps(600_000)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['.upload-live', ABC]);
    expect(await new PayloadStore(path.join(dir, 'none')).removeStaleTemps(0)).toBe(0);
  });
});
