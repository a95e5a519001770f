// The start-up import of a metadata folder published by an older release: an existing installation keeps
// its history (every root, the served chain, the compromised keys), once, whichever node starts first.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, platformDomain } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HardenedOsConfig } from '../../src/hardened-os.config.js';
import { hardenedOsDomain } from '../../src/hardened-os.domain.js';
import { PayloadStore } from '../../src/payloads/payload-store.js';
import { OtaFilesService } from '../../src/tuf/ota-files.service.js';
import { generateSigningKey, localSigner } from '../../src/tuf/tuf-keys.js';
import { TufLegacyImport } from '../../src/tuf/tuf-legacy-import.js';
import { serializeMetadata, signMetadata } from '../../src/tuf/tuf-metadata.js';
import { TufMetadataRepository } from '../../src/tuf/tuf-metadata.repository.js';
import { buildRoot, buildTargets, publishOnline } from '../../src/tuf/tuf-repository.js';

let db: TestDatabase;
let dir: string;
let config: HardenedOsConfig;
const key = generateSigningKey();
const far = '2030-01-01T00:00:00Z';
const compromised = 'c'.repeat(64);

const node = () => {
  const repo = new TufMetadataRepository(db.handle);
  const logger = createLogger({ level: 'silent' });
  const files = new OtaFilesService(repo, new PayloadStore(config.payloadDir), logger);
  return { repo, files, importer: new TufLegacyImport(config, repo, files, logger) };
};

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, hardenedOsDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-tuf-legacy-'));
  config = {
    payloadDir: path.join(dir, 'payloads'),
    payloadMaxBytes: 1024 * 1024,
    tufDir: path.join(dir, 'ota-metadata'),
    tufTimestampKeyFile: path.join(dir, 'keys', 'tuf-timestamp.jwk'),
    tufSnapshotKeyFile: path.join(dir, 'keys', 'tuf-snapshot.jwk'),
  };
  // The folder as the previous release left it: root 1, two publications, key-status.json.
  const { mkdir } = await import('node:fs/promises');
  await mkdir(config.tufDir, { recursive: true });
  const all = { keys: [key.public], threshold: 1 };
  const root = serializeMetadata(
    signMetadata<'root'>(
      buildRoot({
        version: 1,
        expires: far,
        roles: { root: all, targets: all, snapshot: all, timestamp: all },
      }),
      [key],
    ),
  );
  await writeFile(path.join(config.tufDir, '1.root.json'), root);
  await writeFile(path.join(config.tufDir, 'root.json'), root);
  for (const v of [1, 2]) {
    const { files } = await publishOnline({
      targets: signMetadata<'targets'>(buildTargets({ version: v, expires: far, targets: [] }), [key]),
      snapshotVersion: v,
      timestampVersion: v,
      now: new Date(),
      snapshotSigners: [localSigner(key)],
      timestampSigners: [localSigner(key)],
    });
    for (const [name, bytes] of files) await writeFile(path.join(config.tufDir, name), bytes);
  }
  await writeFile(
    path.join(config.tufDir, 'key-status.json'),
    JSON.stringify({ compromised: [compromised] }),
  );
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe("importing an older installation's TUF metadata folder", () => {
  it('imports the history once, serves the exact bytes, and keeps the compromised keys', async () => {
    const a = node();
    // root 1, targets 1–2, snapshot 1–2 and timestamp 2 (the folder kept no older timestamp).
    expect(await a.importer.run()).toBe(6);
    for (const name of ['timestamp.json', '1.root.json', 'root.json', '2.snapshot.json', '1.targets.json'])
      expect(await a.files.metadataFile(name)).toEqual(await readFile(path.join(config.tufDir, name)));
    expect(await a.repo.compromised()).toEqual([compromised]);
    // Another node starting (or this one restarting) finds the database published: nothing imported twice.
    const b = node();
    expect(await b.importer.run()).toBe(0);
    expect(await b.files.metadataFile('timestamp.json')).toEqual(
      await readFile(path.join(config.tufDir, 'timestamp.json')),
    );
    expect((await b.repo.heads()).timestamp).toBe(2);
  });
});
