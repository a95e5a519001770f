import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataStore } from './metadata-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tuf-store-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('MetadataStore', () => {
  it('writes the versioned files before timestamp.json, which comes last', async () => {
    const store = new MetadataStore(dir);
    const order: string[] = [];
    store.write = (name: string) => {
      order.push(name);
      return Promise.resolve();
    };
    await store.publish(
      new Map([
        ['timestamp.json', Buffer.from('t')],
        ['snapshot.json', Buffer.from('s')],
        ['2.snapshot.json', Buffer.from('s')],
        ['3.targets.json', Buffer.from('x')],
      ]),
    );
    expect(order.slice(0, 2).sort()).toEqual(['2.snapshot.json', '3.targets.json']);
    expect(order.at(-1)).toBe('timestamp.json');
  });

  it('keeps the previous publication when publishing fails part-way (crash mid-publish)', async () => {
    const store = new MetadataStore(dir);
    await store.publish(
      new Map([
        ['1.snapshot.json', Buffer.from('old-s')],
        ['timestamp.json', Buffer.from('old-t')],
      ]),
    );
    const write = store.write.bind(store);
    store.write = async (name: string, bytes: Buffer) => {
      if (name === 'snapshot.json') throw new Error('disk full');
      return write(name, bytes);
    };
    await expect(
      store.publish(
        new Map([
          ['2.snapshot.json', Buffer.from('new-s')],
          ['snapshot.json', Buffer.from('new-s')],
          ['timestamp.json', Buffer.from('new-t')],
        ]),
      ),
    ).rejects.toThrow('disk full');
    expect((await store.read('timestamp.json'))?.toString()).toBe('old-t');
    expect((await store.read('1.snapshot.json'))?.toString()).toBe('old-s');
  });

  it('never serves a temporary file or a path outside the folder, and sweeps old temporaries only', async () => {
    const store = new MetadataStore(dir);
    await store.write('1.root.json', Buffer.from('r'));
    await writeFile(path.join(dir, '.new-crashed'), 'half');
    expect(await store.read('.new-crashed')).toBeUndefined();
    expect(await store.read('../1.root.json')).toBeUndefined();
    expect(await store.read('2.root.json')).toBeUndefined();
    // A fresh temp file may be another node's write in flight on a shared folder: left alone.
    expect(await store.removeTemps()).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['.new-crashed', '1.root.json']);
    expect(await store.removeTemps(new Date(Date.now() + 2 * 3_600_000))).toBe(1);
    expect(await readdir(dir)).toEqual(['1.root.json']);
    await expect(store.write('x.json', Buffer.from(''))).rejects.toThrow(/not a metadata/);
  });
});
