import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { CsvBlock, CsvBlockReader } from './csv-block-reader.js';

export type StoredUpload = { rows: number; bytes: number; sha256: string; header: string };

/**
 * Reads an upload chunk by chunk through a CsvBlockReader (limits checked as bytes arrive) and hands each
 * block to `store` before reading on: while a block is being written the stream is paused, so a slow database
 * slows the sender down (TCP back-pressure) instead of filling memory.
 *
 * On a failure the stream is not destroyed — that would close the socket before the 413/400 reply could be
 * sent — but drained: what the client still sends is read and dropped, never kept.
 */
export function readCsvUpload<H>(
  upload: Readable,
  reader: CsvBlockReader<H>,
  store: (block: CsvBlock) => Promise<void>,
): Promise<StoredUpload> {
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
    // Every store runs on one chain, in block order. 'end' can fire while the stream is paused for the last
    // chunk's blocks (the stream has nothing left to emit), so the end's blocks — and the resolve — wait for
    // the stores still running: the job must never start on a partly stored upload.
    let stored: Promise<void> = Promise.resolve();
    const storeAll = (blocks: CsvBlock[]): Promise<void> => {
      stored = stored.then(async () => {
        // After a failure nothing more is stored: the caller is cleaning up what was.
        for (const block of blocks) if (!failed) await store(block);
      });
      return stored;
    };
    upload.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      upload.pause();
      try {
        hash.update(bytes);
        storeAll(reader.push(bytes)).then(() => {
          if (!failed) upload.resume();
        }, fail);
      } catch (err) {
        fail(err);
      }
    });
    upload.once('end', () => {
      if (failed) return;
      try {
        storeAll(reader.end()).then(() => {
          if (failed) return;
          resolve({
            rows: reader.rows,
            bytes: reader.bytes,
            sha256: hash.digest('hex'),
            header: reader.header!.text.toString('utf8'),
          });
        }, fail);
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
