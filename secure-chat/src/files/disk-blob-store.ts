import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isStreamAbort, MAX_TIMER_MS, syncFile, syncFolder } from '@pakawaaz/platform';
import { BlobAppendError, type AppendLimits, type BlobRange, type BlobStore } from './blob-store.js';

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STAGED = '.part';

/**
 * The BlobStore on a local folder (by default `<data>/chat-files`, mode 0700): `<id>.part` while staged,
 * `<id>` once sealed (a rename, then an fsync of the folder). Blobs are named by id, not by SHA-256 like the
 * APK and OTA stores: ciphertext under a fresh key per file never repeats, so content addressing would
 * deduplicate nothing, and one name per file makes deletion and quota accounting exact.
 */
export class DiskBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  private file(id: string, staged: boolean): string {
    if (!ID.test(id)) throw new Error('not a blob id');
    return path.join(this.dir, staged ? `${id}${STAGED}` : id);
  }

  async create(id: string): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const handle = await open(this.file(id, true), 'wx', 0o600);
    await handle.close();
    // The new name is durable before the upload is acknowledged: a crash must not lose an upload it announced.
    await syncFolder(this.dir);
  }

  async append(id: string, offset: number, source: Readable, limits: AppendLimits): Promise<number> {
    const file = this.file(id, true);
    const before = await sizeOf(file);
    if (before === null) {
      source.resume();
      throw new BlobAppendError('not_found', 0, 'no such upload');
    }
    if (before !== offset) {
      source.resume();
      throw new BlobAppendError('offset_mismatch', before, `the upload holds ${before} bytes`);
    }
    let written = 0;
    // The meter, not the source: a request destroyed before its body ended takes its socket with it, and the
    // client would get a reset instead of the answer that says where to resume.
    const timer = (ms: number | undefined, what: string) =>
      ms === undefined
        ? undefined
        : setTimeout(
            () => meter.destroy(new BlobAppendError('timeout', 0, what)),
            Math.min(ms, MAX_TIMER_MS),
          ).unref();
    const idle = timer(limits.idleMs, `nothing arrived for ${limits.idleMs} ms`);
    const total = timer(limits.totalMs, `the chunk took longer than ${limits.totalMs} ms`);
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        idle?.refresh();
        // Up to the limit is kept (those bytes are at their right offsets); beyond it the stream is cut.
        const room = limits.maxBytes - written;
        if (chunk.length > room) {
          written += room;
          if (room > 0) this.push(chunk.subarray(0, room));
          return done(new BlobAppendError('too_large', 0, `more than ${limits.maxBytes} bytes`));
        }
        written += chunk.length;
        done(null, chunk);
      },
    });
    // flush: the bytes reach the disk before the offset is acknowledged (a crash never loses an acked byte).
    const sink = createWriteStream(file, { flags: 'r+', start: offset, flush: true });
    try {
      await pipeline(source, meter, sink);
      return offset + written;
    } catch (err) {
      // A stopped chunk's answer acknowledges what arrived too ("resume from N"): its last write done, those
      // bytes are fsynced before they are counted (flush covers a stream that ends, not one destroyed).
      if (!sink.closed) await once(sink, 'close').catch(() => undefined);
      const now = (await syncedSize(file)) ?? 0;
      if (err instanceof BlobAppendError) throw new BlobAppendError(err.reason, now, err.message);
      if (isStreamAbort(err)) throw new BlobAppendError('interrupted', now, 'the client stopped sending');
      throw err;
    } finally {
      clearTimeout(idle);
      clearTimeout(total);
    }
  }

  async size(id: string): Promise<number | null> {
    return (await sizeOf(this.file(id, true))) ?? (await sizeOf(this.file(id, false)));
  }

  async complete(id: string): Promise<void> {
    const sealed = this.file(id, false);
    // Sealing a sealed blob is a no-op (the caller may retry after a crash between sealing and recording it).
    if ((await sizeOf(this.file(id, true))) === null && (await sizeOf(sealed)) !== null) return;
    await rename(this.file(id, true), sealed).catch((err: unknown) => {
      // Deleted meanwhile (its DELETE, or the sweep): there is nothing to seal.
      if ((err as { code?: unknown }).code === 'ENOENT')
        throw new BlobAppendError('not_found', 0, 'no such blob');
      throw err;
    });
    await syncFolder(this.dir);
  }

  async openRead(id: string, range?: BlobRange): Promise<Readable | null> {
    const handle = await open(this.file(id, false), 'r').catch((err: unknown) => {
      if ((err as { code?: unknown }).code === 'ENOENT') return null;
      throw err;
    });
    if (!handle) return null;
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async delete(id: string): Promise<void> {
    await rm(this.file(id, true), { force: true });
    await rm(this.file(id, false), { force: true });
  }
}

async function sizeOf(file: string): Promise<number | null> {
  return stat(file).then(
    (s) => s.size,
    (err: unknown) => {
      if ((err as { code?: unknown }).code === 'ENOENT') return null;
      throw err;
    },
  );
}

/** The size of a staged blob once its bytes are on disk, or null when it was deleted meanwhile. */
async function syncedSize(file: string): Promise<number | null> {
  try {
    await syncFile(file);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return null;
    throw err;
  }
  return sizeOf(file);
}
