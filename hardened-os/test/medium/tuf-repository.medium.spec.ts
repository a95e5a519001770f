// The server's TUF repository on PostgreSQL with the platform key service: imports root and targets signed
// offline, signs snapshot/timestamp online, serves files tuf-js accepts, refreshes timestamp and raises the
// alarm when it cannot, and refuses bad imports with stable codes.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  AppError,
  AuditService,
  createLogger,
  FileKeyBackend,
  KeyService,
  platformDomain,
} from '@pakawaaz/platform';
import { createTestDatabase, operatorPrincipal, type TestDatabase } from '@pakawaaz/test-support';
import { Updater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HardenedOsConfig } from '../../src/hardened-os.config.js';
import { hardenedOsDomain } from '../../src/hardened-os.domain.js';
import { PayloadStore } from '../../src/payloads/payload-store.js';
import { PayloadsService } from '../../src/payloads/payloads.service.js';
import { OsReleasesFacts } from '../../src/registry/os-releases.facts.js';
import { RegistryRepository } from '../../src/registry/registry.repository.js';
import { RegistryService } from '../../src/registry/registry.service.js';
import { generateSigningKey, keyIdOf, type TufSigningKey } from '../../src/tuf/tuf-keys.js';
import { serializeMetadata, signMetadata } from '../../src/tuf/tuf-metadata.js';
import { buildRoot, buildTargets, type RoleKeys } from '../../src/tuf/tuf-repository.js';
import { OTA_HEAD_TTL_MS, OtaFilesService, type OpenTarget } from '../../src/tuf/ota-files.service.js';
import { TufMetadataRepository, PublicationConflict } from '../../src/tuf/tuf-metadata.repository.js';
import { TufOnlineKeys } from '../../src/tuf/tuf-online-keys.js';
import { TufPublisher } from '../../src/tuf/tuf-publisher.js';
import { TufRefreshService } from '../../src/tuf/tuf-refresh.service.js';
import { TufRepositoryService } from '../../src/tuf/tuf-repository.service.js';

const admin = operatorPrincipal('op-os-admin', ['os-admin']);
const OTA = Buffer.from('full OTA image for shiba 15.1');
const SHA = createHash('sha256').update(OTA).digest('hex');

/** A served payload's bytes, its handle closed. */
async function readTarget(t: OpenTarget): Promise<Buffer> {
  try {
    return await t.handle.readFile();
  } finally {
    await t.handle.close();
  }
}

let db: TestDatabase;
let dir: string;
let tuf: TufRepositoryService;
let refresh: TufRefreshService;
let files: OtaFilesService;
/** A second server node on the same database (and the same online key files). */
let other: { refresh: TufRefreshService; files: OtaFilesService; repo: TufMetadataRepository };
let server: Server;
let base: string;
const events: { type: string; data: unknown }[] = [];
const offline = { root: [generateSigningKey(), generateSigningKey()], targets: generateSigningKey() };

async function code(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (err instanceof AppError) return err.code;
  throw err;
}

