import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataFolder } from './metadata-store.js';
import { legacyRows } from './tuf-legacy-import.js';
import { generateSigningKey, localSigner } from './tuf-keys.js';
import { serializeMetadata, signMetadata } from './tuf-metadata.js';
import { buildRoot, buildTargets, publishOnline } from './tuf-repository.js';
import { nameOf, rowsOf } from './tuf-metadata.repository.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tuf-folder-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const key = generateSigningKey();
const far = '2030-01-01T00:00:00Z';
const root = serializeMetadata(
  signMetadata<'root'>(
    buildRoot({
      version: 1,
      expires: far,
      roles: {
        root: { keys: [key.public], threshold: 1 },
        targets: { keys: [key.public], threshold: 1 },
        snapshot: { keys: [key.public], threshold: 1 },
        timestamp: { keys: [key.public], threshold: 1 },
      },
    }),
    [key],
  ),
);
const publication = (targetsVersion: number, snapshotVersion: number) =>
  publishOnline({
    targets: signMetadata<'targets'>(buildTargets({ version: targetsVersion, expires: far, targets: [] }), [
      key,
    ]),
    snapshotVersion,
    timestampVersion: snapshotVersion,
    now: new Date(),
    snapshotSigners: [localSigner(key)],
    timestampSigners: [localSigner(key)],
  });
const write = async (files: ReadonlyMap<string, Buffer>) => {
  for (const [name, bytes] of files) await writeFile(path.join(dir, name), bytes);
};

describe('metadata names and rows', () => {
  it('reads served names as role and version, and nothing else', () => {
    expect(nameOf('3.snapshot.json')).toEqual({ role: 'snapshot', version: 3 });
    expect(nameOf('timestamp.json')).toEqual({ role: 'timestamp', version: null });
    for (const bad of ['../1.root.json', '.new-x', '0.root.json', 'key-status.json', 'x.json'])
      expect(nameOf(bad)).toBeUndefined();
  });

  it('collapses a versioned file and its unversioned twin into one row; refuses a name that lies', async () => {
    const { files } = await publication(2, 5);
    const rows = rowsOf(files);
    expect(rows.map((r) => `${r.role}:${r.version}`).sort()).toEqual([
      'snapshot:5',
      'targets:2',
      'timestamp:5',
    ]);
    const lying = new Map([['4.snapshot.json', files.get('5.snapshot.json')!]]);
    expect(() => rowsOf(lying)).toThrow(/holds version 5/);
  });
});

describe('the start-up import of an older metadata folder', () => {
  it('takes every root and what the timestamp leads to; leaves out a publication that crashed half-way', async () => {
    await writeFile(path.join(dir, '1.root.json'), root);
    await writeFile(path.join(dir, 'root.json'), root);
    await write((await publication(1, 1)).files);
    // A publication that crashed before its timestamp.json: targets 2 and snapshot 2 on disk, never served.
    const crashed = (await publication(2, 2)).files;
    crashed.delete('timestamp.json');
    await write(crashed);
    await writeFile(path.join(dir, '.new-1234'), 'half a file');
    const rows = await legacyRows(new MetadataFolder(dir));
    expect(rows.map((r) => `${r.role}:${r.version}`).sort()).toEqual([
      'root:1',
      'snapshot:1',
      'targets:1',
      'timestamp:1',
    ]);
    expect(rows.find((r) => r.role === 'root')!.bytes).toEqual(root);
  });

  it('reads compromised keys, and refuses a damaged key-status.json rather than forget them', async () => {
    const folder = new MetadataFolder(dir);
    expect(await folder.compromisedKeys()).toEqual([]);
    await writeFile(path.join(dir, 'key-status.json'), JSON.stringify({ compromised: ['a'.repeat(64)] }));
    expect(await folder.compromisedKeys()).toEqual(['a'.repeat(64)]);
    await writeFile(path.join(dir, 'key-status.json'), JSON.stringify({ compromised: ['nope'] }));
    await expect(folder.compromisedKeys()).rejects.toThrow(/damaged/);
    expect(await new MetadataFolder(path.join(dir, 'absent')).names()).toEqual([]);
  });
});
