import { EventEmitter } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discardWritten } from './discard-written.js';

describe('discardWritten', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-discard-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('removes the file only once the stream has closed (an open still on its way would create it again)', async () => {
    const file = path.join(dir, 'upload.tmp');
    await writeFile(file, 'partial');
    const sink = Object.assign(new EventEmitter(), { closed: false }) as unknown as WriteStream;
    const discarded = discardWritten(sink, file);
    await new Promise((r) => setTimeout(r, 20));
    expect(await readdir(dir)).toEqual(['upload.tmp']); // still the stream's
    Object.assign(sink, { closed: true }).emit('close');
    await discarded;
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves no file when real streams are destroyed before their opens complete', async () => {
    await Promise.all(
      Array.from({ length: 64 }, async (_, i) => {
        const file = path.join(dir, `upload-${i}.tmp`);
        const sink = createWriteStream(file, { flags: 'wx', mode: 0o600 });
        sink.destroy(new Error('over the cap')); // at once: the open is still on its way
        await discardWritten(sink, file);
      }),
    );
    await new Promise((r) => setTimeout(r, 50)); // what the opens still had to create would be here by now
    expect(await readdir(dir)).toEqual([]);
  });
});