// Root lists the server's online keys as GET /api/v1/os/tuf/online-keys gives them.
const roles = async (keys = offline): Promise<RoleKeys> => {
  const onlineKeys = await tuf.onlineKeys(admin);
  return {
    root: { keys: keys.root.map((k) => k.public), threshold: 2 },
    targets: { keys: [keys.targets.public], threshold: 1 },
    snapshot: { keys: [onlineKeys.snapshot.key], threshold: 1 },
    timestamp: { keys: [onlineKeys.timestamp.key], threshold: 1 },
  };
};
const json = (e: unknown) => JSON.parse(serializeMetadata(e as never).toString()) as unknown;
const far = '2030-01-01T00:00:00Z';

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, hardenedOsDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-tuf-medium-'));
  const config: HardenedOsConfig = {
    payloadDir: path.join(dir, 'payloads'),
    payloadMaxBytes: 1024 * 1024,
    tufDir: path.join(dir, 'ota-metadata'),
    tufTimestampKeyFile: path.join(dir, 'keys', 'tuf-timestamp.jwk'),
    tufSnapshotKeyFile: path.join(dir, 'keys', 'tuf-snapshot.jwk'),
  };
  const repo = new RegistryRepository(db.handle);
  const audit = new AuditService(db.handle);
  const bus = {
    publish: (e: { type: string; data: unknown }) => (events.push(e), Promise.resolve()),
  } as never;
  const registry = new RegistryService(db.handle, repo, new OsReleasesFacts(repo), audit, bus);
  const store = new PayloadStore(config.payloadDir);
  const payloads = new PayloadsService(db.handle, config, store, repo, audit);
  const logger = createLogger({ level: 'silent' });
  const node = () => {
    const metadata = new TufMetadataRepository(db.handle);
    const keys = new TufOnlineKeys(new KeyService(new FileKeyBackend(), logger), config);
    const ota = new OtaFilesService(metadata, store, logger);
    const publisher = new TufPublisher(db.handle, metadata, keys, ota);
    return {
      tuf: new TufRepositoryService(db.handle, config, store, repo, publisher, audit, logger),
      refresh: new TufRefreshService(publisher, audit, bus, logger),
      files: ota,
      repo: metadata,
    };
  };
  const a = node();
  ({ tuf, refresh, files } = a);
  other = node();
  await registry.addModel({ codename: 'shiba', manufacturer: 'Google', strongBox: true }, admin, 'r1');
  const rel = await registry.addRelease(
    {
      model: 'shiba',
      buildId: 'AP4A.250105.002',
      fingerprint: 'google/shiba/shiba:15/AP4A.250105.002/1:user/release-keys',
      version: '15.1',
      securityPatchLevel: '2025-01-05',
      channel: 'stable',
      notes: '',
    },
    admin,
    'r2',
  );
  await payloads.upload(rel.id, { kind: 'full' }, Readable.from([OTA]), OTA.length, admin, 'r3');

  server = createServer((req, res) => {
    const url = req.url ?? '';
    const meta = /^\/ota\/metadata\/([^/]+)$/.exec(url);
    const target = /^\/ota\/targets\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url);
    const found = meta
      ? files.metadataFile(meta[1]!)
      : target
        ? files.targetFile(target[1]!, target[2]!, target[3]!).then(readTarget)
        : Promise.reject(new Error('no route'));
    found.then(
      (b) => res.writeHead(200, { 'content-length': b.length }).end(b),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function tufJsDownload(clientDir: string): Promise<Buffer> {
  const u = new Updater({
    metadataBaseUrl: `${base}/ota/metadata`,
    targetBaseUrl: `${base}/ota/targets`,
    metadataDir: clientDir,
    targetDir: clientDir,
    config: { fetchRetries: 0 },
  });
  await u.refresh();
  const info = await u.getTargetInfo('shiba/15.1/full.zip');
  if (!info) throw new Error('target not listed');
  return readFile(await u.downloadTarget(info, path.join(clientDir, 'ota.zip')));
}

const signTargets = async (version: number, key: TufSigningKey = offline.targets) => {
  const { targets } = await tuf.exportTargets(admin);
  return json(signMetadata<'targets'>(buildTargets({ version, expires: far, targets }), [key]));
};

describe('the TUF repository service', () => {
  it('refuses targets before a root, and a root not signed by its threshold', async () => {
    expect(await code(tuf.importTargets(await signTargets(1), admin, 'r'))).toBe('tuf_root_missing');
    const root = buildRoot({ version: 1, expires: far, roles: await roles() });
    expect(await code(tuf.importRoot(json(signMetadata<'root'>(root, [offline.root[0]!])), admin, 'r'))).toBe(
      'tuf_metadata_rejected',
    );
    expect(await code(tuf.importRoot({ signatures: [], signed: { _type: 'root' } }, admin, 'r'))).toBe(
      'tuf_metadata_invalid',
    );
  });

  it('refuses a root marked demo-only on a node that is not the demo', async () => {
    const root = {
      ...buildRoot({ version: 1, expires: far, roles: await roles() }),
      'x-pakawaaz-demo-only': true,
    };
    const signed = json(signMetadata<'root'>(root, offline.root));
    expect(await code(tuf.importRoot(signed, admin, 'r'))).toBe('tuf_demo_root_refused');
    expect((await tuf.status(admin)).root).toBeNull();
  });

  it('refuses a root listing one key under two keyids, or a snapshot/timestamp threshold the server cannot meet', async () => {
    const r = await roles();
    // The same Ed25519 key with an extra field has another keyid: two "keys" for one holder.
    const twin = { ...offline.root[0]!.public, keyid_hash_algorithms: ['sha256'] } as never;
    const dup = buildRoot({
      version: 1,
      expires: far,
      roles: { ...r, root: { keys: [offline.root[0]!.public, twin], threshold: 2 } },
    });
    // One holder's signature, presented under both keyids: without the check it meets threshold 2 alone.
    const once = signMetadata<'root'>(dup, [offline.root[0]!]);
    once.signatures.push({ keyid: keyIdOf(twin), sig: once.signatures[0]!.sig });
    expect(await code(tuf.importRoot(json(once), admin, 'r'))).toBe('tuf_metadata_rejected');
    const two = buildRoot({
      version: 1,
      expires: far,
      roles: { ...r, snapshot: { keys: [...r.snapshot.keys, offline.targets.public], threshold: 2 } },
    });
    expect(await code(tuf.importRoot(json(signMetadata<'root'>(two, offline.root)), admin, 'r'))).toBe(
      'tuf_metadata_rejected',
    );
    // Floats cannot be canonicalised: malformed input, not a server error.
    const float = { ...buildRoot({ version: 1, expires: far, roles: r }), x: 1.5 };
    expect(await code(tuf.importRoot({ signatures: [], signed: float }, admin, 'r'))).toBe(
      'tuf_metadata_invalid',
    );
  });

  it('imports root 1 and signed targets, and tuf-js downloads the payload from what it serves', async () => {
    const root = buildRoot({ version: 1, expires: far, roles: await roles() });
    const signedRoot = signMetadata<'root'>(root, offline.root);
    expect(await tuf.importRoot(json(signedRoot), admin, 'r')).toMatchObject({ version: 1 });
    expect((await tuf.status(admin)).demoRoot).toBe(false);
    const exported = await tuf.exportTargets(admin);
    expect(exported.targets).toEqual([
      expect.objectContaining({ name: 'shiba/15.1/full.zip', sha256: SHA, length: OTA.length }),
    ]);
    expect(await tuf.importTargets(await signTargets(1), admin, 'r')).toEqual({ version: 1, targets: 1 });
    const client = await mkdtemp(path.join(tmpdir(), 'pkz-tuf-client-'));
    await writeFile(path.join(client, 'root.json'), serializeMetadata(signedRoot));
    expect(await tufJsDownload(client)).toEqual(OTA);
    await rm(client, { recursive: true, force: true });
  });

  it('refuses a target whose signed length differs from the stored payload, and custom fields that are floats', async () => {
    const { targets } = await tuf.exportTargets(admin);
    const wrongLength = targets.map((t) => ({ ...t, length: t.length + 1 }));
    const t = signMetadata<'targets'>(buildTargets({ version: 2, expires: far, targets: wrongLength }), [
      offline.targets,
    ]);
    expect(await code(tuf.importTargets(json(t), admin, 'r'))).toBe('tuf_target_unknown');
    const floaty = targets.map((x) => ({ ...x, custom: { ...x.custom, score: 0.5 } }));
    const body = { signatures: [], signed: buildTargets({ version: 2, expires: far, targets: floaty }) };
    expect(await code(tuf.importTargets(body, admin, 'r'))).toBe('tuf_metadata_invalid');
  });

  it('publishes in one transaction: a publication that fails part-way leaves the previous one served', async () => {
    const before = await files.metadataFile('targets.json');
    const timestamp = await files.metadataFile('timestamp.json');
    const emptied = buildTargets({ version: 99, expires: far, targets: [] });
    // New targets, then a timestamp version another node already published: the second row fails.
    const half = new Map([
      ['99.targets.json', serializeMetadata(signMetadata<'targets'>(emptied, [offline.targets]))],
      ['timestamp.json', timestamp],
    ]);
    await expect(other.repo.publish(half)).rejects.toBeInstanceOf(PublicationConflict);
    expect(await other.repo.file('targets', 99)).toBeUndefined();
    expect(await other.files.metadataFile('targets.json')).toEqual(before);
    await expect(files.metadataFile('99.targets.json')).rejects.toThrow(/No metadata file/);
    expect((await readTarget(await files.targetFile('shiba', '15.1', `${SHA}.full.zip`))).length).toBe(
      OTA.length,
    );
  });

  it('refuses targets that are not newer, not signed by the targets key, or list unknown bytes', async () => {
    expect(await code(tuf.importTargets(await signTargets(1), admin, 'r'))).toBe('tuf_metadata_rejected');
    expect(await code(tuf.importTargets(await signTargets(2, offline.root[0]), admin, 'r'))).toBe(
      'tuf_metadata_rejected',
    );
    const unknown = signMetadata<'targets'>(
      buildTargets({
        version: 2,
        expires: far,
        targets: [{ name: 'shiba/15.2/full.zip', length: 1, sha256: 'c'.repeat(64) }],
      }),
      [offline.targets],
    );
    expect(await code(tuf.importTargets(json(unknown), admin, 'r'))).toBe('tuf_target_unknown');
    expect((await tuf.status(admin)).targets?.version).toBe(1);
  });

  it('re-signs timestamp once half its lifetime has passed, and not before', async () => {
    const before = (await tuf.status(admin)).timestamp!;
    expect(await refresh.refreshTimestamp(new Date())).toBe(false);
    expect(await refresh.refreshTimestamp(new Date(Date.now() + 13 * 3_600_000))).toBe(true);
    const after = (await tuf.status(admin)).timestamp!;
    expect(after.version).toBe(before.version + 1);
    expect(Date.parse(after.expires)).toBeGreaterThan(Date.parse(before.expires));
  });

  it('two nodes due at once: one re-signs timestamp, the other re-reads and finds nothing due; both serve it', async () => {
    const before = (await tuf.status(admin)).timestamp!;
    const served = await other.files.metadataFile('timestamp.json');
    const at = new Date(Date.now() + 30 * 3_600_000);
    const results = await Promise.all([refresh.refreshTimestamp(at), other.refresh.refreshTimestamp(at)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await tuf.status(admin)).timestamp!.version).toBe(before.version + 1);
    // Without the lock, the version key decides: the same version published again is refused whole.
    await expect(
      other.repo.publish(new Map([['timestamp.json', await files.metadataFile('timestamp.json')]])),
    ).rejects.toBeInstanceOf(PublicationConflict);
    // The other node serves the new timestamp once its head cache (a few seconds) has passed.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + OTA_HEAD_TTL_MS + 1000 });
    try {
      const now = await other.files.metadataFile('timestamp.json');
      expect(now).not.toEqual(served);
      expect(now).toEqual(await files.metadataFile('timestamp.json'));
    } finally {
      vi.useRealTimers();
    }
  });

  it('re-signs snapshot past half its lifetime (timestamp over it), and alarms daily as targets near expiry', async () => {
    const before = await tuf.status(admin);
    const day = 86_400_000;
    // 16 days on: snapshot (30 days) is past half its lifetime; the refresh must renew it, not only timestamp.
    const later = new Date(Date.now() + 16 * day);
    expect(await refresh.refreshTimestamp(later)).toBe(true);
    const after = await tuf.status(admin);
    expect(after.snapshot!.version).toBe(before.snapshot!.version + 1);
    expect(Date.parse(after.snapshot!.expires)).toBeGreaterThan(later.getTime() + 29 * day);
    expect(after.timestamp!.version).toBe(before.timestamp!.version + 1);
    // The timestamp pins the new consistent-snapshot file by version and length.
    const ts = JSON.parse((await files.metadataFile('timestamp.json')).toString()) as {
      signed: { meta: { 'snapshot.json': { version: number; length: number } } };
    };
    const pinned = ts.signed.meta['snapshot.json'];
    expect(pinned.version).toBe(after.snapshot!.version);
    expect((await files.metadataFile(`${pinned.version}.snapshot.json`)).length).toBe(pinned.length);
    const alarms = () => events.filter((e) => e.type === 'hardened-os.tuf.timestamp-refresh-failed');
    expect(alarms()).toHaveLength(0);
    // Targets and root (signed offline, both expiring at `far`) within 14 days: the alarm names the offline
    // keys, once a day rather than on every tick.
    const near = new Date(Date.parse(far) - 10 * day);
    // Both nodes tick: the alarm is claimed in the database, so it is raised once, not once per node.
    await refresh.refreshTimestamp(near);
    await other.refresh.refreshTimestamp(near);
    expect(alarms()).toEqual([
      expect.objectContaining({
        data: { expires: far, reason: expect.stringMatching(/offline targets key/) as unknown },
      }),
      expect.objectContaining({
        data: { expires: far, reason: expect.stringMatching(/offline root key/) as unknown },
      }),
    ]);
    await refresh.refreshTimestamp(new Date(near.getTime() + 3_600_000));
    expect(alarms()).toHaveLength(2);
    await other.refresh.refreshTimestamp(new Date(near.getTime() + day + 60_000));
    await refresh.refreshTimestamp(new Date(near.getTime() + day + 120_000));
    expect(alarms()).toHaveLength(4);
    events.length = 0;
  });

  it('rotates root with both thresholds; refuses a rotation signed by the new keys only', async () => {
    const next = { root: [generateSigningKey(), generateSigningKey()], targets: generateSigningKey() };
    const root2 = buildRoot({
      version: 2,
      expires: far,
      roles: await roles(next),
    });
    expect(await code(tuf.importRoot(json(signMetadata<'root'>(root2, next.root)), admin, 'r'))).toBe(
      'tuf_metadata_rejected',
    );
    await tuf.importRoot(json(signMetadata<'root'>(root2, [...offline.root, ...next.root])), admin, 'r');
    // The old targets key is retired by the new root: its signatures no longer count.
    expect(await code(tuf.importTargets(await signTargets(2), admin, 'r'))).toBe('tuf_metadata_rejected');
    expect(await tuf.importTargets(await signTargets(2, next.targets), admin, 'r')).toMatchObject({
      version: 2,
    });
    Object.assign(offline, next);
  });

  it('never signs with a key marked compromised, and raises the alarm when timestamp cannot be refreshed', async () => {
    const { timestamp } = await tuf.onlineKeys(admin);
    await tuf.markCompromised(timestamp.keyid, admin, 'r');
    const before = await tuf.status(admin);
    expect(await code(tuf.importTargets(await signTargets(3), admin, 'r'))).toBe('tuf_key_refused');
    // Nothing of the refused publication is served: the previous one stands whole.
    expect(await tuf.status(admin)).toEqual(before);
    await expect(files.metadataFile('3.targets.json')).rejects.toThrow(/No metadata file/);
    expect(await refresh.refreshTimestamp(new Date(Date.now() + 23 * 3_600_000))).toBe(false);
    expect(events.at(-1)).toMatchObject({
      type: 'hardened-os.tuf.timestamp-refresh-failed',
      data: { reason: expect.stringMatching(/compromised/) as unknown },
    });
  });
});

describe('serving a payload', () => {
  it('opens it once: removed after the open it is still read whole, removed before it is a 404', async () => {
    const name = `${SHA}.full.zip`;
    const file = path.join(dir, 'payloads', SHA);
    const opened = await files.targetFile('shiba', '15.1', name);
    await rm(file);
    try {
      expect(opened.size).toBe(OTA.length);
      expect(await readTarget(opened)).toEqual(OTA);
      expect(await code(files.targetFile('shiba', '15.1', name))).toBe('tuf_metadata_not_found');
    } finally {
      await writeFile(file, OTA);
    }
  });
});
