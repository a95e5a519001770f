import type { Readable } from 'node:stream';

/** Inclusive byte range, as HTTP's `Range: bytes=start-end` names it. */
export type BlobRange = { readonly start: number; readonly end: number };

export type AppendLimits = {
  /** The most bytes this append may write: the stream is cut beyond (bytes up to the cut are kept). */
  readonly maxBytes: number;
  /** No byte for this long ends the append (the bytes received so far are kept). */
  readonly idleMs?: number | undefined;
  /** The whole append must end within this long (the bytes received by then are kept). */
  readonly totalMs?: number | undefined;
};

/**
 * Why an append stopped early (or, `not_found`, a `complete` found no blob). `size` is what the blob holds now:
 * the client resumes from there.
 */
export class BlobAppendError extends Error {
  constructor(
    readonly reason: 'offset_mismatch' | 'too_large' | 'interrupted' | 'timeout' | 'not_found',
    readonly size: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Where attachments' bytes live, behind the smallest contract an object store can meet. A blob is named by
 * an id the caller chooses (a UUID); it is *staged* from `create` to `complete` (appendable, not readable),
 * then *sealed* (readable, immutable) until `delete`.
 *
 * Contract (every implementation, tested by blob-store.contract.ts):
 * - `create(id)`: an empty staged blob, durable once it returns; an existing id is an error.
 * - `append(id, offset, source, limits)`: writes the stream at `offset`, which must equal the staged size
 *   (else `offset_mismatch`, nothing written). Bytes are streamed, never buffered whole; on a cut, a timeout
 *   or a client that hangs up, the bytes already written stay (durable, as after a whole append) and the
 *   error carries the new size. The caller
 *   guarantees one append at a time per blob (the service's lease); implementations need not lock.
 * - `size(id)`: the staged or sealed size, or null when there is no such blob.
 * - `complete(id)`: seals a staged blob (atomic: a reader never sees a partial blob under the sealed name);
 *   sealing a sealed blob again is a no-op; a blob that is neither (deleted meanwhile) is `not_found`.
 * - `openRead(id, range?)`: a stream of a sealed blob (or of its range); null when it is not sealed.
 * - `delete(id)`: removes a staged or sealed blob; deleting nothing is not an error.
 *
 * An S3-compatible store maps it onto a multipart upload: create = CreateMultipartUpload, append = UploadPart
 * (its part number from the offset; S3 wants parts of at least 5 MiB but the last, so the client's chunk size
 * must be a multiple of 5 MiB, or the store spools a short part locally until it is), size = the sum of
 * ListParts, complete = CompleteMultipartUpload, openRead = GetObject with Range, delete =
 * AbortMultipartUpload or DeleteObject.
 */
export type BlobStore = {
  create(id: string): Promise<void>;
  append(id: string, offset: number, source: Readable, limits: AppendLimits): Promise<number>;
  size(id: string): Promise<number | null>;
  complete(id: string): Promise<void>;
  openRead(id: string, range?: BlobRange): Promise<Readable | null>;
  delete(id: string): Promise<void>;
};

export const BLOB_STORE = Symbol.for('pakawaaz.ChatBlobStore');
