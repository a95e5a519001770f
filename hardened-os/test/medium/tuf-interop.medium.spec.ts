// tuf-js 3 (a well-kept TUF 1.0 client) against a repository built with our core: it must refresh and
// download, and refuse each attack the TUF spec names — tampering, freeze (expiry), rollback,
// wrong signers, mix-and-match (an old targets under a newer snapshot) and mismatched target bytes — and
// follow a root rotation.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Updater } from 'tuf-js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKey, localSigner, type TufSigningKey } from '../../src/tuf/tuf-keys.js';
import { SPEC_VERSION } from '../../src/tuf/tuf-metadata.schema.js';
import { serializeMetadata, signMetadata, type Envelope } from '../../src/tuf/tuf-metadata.js';
import {
  buildRoot,
  buildTargets,
  publishOnline,
  signTimestamp,
  type RoleKeys,
} from '../../src/tuf/tuf-repository.js';

const TARGET = 'oriole/1.2.0/full-ota.zip';
const PAYLOAD = Buffer.from('an OTA payload, signed by the release team');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

type Keys = {
  root: TufSigningKey[];
  targets: TufSigningKey;
  snapshot: TufSigningKey;
  timestamp: TufSigningKey;
};
const newKeys = (): Keys => ({
  root: [generateSigningKey(), generateSigningKey()],
  targets: generateSigningKey(),
  snapshot: generateSigningKey(),
  timestamp: generateSigningKey(),
});
const rolesOf = (k: Keys): RoleKeys => ({
  root: { keys: k.root.map((r) => r.public), threshold: 2 },
  targets: { keys: [k.targets.public], threshold: 1 },
  snapshot: { keys: [k.snapshot.public], threshold: 1 },
  timestamp: { keys: [k.timestamp.public], threshold: 1 },
});

/** What the loopback server serves: metadata by file name, targets by `<dir>/<sha256>.<base>`. */
const metadata = new Map<string, Buffer>();
const targets = new Map<string, Buffer>();
let server: Server;
let base: string;
let keys: Keys;
let clientDir: string;
let versions: { targets: number; snapshot: number; timestamp: number };

function publishRoot(version: number, signers: TufSigningKey[], roles: RoleKeys): Envelope<'root'> {
  const root = signMetadata<'root'>(buildRoot({ version, expires: '2030-01-01T00:00:00Z', roles }), signers);
  metadata.set(`${version}.root.json`, serializeMetadata(root));
  return root;
}

async function publish(
  opts: { now?: Date; timestampKey?: TufSigningKey; snapshotVersion?: number } = {},
): Promise<void> {
  versions.targets += 1;
  versions.timestamp += 1;
  versions.snapshot = opts.snapshotVersion ?? versions.snapshot + 1;
  const signedTargets = signMetadata<'targets'>(
    buildTargets({
      version: versions.targets,
      expires: '2030-01-01T00:00:00Z',
      targets: [
        {
          name: TARGET,
          length: PAYLOAD.length,
          sha256: sha256(PAYLOAD),
          custom: { patchLevel: '2026-05-05' },
        },
      ],
    }),
    [keys.targets],
  );
  const out = await publishOnline({
    targets: signedTargets,
    snapshotVersion: versions.snapshot,
    timestampVersion: versions.timestamp,
    now: opts.now ?? new Date(),
    snapshotSigners: [localSigner(keys.snapshot)],
    timestampSigners: [localSigner(opts.timestampKey ?? keys.timestamp)],
  });
  for (const [name, bytes] of out.files) metadata.set(name, bytes);
  targets.set(`oriole/1.2.0/${sha256(PAYLOAD)}.full-ota.zip`, PAYLOAD);
}

const updater = () =>
  new Updater({
    metadataBaseUrl: `${base}/ota/metadata`,
    targetBaseUrl: `${base}/ota/targets`,
    metadataDir: clientDir,
    targetDir: clientDir,
    config: { fetchRetries: 0, fetchTimeout: 5_000 },
  });

async function download(): Promise<Buffer> {
  const u = updater();
  await u.refresh();
  const info = await u.getTargetInfo(TARGET);
  if (!info) throw new Error('target not listed');
  return readFile(await u.downloadTarget(info, path.join(clientDir, 'ota.zip')));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    const file = url.startsWith('/ota/metadata/')
      ? metadata.get(url.slice('/ota/metadata/'.length))
      : url.startsWith('/ota/targets/')
        ? targets.get(url.slice('/ota/targets/'.length))
        : undefined;
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': file.length }).end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(async () => {
  metadata.clear();
  targets.clear();
  keys = newKeys();
  versions = { targets: 0, snapshot: 0, timestamp: 0 };
  clientDir = await mkdtemp(path.join(tmpdir(), 'tuf-client-'));
  const root = publishRoot(1, keys.root, rolesOf(keys));
  // The client ships with the trusted 1.root.json.
  await writeFile(path.join(clientDir, 'root.json'), serializeMetadata(root));
  await publish();
});
afterEach(() => rm(clientDir, { recursive: true, force: true }));

const trustedVersion = async (role: string) =>
  (
    JSON.parse(await readFile(path.join(clientDir, `${role}.json`), 'utf8')) as {
      signed: { version: number };
    }
  ).signed.version;

