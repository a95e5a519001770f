import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import { BlobAppendError, BLOB_STORE, type BlobStore } from './blob-store.js';
import type { UploadView } from './files.dto.js';
import { filesError } from './files.errors.js';
import { FilesRepository, type FileRow } from './files.repository.js';
import { chunkRoom, parseContentLength, parseUploadOffset, UPLOAD_MEDIA_TYPE } from './files-rules.js';
import { FilesService, type Uploader } from './files.service.js';

export type ChunkHeaders = {
  contentType: string | undefined;
  uploadOffset: string | undefined;
  contentLength: string | undefined;
};

/**
 * One PATCH's whole time. Under the device port's request timeout (60 s), which ends a slower request with a
 * bare 408 and a closed connection: stopped here, the chunk is answered upload_interrupted with where to
 * resume. It also stops a trickle (a byte now and then, each within the idle limit) holding a connection, a
 * file and the lease for ever.
 */
export const CHUNK_TIME_LIMIT_MS = 50_000;

const isStream = (body: unknown): body is Readable =>
  typeof (body as { pipe?: unknown } | null)?.pipe === 'function';

/**
 * The PATCH of a resumable upload (tus 1.0 core semantics over our own routes). One PATCH at a time holds the
 * upload's lease (a second is refused with upload_busy, never interleaved); the offset it must name is what
 * the store holds, so bytes a dead PATCH left behind are counted, never lost or written twice. On the last
 * byte the ciphertext is sealed and hashed from the store (a stream: the event loop stays free); a digest
 * other than the one declared discards the upload.
 */
