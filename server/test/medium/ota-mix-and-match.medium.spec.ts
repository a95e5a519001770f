import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fetchVerifiedUpdate } from '@pakawaaz/handset-simulator';
import {
  buildRoot,
  buildTargets,
  generateSigningKey,
  localSigner,
  publishOnline,
  serializeMetadata,
  signMetadata,
} from '@pakawaaz/hardened-os/tuf';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/*
 * The lab handset's OTA client (simulators/handset/src/ota-client.ts) against a repository built with
 * hardened-os's TUF core and served over loopback: a mirror that serves the genuine, validly signed targets
 * of an earlier publication under the name the newer snapshot names (mix-and-match) must not get the
 * handset to act on it — the genuine repository, served the same way, is accepted.
 */
const OLD = Buffer.from('PK labphone full OTA 15.1 (mix-and-match)');
const NEW = Buffer.from('PK labphone full OTA 15.2 (mix-and-match)');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const EXPIRES = '2030-01-01T00:00:00Z';

const metadata = new Map<string, Buffer>();
const payloads = new Map<string, Buffer>();
let server: Server;
let serverUrl = '';
let dir = '';

const keys = {
  root: generateSigningKey(),
  targets: generateSigningKey(),
  snapshot: generateSigningKey(),
  timestamp: generateSigningKey(),
};

/** Publishes targets `version` listing `labphone/<osVersion>/full.zip` with `bytes`, snapshot = timestamp = version. */
async function publish(version: number, osVersion: string, buildId: string, patch: string, bytes: Buffer) {
  const targets = signMetadata<'targets'>(
    buildTargets({
      version,
      expires: EXPIRES,
      targets: [
        {
          name: `labphone/${osVersion}/full.zip`,
          length: bytes.length,
          sha256: sha256(bytes),
          custom: { model: 'labphone', buildId, version: osVersion, securityPatchLevel: patch, kind: 'full' },
        },
      ],
    }),
    [keys.targets],
  );
  const out = await publishOnline({
    targets,
    snapshotVersion: version,
    timestampVersion: version,
    now: new Date(),
    snapshotSigners: [localSigner(keys.snapshot)],
    timestampSigners: [localSigner(keys.timestamp)],
  });
  for (const [name, b] of out.files) metadata.set(name, b);
  payloads.set(`labphone/${osVersion}/${sha256(bytes)}.full.zip`, bytes);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    const file = url.startsWith('/ota/metadata/')
      ? metadata.get(url.slice('/ota/metadata/'.length))
      : url.startsWith('/ota/targets/')
        ? payloads.get(url.slice('/ota/targets/'.length))
        : undefined;
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': file.length }).end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(async () => {
  metadata.clear();
  payloads.clear();
  const root = signMetadata<'root'>(
    buildRoot({
      version: 1,
      expires: EXPIRES,
      roles: {
        root: { keys: [keys.root.public], threshold: 1 },
        targets: { keys: [keys.targets.public], threshold: 1 },
        snapshot: { keys: [keys.snapshot.public], threshold: 1 },
        timestamp: { keys: [keys.timestamp.public], threshold: 1 },
      },
    }),
    [keys.root],
  );
  metadata.set('1.root.json', serializeMetadata(root));
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-ota-mix-'));
  await writeFile(path.join(dir, 'root.json'), serializeMetadata(root));
  // Targets v1 lists OS 15.1; targets v2 (published by each test that needs it) lists 15.2 instead.
  await publish(1, '15.1', 'PKZ1.260101.001', '2026-01-05', OLD);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const running = {
  model: 'labphone',
  buildId: 'PKZ1.251201.001',
  version: '15.0',
  securityPatch: '2025-12-05',
};

describe("the lab handset's OTA client refuses mix-and-match", () => {
  it('accepts the genuine repository (targets v2 named by snapshot v2)', async () => {
    await publish(2, '15.2', 'PKZ1.260201.001', '2026-02-05', NEW);
    const r = await fetchVerifiedUpdate({ serverUrl, dir }, running, { version: '15.2' });
    expect(r).toMatchObject({
      ok: true,
      name: 'labphone/15.2/full.zip',
      sha256: sha256(NEW),
      target: { buildId: 'PKZ1.260201.001' },
    });
  });

  it('refuses the old, validly signed targets v1 served as 2.targets.json under snapshot v2', async () => {
    await publish(2, '15.2', 'PKZ1.260201.001', '2026-02-05', NEW);
    metadata.set('2.targets.json', metadata.get('1.targets.json')!);
    metadata.set('targets.json', metadata.get('1.targets.json')!);
    // The old targets still name a payload the handset could install (15.1, newer than what it runs).
    for (const version of ['15.2', '15.1'])
      expect(await fetchVerifiedUpdate({ serverUrl, dir }, running, { version })).toEqual({
        ok: false,
        detail: 'tuf: Version 1 of targets does not match snapshot version 2',
      });
  });

  it('a handset that verified targets v1 refuses it again when the snapshot moves on to v2', async () => {
    const first = await fetchVerifiedUpdate({ serverUrl, dir }, running, { version: '15.1' });
    expect(first).toMatchObject({ ok: true, target: { buildId: 'PKZ1.260101.001' } });
    await publish(2, '15.2', 'PKZ1.260201.001', '2026-02-05', NEW);
    metadata.set('2.targets.json', metadata.get('1.targets.json')!);
    expect(await fetchVerifiedUpdate({ serverUrl, dir }, running, { version: '15.1' })).toEqual({
      ok: false,
      detail: 'tuf: Version 1 of targets does not match snapshot version 2',
    });
  });
});
