import { once } from 'node:events';
import type { WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';

/**
 * Removes the file a failed write stream was writing, once the stream has let go of it. A stream destroyed
 * before its open() completed (a pipeline whose source failed at once: an upload over its cap) still creates
 * the file when the open comes back; removed before then, the file is left behind. So: wait for the stream's
 * close, then remove.
 */
export async function discardWritten(sink: WriteStream, file: string): Promise<void> {
  if (!sink.closed) await once(sink, 'close').catch(() => undefined);
  await rm(file, { force: true });
}
