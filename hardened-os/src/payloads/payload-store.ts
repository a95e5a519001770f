import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { discardWritten } from '@pakawaaz/platform';

/** Why an upload was refused; nothing is left on disk in either case. */
export class PayloadUploadError extends Error {
  constructor(
    readonly reason: 'too_large' | 'truncated' | 'digest_mismatch',
    message: string,
  ) {
    super(message);
  }
}

export type StoredPayload = { sha256: string; sizeBytes: number; file: string };

export type PayloadLimits = {
  maxBytes: number;
  /** Content-Length the client declared, when it did: fewer bytes than this is a truncated upload. */
  declaredBytes?: number | undefined;
  /** SHA-256 the client expects (lower-case hex): a different digest is refused. */
  expectedSha256?: string | undefined;
};

/**
 * Content-addressed OTA payloads under one folder: `<dir>/<sha256>`. An upload is streamed to a temporary
 * file in the same folder while it is hashed and counted, then renamed into place (atomic on one file
 * system), so a reader never sees a partial payload and a refused upload leaves nothing behind. Hashing is
 * incremental on the stream: the event loop is never held for the whole file.
 */
export class PayloadStore {
  constructor(private readonly dir: string) {}

  fileOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a SHA-256 digest');
    return path.join(this.dir, sha256);
  }

  async has(sha256: string): Promise<boolean> {
    return access(this.fileOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  async put(source: Readable, limits: PayloadLimits): Promise<StoredPayload> {
    if (limits.declaredBytes !== undefined && limits.declaredBytes > limits.maxBytes) {
      source.resume();
      throw tooLarge(limits.maxBytes);
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = path.join(this.dir, `${TEMP_PREFIX}${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limits.maxBytes) return done(tooLarge(limits.maxBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // Kept to wait for: a failed upload's temp file removed before the stream lets go of it could be left behind.
    const sink = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
    try {
      await pipeline(source, meter, sink);
      if (limits.declaredBytes !== undefined && size !== limits.declaredBytes)
        throw new PayloadUploadError(
          'truncated',
          `the upload ended after ${size} of ${limits.declaredBytes} bytes; send it again`,
        );
      const sha256 = hash.digest('hex');
      if (limits.expectedSha256 !== undefined && limits.expectedSha256 !== sha256)
        throw new PayloadUploadError(
          'digest_mismatch',
          `the payload's SHA-256 is ${sha256}, not ${limits.expectedSha256} as declared`,
        );
      const file = this.fileOf(sha256);
      await rename(temp, file);
      return { sha256, sizeBytes: size, file };
    } catch (err) {
      await discardWritten(sink, temp);
      // A client that hangs up mid-body surfaces as a stream error ('aborted', ECONNRESET): a truncated upload.
      if (err instanceof PayloadUploadError) throw err;
      if (isAbort(err))
        throw new PayloadUploadError('truncated', 'the upload was interrupted; nothing was stored');
      throw err;
    }
  }

  /**
   * Removes temporary files of uploads that died with their process (a crash mid-upload), untouched for
   * `idleMs`: an upload in progress (possibly another node's, when the folder is shared) writes its file all
   * the time and is left alone. Returns how many were removed.
   */
  async removeStaleTemps(idleMs: number, now: number = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0;
    }
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

  /** Removes a payload no release refers to any more (best effort). */
  async remove(sha256: string): Promise<void> {
    await rm(this.fileOf(sha256), { force: true });
  }
}

const TEMP_PREFIX = '.upload-';

const tooLarge = (max: number) =>
  new PayloadUploadError('too_large', `the payload is larger than the limit of ${max} bytes`);

function isAbort(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || message === 'aborted';
}
