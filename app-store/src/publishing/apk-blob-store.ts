import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { discardWritten } from '@pakawaaz/platform';

/** Why an upload was refused while it was read; nothing is left on disk. */
export class ApkUploadError extends Error {
  constructor(
    readonly reason: 'too_large' | 'truncated' | 'timeout',
    message: string,
  ) {
    super(message);
  }
}

/** An upload read to its end and hashed, still in its temporary file: `commit` or `discard` it. */
export type ReceivedApk = { sha256: string; sizeBytes: number; temp: string };

export type UploadLimits = {
  maxBytes: number;
  /** Content-Length the client declared, when it did: fewer bytes than this is a truncated upload. */
  declaredBytes?: number | undefined;
  /** No byte for this long ends the upload (a client trickling bytes would hold a slot for ever). */
  idleMs?: number | undefined;
  /** The whole upload must arrive within this long. */
  totalMs?: number | undefined;
};

const TEMP_PREFIX = '.upload-';

/**
 * APKs under one folder, content-addressed: `<dir>/<sha256>.apk`. An upload is streamed into a temporary file
 * in the same folder, counted (the cap is checked as the bytes arrive, never after) and hashed; the
 * inspector reads that temporary file, and only an upload that passes every check is fsynced into place by a
 * rename (atomic on one file system, and durable once the folder is fsynced too: a crash never leaves a
 * half-written APK under a digest name). A refused upload is removed.
 */
export class ApkBlobStore {
  constructor(private readonly dir: string) {}

  fileOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a SHA-256 digest');
    return path.join(this.dir, `${sha256}.apk`);
  }

  async receive(source: Readable, limits: UploadLimits): Promise<ReceivedApk> {
    if (limits.declaredBytes !== undefined && limits.declaredBytes > limits.maxBytes) {
      source.resume();
      throw tooLarge(limits.maxBytes);
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = path.join(this.dir, `${TEMP_PREFIX}${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    // Slowloris-style uploads (a few bytes now and then) hold a socket, a temp file and an upload slot: the
    // stream is destroyed when it idles or overruns its total time, and the pipeline ends in that error.
    const expire = (what: string) => () =>
      source.destroy(new ApkUploadError('timeout', `the upload ${what}; nothing was stored`));
    const timer = (ms: number | undefined, what: string) =>
      ms === undefined ? undefined : setTimeout(expire(what), ms).unref();
    const total = timer(limits.totalMs, `took longer than ${limits.totalMs} ms`);
    const idle = timer(limits.idleMs, `sent nothing for ${limits.idleMs} ms`);
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        idle?.refresh();
        size += chunk.length;
        if (size > limits.maxBytes) return done(tooLarge(limits.maxBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // flush: the data reaches the disk before the descriptor is closed (fsync), so the rename in commit() never
    // publishes a name whose bytes are still only in the page cache. The stream is kept to wait for: a failed
    // upload's temp file removed before the stream lets go of it could be left behind (discardWritten).
    const sink = createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true });
    try {
      await pipeline(source, meter, sink);
      if (limits.declaredBytes !== undefined && size !== limits.declaredBytes)
        throw new ApkUploadError(
          'truncated',
          `the upload ended after ${size} of ${limits.declaredBytes} bytes; send it again`,
        );
      return { sha256: hash.digest('hex'), sizeBytes: size, temp };
    } catch (err) {
      await discardWritten(sink, temp);
      if (err instanceof ApkUploadError) throw err;
      // A client that hangs up mid-body surfaces as a stream error ('aborted', ECONNRESET): a truncated upload.
      if (isAbort(err))
        throw new ApkUploadError('truncated', 'the upload was interrupted; nothing was stored');
      throw err;
    } finally {
      clearTimeout(total);
      clearTimeout(idle);
    }
  }

  /** Moves an accepted upload into place and returns its path. The same bytes twice make one file. */
  async commit(received: ReceivedApk): Promise<string> {
    const file = this.fileOf(received.sha256);
    await rename(received.temp, file);
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return file;
  }

  async discard(received: ReceivedApk): Promise<void> {
    await rm(received.temp, { force: true });
  }

  /** Removes a stored APK no version refers to any more (best effort). */
  async remove(sha256: string): Promise<void> {
    await rm(this.fileOf(sha256), { force: true });
  }

  /** Removes temporary files of uploads that died with their process, untouched for `idleMs`. */
  async removeStaleTemps(idleMs: number, now: number = Date.now()): Promise<number> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names.filter((n) => n.startsWith(TEMP_PREFIX))) {
      const file = path.join(this.dir, name);
      const s = await stat(file).catch(() => null);
      if (!s || now - s.mtimeMs < idleMs) continue;
      await rm(file, { force: true });
      removed += 1;
    }
    return removed;
  }
}

const tooLarge = (max: number) =>
  new ApkUploadError('too_large', `the APK is larger than the limit of ${max} bytes`);

function isAbort(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || message === 'aborted';
}
