import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Db } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import { ContentStore } from './content-store.js';
import { contentSweepIdleMs, sweepContentStore, type ContentStoreSweep } from './content-sweep.js';

// FIPS 180-2 appendix B.1: SHA-256("abc").
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const MINUTE = 60_000;

let dir: string;
let store: ContentStore;
let order: string[];
let logger: { info: ReturnType<typeof vi.fn>; warn: ReturnType<typeof vi.fn> };

/** A database whose transactions run at once and whose advisory lock is a no-op (no rows: isReferenced decides). */
const db = {
  transaction: (fn: (tx: unknown) => unknown) => fn(db),
  execute: () => Promise.resolve(),
} as unknown as Db;

async function aged(name: string, minutes: number): Promise<void> {
  const file = path.join(dir, name);
  await writeFile(file, 'x');
  const t = (Date.now() - minutes * MINUTE) / 1000;
  await utimes(file, t, t);
}

function sweep(over: Partial<ContentStoreSweep> = {}): ContentStoreSweep {
  const isReferenced = () => {
    order.push('orphans');
    return Promise.resolve(false);
  };
  return { db, store, isReferenced, uploadIdleMs: undefined, logger: logger as unknown as Logger, ...over };
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-sweep-'));
  store = new ContentStore({ dir, suffix: '.bin', noun: 'blob' });
  order = [];
  logger = { info: vi.fn(), warn: vi.fn() };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('contentSweepIdleMs', () => {
  it('is ten minutes, or the upload idle limit and a minute when that is longer', () => {
    expect(contentSweepIdleMs(undefined)).toBe(10 * MINUTE);
    expect(contentSweepIdleMs(5 * MINUTE)).toBe(10 * MINUTE);
    expect(contentSweepIdleMs(9 * MINUTE + 1)).toBe(10 * MINUTE + 1);
    expect(contentSweepIdleMs(30 * MINUTE)).toBe(31 * MINUTE);
  });
});

describe('sweepContentStore', () => {
  it('removes stale temporary files, then orphan files in the background, both at the stale time', async () => {
    await aged('.upload-dead', 32);
    await aged('.upload-live', 30);
    await aged(`${ABC}.bin`, 32);
    const temps = vi.spyOn(store, 'removeStaleTemps').mockImplementation(async function (
      this: ContentStore,
      ...a
    ) {
      const removed = await ContentStore.prototype.removeStaleTemps.apply(this, a);
      order.push('temps');
      return removed;
    });
    await sweepContentStore(sweep({ uploadIdleMs: 30 * MINUTE }));
    expect(temps).toHaveBeenCalledWith(31 * MINUTE);
    await vi.waitFor(() => expect(logger.info).toHaveBeenCalledTimes(2));
    expect(order).toEqual(['temps', 'orphans', 'orphans']); // a plain read, then the check under the lock
    expect((await readdir(dir)).sort()).toEqual(['.upload-live']);
    expect(logger.info).toHaveBeenCalledWith({ removed: 1, kind: 'blob' }, 'leftover upload files removed');
  });

  it('spares orphan files younger than the stale time', async () => {
    await aged(`${ABC}.bin`, 30);
    await sweepContentStore(sweep({ uploadIdleMs: 30 * MINUTE }));
    await new Promise((r) => setTimeout(r, 50));
    expect(await readdir(dir)).toEqual([`${ABC}.bin`]);
  });

  it('logs a failing temp sweep, goes on, and still sweeps orphans', async () => {
    await aged(`${ABC}.bin`, 20);
    vi.spyOn(store, 'removeStaleTemps').mockRejectedValue(new Error('EACCES'));
    await expect(sweepContentStore(sweep())).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ kind: 'blob' }),
      'removing leftover upload files failed',
    );
    await vi.waitFor(async () => expect(await readdir(dir)).toEqual([]));
  });

  it('never rejects when the orphan sweep fails', async () => {
    await aged(`${ABC}.bin`, 20);
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const isReferenced = () => Promise.reject(new Error('database down'));
      await sweepContentStore(sweep({ isReferenced }));
      await vi.waitFor(() => expect(logger.warn).toHaveBeenCalledTimes(1));
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).not.toHaveBeenCalled();
      expect(await readdir(dir)).toEqual([`${ABC}.bin`]);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
