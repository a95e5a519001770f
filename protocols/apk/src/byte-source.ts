import { open, type FileHandle } from 'node:fs/promises';

/**
 * Random access to an APK's bytes: every reader in this package reads through one, so a 100 MB file is never
 * held in memory whole (a file) and tests can hand in a Buffer.
 */
export type ByteSource = {
  readonly size: number;
  /** Exactly `length` bytes from `offset`; rejects when the range is not inside the source. */
  read(offset: number, length: number): Promise<Buffer>;
};

function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0)
    throw new RangeError(`invalid read: offset ${offset}, length ${length}`);
  if (offset + length > size) throw new RangeError(`read past the end: ${offset}+${length} > ${size}`);
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buf.length,
    read(offset, length) {
      checkRange(buf.length, offset, length);
      return Promise.resolve(buf.subarray(offset, offset + length));
    },
  };
}

export type FileSource = ByteSource & { close(): Promise<void> };

export async function fileSource(path: string): Promise<FileSource> {
  const handle: FileHandle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return {
      size,
      async read(offset, length) {
        checkRange(size, offset, length);
        const buf = Buffer.allocUnsafe(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
          if (bytesRead === 0) throw new RangeError(`the file ended early at ${offset + done} (was ${size})`);
          done += bytesRead;
        }
        return buf;
      },
      close: () => handle.close(),
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
