import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CsvBlockReader, type CsvBlock } from './csv-block-reader.js';
import { readCsvUpload } from './read-upload.js';

const words = {
  row: 'row',
  maxBytesVariable: 'MAX_BYTES',
  maxRowsVariable: 'MAX_ROWS',
  lineHint: 'one row a line',
};
const reader = () =>
  new CsvBlockReader({ maxBytes: 1 << 20, maxRows: 10_000, maxLineBytes: 256 }, words, (f) => f, 10);

function csv(rows: number): Buffer {
  const lines = ['a,b'];
  for (let i = 0; i < rows; i++) lines.push(`${i},x${i}`);
  return Buffer.from(lines.join('\n') + '\n');
}

describe('readCsvUpload', () => {
  it('resolves only once every block is stored, in order, when the whole file is one chunk', async () => {
    // One chunk: the stream ends while it is paused for that chunk's blocks. Stores that take a while must
    // all finish before the upload counts as read — a job started earlier would miss blocks.
    const stored: number[] = [];
    let storing = 0;
    const read = await readCsvUpload(Readable.from([csv(95)]), reader(), async (b: CsvBlock) => {
      expect(++storing).toBe(1); // one store at a time
      await sleep(b.seq === 9 ? 0 : 5);
      stored.push(b.seq);
      storing--;
    });
    expect(read.rows).toBe(95);
    expect(stored).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps block order across many small chunks and a slow store', async () => {
    const bytes = csv(57);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 13) chunks.push(bytes.subarray(i, i + 13));
    const stored: CsvBlock[] = [];
    const read = await readCsvUpload(Readable.from(chunks), reader(), async (b) => {
      await sleep(1);
      stored.push(b);
    });
    expect(read.rows).toBe(57);
    expect(stored.map((b) => b.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Buffer.concat(stored.map((b) => b.bytes)).toString()).toBe(bytes.toString().slice(4));
  });

  it('rejects with the store failure and stores nothing after it', async () => {
    const stored: number[] = [];
    const read = readCsvUpload(Readable.from([csv(40)]), reader(), async (b) => {
      await sleep(1);
      if (b.seq === 1) throw new Error('disk full');
      stored.push(b.seq);
    });
    await expect(read).rejects.toThrow('disk full');
    await sleep(10);
    expect(stored).toEqual([0]);
  });
});
