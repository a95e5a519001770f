import { open } from 'node:fs/promises';

/**
 * fsyncs a folder: a rename or a new name in it is durable only then (a crash after the rename but before the
 * folder reaches the disk can bring back the old name, or none).
 */
export const syncFolder = (dir: string): Promise<void> => syncFile(dir);

/** fsyncs a file's bytes and size (opened read-only: fsync needs no write access). */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A client that hangs up mid-body surfaces as a stream error ('aborted', ECONNRESET, a premature close). */
export function isStreamAbort(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || message === 'aborted';
}
