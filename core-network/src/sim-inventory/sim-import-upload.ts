import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { coreNetworkError } from '../core-network.errors.js';
import { SimCsvError } from './sim-csv.js';
import {
  SimCsvReader,
  SimImportLimitError,
  type SimCsvBlock,
  type SimImportLimits,
} from './sim-csv-reader.js';

export type StoredUpload = { rows: number; bytes: number; sha256: string; header: string };

/**
 * Reads an upload chunk by chunk through the SimCsvReader (limits checked as bytes arrive) and hands each
 * block to `store` before reading on: while a block is being sealed and written the stream is paused, so a
 * slow database slows the sender down (TCP back-pressure) instead of filling memory.
 *
 * On a failure the stream is not destroyed — that would close the socket before the 413/400 reply could be
 * sent — but drained: what the client still sends is read and dropped, never kept.
 */
export function readUpload(
  upload: Readable,
  limits: SimImportLimits,
  store: (block: SimCsvBlock) => Promise<void>,
): Promise<StoredUpload> {
  const reader = new SimCsvReader(limits);
  const hash = createHash('sha256');
  return new Promise<StoredUpload>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      upload.removeAllListeners('data');
      upload.resume();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const storeAll = async (blocks: SimCsvBlock[]) => {
      for (const block of blocks) await store(block);
    };
    upload.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      upload.pause();
      try {
        hash.update(bytes);
        storeAll(reader.push(bytes)).then(() => upload.resume(), fail);
      } catch (err) {
        fail(err);
      }
    });
    upload.once('end', () => {
      if (failed) return;
      try {
        storeAll(reader.end()).then(
          () =>
            resolve({
              rows: reader.rows,
              bytes: reader.bytes,
              sha256: hash.digest('hex'),
              header: reader.header!.text.toString('utf8'),
            }),
          fail,
        );
      } catch (err) {
        fail(err);
      }
    });
    upload.once('error', fail);
    // A client that disconnects mid-upload: 'close' without 'end'.
    upload.once('close', () => {
      if (!upload.readableEnded) fail(new Error('the upload was cut off before its end'));
    });
  });
}

/** What the uploader is told: the limit or the CSV problem, as a 413 or 400 with what to do. */
export function uploadError(err: unknown): unknown {
  if (err instanceof SimImportLimitError)
    return coreNetworkError(
      err.limit === 'maxLineBytes' ? 'invalid_sim_import' : 'sim_import_too_large',
      err.message,
    );
  if (err instanceof SimCsvError) return coreNetworkError('invalid_sim_import', err.message);
  return err;
}