describe('tuf-js 3 against our repository', () => {
  it('refreshes and downloads a target by its hash-prefixed name', async () => {
    expect(await download()).toEqual(PAYLOAD);
    expect(await trustedVersion('timestamp')).toBe(1);
  });

  it('refuses targets.json altered after signing', async () => {
    const t = JSON.parse(metadata.get('1.targets.json')!.toString()) as Envelope<'targets'>;
    t.signed.targets[TARGET]!.hashes.sha256 = 'f'.repeat(64);
    metadata.set('1.targets.json', serializeMetadata(t));
    await expect(download()).rejects.toThrow(/was signed by 0\/[12] keys/);
  });

  it('refuses an expired timestamp (freeze attack)', async () => {
    await publish({ now: new Date(Date.now() - 2 * 86_400_000) });
    await expect(download()).rejects.toThrow(/expired/i);
  });

  it('refuses a timestamp older than one it has seen (rollback)', async () => {
    const old = metadata.get('timestamp.json')!;
    await publish();
    expect(await download()).toEqual(PAYLOAD);
    expect(await trustedVersion('timestamp')).toBe(2);
    metadata.set('timestamp.json', old);
    await expect(updater().refresh()).rejects.toThrow(/version/i);
  });

  it('refuses a new timestamp that points at an older snapshot (rollback)', async () => {
    await publish();
    await download();
    await publish({ snapshotVersion: 1 });
    await expect(updater().refresh()).rejects.toThrow(/version/i);
  });

  it('refuses an old, validly signed targets.json served under the name the newer snapshot names (mix-and-match)', async () => {
    const old = metadata.get('1.targets.json')!;
    await publish();
    expect(JSON.parse(metadata.get('snapshot.json')!.toString())).toMatchObject({
      signed: { version: 2, meta: { 'targets.json': { version: 2 } } },
    });
    // The genuine v1 targets, signed by the real targets key, where the client fetches targets v2.
    metadata.set('2.targets.json', old);
    metadata.set('targets.json', old);
    await expect(updater().refresh()).rejects.toThrow(
      /version 1 of targets does not match snapshot version 2/i,
    );
    // Nothing of the mixed repository is trusted: no targets.json kept.
    await expect(readFile(path.join(clientDir, 'targets.json'))).rejects.toThrow(/ENOENT/);
  });

  it('a client that trusted targets v1 refuses it again once the snapshot names v2 (mix-and-match)', async () => {
    expect(await download()).toEqual(PAYLOAD);
    const old = metadata.get('1.targets.json')!;
    await publish();
    metadata.set('2.targets.json', old);
    await expect(updater().refresh()).rejects.toThrow(
      /version 1 of targets does not match snapshot version 2/i,
    );
    expect(await trustedVersion('targets')).toBe(1);
  });

  it('refuses targets whose bytes differ from the hash the snapshot pins (mix-and-match by hash)', async () => {
    await publish();
    const genuine = metadata.get('2.targets.json')!;
    // A snapshot that pins targets v2 by length and hash, as the spec allows, signed by the snapshot key.
    const snapshot = signMetadata<'snapshot'>(
      {
        _type: 'snapshot',
        spec_version: SPEC_VERSION,
        version: 3,
        expires: '2030-01-01T00:00:00Z',
        meta: {
          'targets.json': { version: 2, length: genuine.length, hashes: { sha256: sha256(genuine) } },
        },
      },
      [keys.snapshot],
    );
    const snapshotBytes = serializeMetadata(snapshot);
    const { bytes } = await signTimestamp({
      version: 3,
      snapshotVersion: 3,
      snapshotBytes,
      now: new Date(),
      signers: [localSigner(keys.timestamp)],
    });
    metadata.set('3.snapshot.json', snapshotBytes);
    metadata.set('timestamp.json', bytes);
    // Same version, validly signed by the targets key, different contents: caught by the pinned hash.
    const other = signMetadata<'targets'>(
      buildTargets({ version: 2, expires: '2030-01-01T00:00:00Z', targets: [] }),
      [keys.targets],
    );
    metadata.set('2.targets.json', serializeMetadata(other));
    await expect(updater().refresh()).rejects.toThrow(/hash|length/i);
    metadata.set('2.targets.json', genuine);
    expect(await download()).toEqual(PAYLOAD);
  });

  it('refuses timestamp metadata signed by a key root does not list', async () => {
    await publish({ timestampKey: generateSigningKey() });
    await expect(download()).rejects.toThrow(/was signed by 0\/[12] keys/);
  });

  it('refuses a target whose bytes do not match the signed hash and length', async () => {
    targets.set(
      `oriole/1.2.0/${sha256(PAYLOAD)}.full-ota.zip`,
      Buffer.from('an OTA payload, signed by the release teaM'),
    );
    await expect(download()).rejects.toThrow(/hash|length/i);
  });

  it('follows a root rotation signed by the old and new root keys, with new online keys', async () => {
    const next = newKeys();
    publishRoot(2, [...keys.root, ...next.root], rolesOf(next));
    keys = { ...next };
    await publish();
    expect(await download()).toEqual(PAYLOAD);
    expect(await trustedVersion('root')).toBe(2);
  });

  it('refuses a root rotation the old root keys did not sign', async () => {
    const next = newKeys();
    publishRoot(2, next.root, rolesOf(next));
    await expect(updater().refresh()).rejects.toThrow(/was signed by 0\/[12] keys/);
  });
});
