import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { discardWritten } from './discard-written.js';
import { isStreamAbort, syncFolder } from './stream-files.js';

export type ContentUploadRefusal = 'too_large' | 'truncated' | 'timeout' | 'digest_mismatch';

/** Why an upload was refused while it was read; nothing of it is left on disk. Domains map the reason to 4xx. */
export class ContentUploadError extends Error {
  constructor(
    readonly reason: ContentUploadRefusal,
    message: string,
  ) {
    super(message);
  }
}

export type ContentStoreOptions = {
  dir: string;
  /** After the digest in a file's name: '.apk' makes `<sha256>.apk`, '' makes `<sha256>`. Fixed for a folder. */
  suffix: string;
  /** What the files are, in refusals ("the APK is larger than the limit of … bytes"). */
  noun: string;
};

export type ReceiveLimits = {
  maxBytes: number;
  /** Content-Length the client declared, when it did: fewer bytes than this is a truncated upload. */
  declaredBytes?: number | undefined;
  /** SHA-256 the client expects (lower-case hex): a different digest is refused. */
  expectedSha256?: string | undefined;
  /** No byte for this long ends the upload (a client trickling bytes would hold a slot for ever). */
  idleMs?: number | undefined;
  /** The whole upload must arrive within this long. */
  totalMs?: number | undefined;
};

/** An upload read to its end and hashed, still in its temporary file: `commit` or `discard` it. */
export type ReceivedContent = { sha256: string; sizeBytes: number; temp: string };

/** The longest delay a Node timer takes: a longer one fires at once (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * An upload's whole time limit: a minute plus the size cap at the slowest rate accepted, at most a timer's
 * longest delay (about 24.8 days).
 */
export const uploadTimeLimitMs = (maxBytes: number, minBytesPerSecond: number): number =>
  Math.min(MAX_TIMER_MS, 60_000 + Math.ceil((maxBytes / minBytesPerSecond) * 1000));

const TEMP_PREFIX = '.upload-';
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Files under one folder named by their SHA-256 (the APKs, the OTA payloads). An upload is streamed into a
 * temporary file in the same folder, counted (the cap is checked as the bytes arrive, and the source is
 * stopped there, never read to its end) and hashed as it streams; an idle or overlong upload is ended. The
 * caller inspects the temporary file if it must, then `commit`s it: the file is fsynced, renamed into place
 * (atomic on one file system) and the folder fsynced, so a crash never leaves a zero-length or partial file
 * under a digest name. A refused or discarded upload leaves nothing behind.
 */
export class ContentStore {
  readonly dir: string;
  private readonly suffix: string;
  private readonly noun: string;

  constructor(options: ContentStoreOptions) {
    this.dir = options.dir;
    this.suffix = options.suffix;
    this.noun = options.noun;
  }

  /** What kind of store this is (its noun): the digest locks of content-guard.ts are per kind. */
  get kind(): string {
    return this.noun;
  }

  /** The digest a stored file's name carries, or undefined for any other name (a temporary file). */
  digestOf(name: string): string | undefined {
    if (!name.endsWith(this.suffix)) return undefined;
    const sha256 = name.slice(0, name.length - this.suffix.length);
    return SHA256.test(sha256) ? sha256 : undefined;
  }

  fileOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error('not a SHA-256 digest');
    return path.join(this.dir, `${sha256}${this.suffix}`);
  }

  /** The stored file's size, or undefined when there is none under this digest. */
  async sizeOf(sha256: string): Promise<number | undefined> {
    return stat(this.fileOf(sha256)).then(
      (s) => s.size,
      () => undefined,
    );
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.sizeOf(sha256)) !== undefined;
  }

  /** The stored file opened for reading (the caller closes it), or null when there is none. */
  async openRead(sha256: string): Promise<FileHandle | null> {
    return open(this.fileOf(sha256), 'r').catch((err: unknown) => {
      if ((err as { code?: unknown }).code === 'ENOENT') return null;
      throw err;
    });
  }

  /**
   * The stored file opened for reading with its size taken from the open handle (the caller closes it), or
   * null when there is none. Opened once: a removal after the open cannot shorten what the handle reads, and
   * one before it is a plain null, never a size that no longer matches the bytes.
   */
  async openSized(sha256: string): Promise<{ handle: FileHandle; size: number } | null> {
    const handle = await this.openRead(sha256);
    if (!handle) return null;
    try {
      const { size } = await handle.stat();
      return { handle, size };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async receive(source: Readable, limits: ReceiveLimits): Promise<ReceivedContent> {
    if (limits.declaredBytes !== undefined && limits.declaredBytes > limits.maxBytes) {
      source.resume(); // drained, so that the connection can answer
      throw this.tooLarge(limits.maxBytes);
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = path.join(this.dir, `${TEMP_PREFIX}${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    // Slowloris-style uploads (a few bytes now and then) hold a socket, a temp file and an upload slot: the
    // meter is destroyed when the upload idles or overruns its total time, and the pipeline ends in that error.
    // The meter, not the source: a request destroyed before its body ended takes its socket with it, and the
    // client would get a reset instead of the 4xx that says why.
    const timer = (ms: number | undefined, what: string) =>
      ms === undefined
        ? undefined
        : setTimeout(
            () => meter.destroy(new ContentUploadError('timeout', `the upload ${what}; nothing was stored`)),
            Math.min(ms, MAX_TIMER_MS),
          ).unref();
    const total = timer(limits.totalMs, `took longer than ${limits.totalMs} ms`);
    const idle = timer(limits.idleMs, `sent nothing for ${limits.idleMs} ms`);
    const meter = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        idle?.refresh();
        size += chunk.length;
        if (size > limits.maxBytes) return done(this.tooLarge(limits.maxBytes));
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
        throw new ContentUploadError(
          'truncated',
          `the upload ended after ${size} of ${limits.declaredBytes} bytes; send it again`,
        );
      const sha256 = hash.digest('hex');
      if (limits.expectedSha256 !== undefined && limits.expectedSha256 !== sha256)
        throw new ContentUploadError(
          'digest_mismatch',
          `the ${this.noun}'s SHA-256 is ${sha256}, not ${limits.expectedSha256} as declared`,
        );
      return { sha256, sizeBytes: size, temp };
    } catch (err) {
      await discardWritten(sink, temp);
      if (err instanceof ContentUploadError) throw err;
      if (isStreamAbort(err))
        throw new ContentUploadError('truncated', 'the upload was interrupted; nothing was stored');
      throw err;
    } finally {
      clearTimeout(total);
      clearTimeout(idle);
    }
  }

  /**
   * Moves an accepted upload into place (its bytes were fsynced when it was received), fsyncs the folder and
   * returns the file's path. The same bytes twice make one file.
   */
  async commit(received: ReceivedContent): Promise<string> {
    const file = this.fileOf(received.sha256);
    await rename(received.temp, file);
    await syncFolder(this.dir);
    return file;
  }

  async discard(received: ReceivedContent): Promise<void> {
    await rm(received.temp, { force: true });
  }

  /** Removes a stored file nothing refers to any more (best effort). */
  async remove(sha256: string): Promise<void> {
    await rm(this.fileOf(sha256), { force: true });
  }

  /**
   * Removes temporary files of uploads that died with their process (a crash mid-upload), untouched for
   * `idleMs`: an upload in progress (possibly another node's, when the folder is shared) writes its file all
   * the time and is left alone. Returns how many were removed.
   */
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

  private tooLarge(max: number): ContentUploadError {
    return new ContentUploadError('too_large', `the ${this.noun} is larger than the limit of ${max} bytes`);
  }
}