@Injectable()
export class ChunkUploadService {
  constructor(
    private readonly files: FilesService,
    private readonly repo: FilesRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async append(
    who: Uploader,
    id: string,
    h: ChunkHeaders,
    body: unknown,
  ): Promise<z.infer<typeof UploadView>> {
    const row = await this.files.own(who, id);
    if (!isStream(body) || (h.contentType ?? '').split(';')[0]!.trim().toLowerCase() !== UPLOAD_MEDIA_TYPE)
      throw filesError('upload_media_type', `Send the bytes with Content-Type: ${UPLOAD_MEDIA_TYPE}.`);
    if (row.state === 'complete')
      throw filesError('upload_already_complete', 'This upload is complete: nothing more is accepted.');
    const offset = parseUploadOffset(h.uploadOffset);
    if (offset === null)
      throw filesError(
        'upload_offset_required',
        'Name the offset of these bytes in Upload-Offset (decimal).',
      );
    const declared = parseContentLength(h.contentLength);
    if (Number.isNaN(declared)) throw filesError('invalid_file_input', 'Content-Length is not a number.');
    const room = chunkRoom({
      offset,
      size: row.sizeBytes,
      chunkMaxBytes: this.files.config.chunkMaxBytes,
      declared,
    });
    if (!room.ok) throw this.refuseRoom(room.why, offset, row);
    return this.underLease(row, offset, async (leased) => {
      // Every byte is in already (a crash between sealing and recording it): only the check is left.
      const after =
        offset === row.sizeBytes
          ? (body.resume(), offset)
          : await this.write(leased, offset, body, room.maxBytes);
      if (after < row.sizeBytes) return this.files.view({ ...leased, offsetBytes: after });
      return this.finish(leased);
    });
  }

  /** Takes the lease, runs `work` with it renewed, records where the upload stands and frees the lease. */
  private async underLease(
    row: FileRow,
    offset: number,
    work: (leased: FileRow) => Promise<z.infer<typeof UploadView>>,
  ): Promise<z.infer<typeof UploadView>> {
    const leaseId = randomUUID();
    const leaseMs = Math.max(60_000, 3 * this.files.config.uploadIdleMs);
    const until = () => new Date(this.files.now().getTime() + leaseMs);
    const leased = await this.repo.lease(row.id, leaseId, until(), this.files.now());
    if (!leased) {
      const current = await this.repo.byId(row.id);
      if (current?.state === 'complete')
        throw filesError('upload_already_complete', 'This upload is complete: nothing more is accepted.');
      if (!current || current.state === 'deleted')
        throw filesError('upload_not_found', 'The upload is gone.');
      throw filesError(
        'upload_busy',
        'Another request is sending bytes to this upload: wait for it, then resume from the offset HEAD reports.',
        { offset: current.offsetBytes },
      );
    }
    // A renewal keeps the lease while a slow chunk streams; a process that dies lets it lapse.
    const renew = setInterval(() => {
      this.repo.renew(row.id, leaseId, until()).catch(() => undefined); // a failed renewal lets the lease lapse
    }, leaseMs / 3);
    renew.unref();
    let settled = leased.offsetBytes;
    try {
      const stored = (await this.blobs.size(row.id)) ?? 0;
      settled = stored;
      if (stored !== offset)
        throw filesError('upload_offset_mismatch', `The upload stands at ${stored}: resume from there.`, {
          offset: stored,
        });
      const result = await work(leased);
      settled = result.offset;
      return result;
    } catch (err) {
      if (err instanceof BlobAppendError) settled = err.size;
      throw err;
    } finally {
      clearInterval(renew);
      await this.repo.settle(row.id, leaseId, settled, this.files.now());
    }
  }

  private async write(row: FileRow, offset: number, body: Readable, maxBytes: number): Promise<number> {
    try {
      return await this.blobs.append(row.id, offset, body, {
        maxBytes,
        idleMs: this.files.config.uploadIdleMs,
        totalMs: CHUNK_TIME_LIMIT_MS,
      });
    } catch (err) {
      if (!(err instanceof BlobAppendError)) throw err;
      const at = { offset: err.size };
      switch (err.reason) {
        case 'offset_mismatch':
          throw filesError(
            'upload_offset_mismatch',
            `The upload stands at ${err.size}: resume from there.`,
            at,
          );
        case 'too_large':
          throw maxBytes < this.files.config.chunkMaxBytes
            ? this.refuseRoom('beyond_size', err.size, row)
            : filesError('upload_chunk_too_large', this.chunkText(err.size), at);
        case 'interrupted':
        case 'timeout':
          throw filesError('upload_interrupted', `The chunk stopped early; resume from ${err.size}.`, at);
        case 'not_found':
          throw filesError('upload_not_found', 'The upload is gone.');
      }
    }
  }

  /** The last byte is in: seal, hash, and either issue the link or discard the upload. */
  private async finish(row: FileRow): Promise<z.infer<typeof UploadView>> {
    const current = await this.repo.byId(row.id);
    // Deleted while its last chunk streamed in: nothing to seal.
    if (current?.state !== 'uploading') throw filesError('upload_not_found', 'The upload was deleted.');
    // Deleted (its DELETE, the sweep) after that check: its bytes are gone before they were sealed or read.
    const gone = () =>
      filesError('file_gone', 'This upload was deleted while it completed: upload the file again.');
    await this.blobs.complete(row.id).catch((err: unknown) => {
      throw err instanceof BlobAppendError && err.reason === 'not_found' ? gone() : err;
    });
    const stream = await this.blobs.openRead(row.id);
    if (!stream) throw gone();
    const hash = createHash('sha256');
    await pipeline(stream, hash);
    const actual = hash.digest('hex');
    if (actual !== row.sha256) {
      await this.files.discard(row);
      throw filesError(
        'upload_digest_mismatch',
        `The bytes' SHA-256 is ${actual}, not ${row.sha256} as declared: the upload was discarded; encrypt and upload again.`,
        { expected: row.sha256, actual },
      );
    }
    return this.files.seal(row);
  }

  private refuseRoom(why: 'chunk_too_large' | 'beyond_size', offset: number, row: FileRow) {
    return why === 'chunk_too_large'
      ? filesError('upload_chunk_too_large', this.chunkText(offset), { offset })
      : filesError(
          'upload_beyond_size',
          `The upload declared ${row.sizeBytes} bytes; from ${offset} at most ${row.sizeBytes - offset} remain.`,
          { offset },
        );
  }

  private chunkText(offset: number): string {
    return `One PATCH carries at most ${this.files.config.chunkMaxBytes} bytes: resume from ${offset} in smaller chunks.`;
  }
}
