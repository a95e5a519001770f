import type { Readable } from 'node:stream';
import { ContentStore, type ReceiveLimits } from '@pakawaaz/platform';

export type StoredPayload = { sha256: string; sizeBytes: number; file: string };

/**
 * Content-addressed OTA payloads under one folder: `<dir>/<sha256>` (the platform's ContentStore). An upload is
 * streamed to a temporary file in the same folder while it is hashed and counted (incrementally: the event
 * loop is never held for the whole file), ended when it idles or overruns its time, then fsynced and renamed
 * into place with the folder fsynced: a reader never sees a partial payload, a crash never leaves one under
 * its digest, and a refused upload leaves nothing behind. Refusals are ContentUploadErrors ('too_large',
 * 'truncated', 'timeout', 'digest_mismatch'; payloads.service.ts maps them to 4xx).
 */
export class PayloadStore extends ContentStore {
  constructor(dir: string) {
    super({ dir, suffix: '', noun: 'payload' });
  }

  /**
   * Receives and commits at once, without the digest's lock: for tools and tests. PayloadsService receives,
   * then moves the file into place under the lock in the transaction that records it (content-guard.ts).
   */
  async put(source: Readable, limits: ReceiveLimits): Promise<StoredPayload> {
    const received = await this.receive(source, limits);
    try {
      const file = await this.commit(received);
      return { sha256: received.sha256, sizeBytes: received.sizeBytes, file };
    } catch (err) {
      await this.discard(received);
      throw err;
    }
  }
}
