import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import {
  AuditService,
  platformDomain,
  rowsOf,
  sql,
  type Principal,
  type ReceivedContent,
} from '@pakawaaz/platform';
import {
  createTestDatabase,
  lockWaitOr,
  operatorPrincipal,
  refusal,
  type TestDatabase,
} from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hardenedOsDomain } from '../../src/hardened-os.domain.js';
import { PayloadStore } from '../../src/payloads/payload-store.js';
import { MAX_CONCURRENT_UPLOADS, PayloadsService } from '../../src/payloads/payloads.service.js';
import { OsReleasesFacts } from '../../src/registry/os-releases.facts.js';
import { RegistryRepository } from '../../src/registry/registry.repository.js';
import { RegistryService } from '../../src/registry/registry.service.js';

const admin = operatorPrincipal('op-os-admin', ['os-admin']);
const institutional: Principal = {
  ...admin,
  actor: { type: 'operator', id: 'op-inst' },
  institutionId: '6b0c7a52-36a4-4a55-9a43-4c1ef0f7e0b1',
  scope: { kind: 'institution', institutionIds: ['6b0c7a52-36a4-4a55-9a43-4c1ef0f7e0b1'] },
};
const INST = '6b0c7a52-36a4-4a55-9a43-4c1ef0f7e0b1';
const KEY_A = 'a1'.repeat(32);
const KEY_B = 'b2'.repeat(32);
const TUF_FILES = {
  tufDir: '/nonexistent',
  tufTimestampKeyFile: '/nonexistent',
  tufSnapshotKeyFile: '/nonexistent',
};

let db: TestDatabase;
let dir: string;
let registry: RegistryService;
let payloads: PayloadsService;
let facts: OsReleasesFacts;
const published: { type: string; data: unknown }[] = [];

const release = (over: Record<string, unknown> = {}) => ({
  model: 'shiba',
  buildId: 'AP2A.240805.005',
  fingerprint: 'google/shiba/shiba:14/AP2A.240805.005/12025142:user/release-keys',
  version: '14',
  securityPatchLevel: '2024-08-05',
  channel: 'stable' as const,
  notes: '',
  ...over,
});

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, hardenedOsDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-os-medium-'));
  const repo = new RegistryRepository(db.handle);
  const audit = new AuditService(db.handle);
  facts = new OsReleasesFacts(repo);
  registry = new RegistryService(db.handle, repo, facts, audit, {
    publish: (e: { type: string; data: unknown }) => {
      published.push(e);
      return Promise.resolve();
    },
  } as never);
  const config = { payloadDir: dir, payloadMaxBytes: 1024, ...TUF_FILES };
  payloads = new PayloadsService(db.handle, config, new PayloadStore(dir), repo, audit);
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('the OS registry on PostgreSQL', () => {
  it('is national: an institution principal is refused before anything is read', async () => {
    expect((await refusal(registry.models(institutional))).code).toBe('national_only');
  });

  it('registers models and keys, audits them, and refuses duplicates and unknown models', async () => {
    await registry.addModel(
      { codename: 'shiba', manufacturer: 'Google', name: 'Pixel 8', strongBox: true },
      admin,
      'r1',
    );
    await registry.addModel({ codename: 'husky', manufacturer: 'Google', strongBox: true }, admin, 'r2');
    expect(
      (
        await refusal(
          registry.addModel({ codename: 'shiba', manufacturer: 'Google', strongBox: true }, admin, 'r3'),
        )
      ).code,
    ).toBe('device_model_exists');
    await registry.addKey({ model: 'shiba', digest: KEY_A.toUpperCase(), status: 'active' }, admin, 'r4');
    await registry.addKey({ model: 'husky', digest: KEY_B, status: 'retired' }, admin, 'r5');
    expect(
      (await refusal(registry.addKey({ model: 'shiba', digest: KEY_A, status: 'active' }, admin, 'r6'))).code,
    ).toBe('boot_key_exists');
    expect(
      (await refusal(registry.addKey({ model: 'felix', digest: KEY_A, status: 'active' }, admin, 'r7'))).code,
    ).toBe('device_model_not_found');
    expect((await registry.keys(admin, 'shiba')).keys.map((k) => k.digest)).toEqual([KEY_A]);
    const actions = rowsOf<{ action: string }>(
      await db.handle.db.execute(
        sql`select action from platform.audit_log where action like 'hardened-os.%' order by seq`,
      ),
    ).map((r) => r.action);
    expect(actions).toEqual([
      'hardened-os.model.added',
      'hardened-os.model.added',
      'hardened-os.boot-key.added',
      'hardened-os.boot-key.added',
    ]);
  });

  it("answers device management's port: our keys by model or marketing name, and compromise at once", async () => {
    expect(await facts.isOurBootKey('shiba', KEY_A)).toBe(true);
    expect(await facts.isOurBootKey('Pixel 8', KEY_A)).toBe(true);
    expect(await facts.isOurBootKey('husky', KEY_A)).toBe(false);
    expect(await facts.isOurBootKey(null, KEY_B)).toBe(true);
    expect([...(await facts.bootKeys())].sort()).toEqual([KEY_A, KEY_B]);
    await registry.setKeyStatus('shiba', KEY_A, 'compromised', admin, 'r8');
    // The change is seen at once on this node (the snapshot is dropped), not after the TTL.
    expect(await facts.bootKeyStatus('shiba', KEY_A)).toBe('compromised');
    expect(await facts.compromisedBootKeys()).toEqual([KEY_A]);
    expect(await facts.bootKeys()).toEqual([KEY_B]);
    // Once committed, device management is told (it re-evaluates the handsets booting with the key); once.
    await registry.setKeyStatus('shiba', KEY_A, 'compromised', admin, 'r8b');
    expect(published.map((e) => [e.type, e.data])).toEqual([
      ['hardened-os.boot-key.compromised', { model: 'shiba', digest: KEY_A }],
    ]);
    expect((await refusal(registry.setKeyStatus('shiba', KEY_A, 'active', admin, 'r9'))).code).toBe(
      'boot_key_compromised',
    );
  });

  it('keeps releases per model, unique by build and fingerprint, and finds the latest per channel', async () => {
    await registry.addRelease(release(), admin, 'r10');
    await registry.addRelease(
      release({
        buildId: 'AP2A.240905.003',
        fingerprint: 'google/shiba/shiba:14/AP2A.240905.003/12231197:user/release-keys',
        securityPatchLevel: '2024-09-05',
        channel: 'beta',
      }),
      admin,
      'r11',
    );
    expect((await refusal(registry.addRelease(release(), admin, 'r12'))).code).toBe('release_exists');
    expect((await facts.latestRelease('shiba', 'stable'))?.buildId).toBe('AP2A.240805.005');
    expect((await facts.latestRelease('Pixel 8', 'beta'))?.buildId).toBe('AP2A.240905.003');
    expect(await facts.latestRelease('husky', 'pilot')).toBeNull();
  });

  it('sets national and institution patch floors', async () => {
    expect(await facts.minimumPatchLevel(INST)).toBeNull();
    await registry.setFloor({ institutionId: null, minimumPatchLevel: '2024-06' }, admin, 'r13');
    await registry.setFloor({ institutionId: INST, minimumPatchLevel: '2024-09' }, admin, 'r14');
    expect(await facts.minimumPatchLevel(null)).toBe(202406);
    expect(await facts.minimumPatchLevel(INST)).toBe(202409);
    await registry.setFloor({ institutionId: INST, minimumPatchLevel: null }, admin, 'r15');
    expect(await facts.minimumPatchLevel(INST)).toBe(202406);
  });

  it('records a payload once per release, kind and base build; a refused upload stores no row', async () => {
    const [r] = (await registry.releases(admin, { model: 'shiba', channel: 'stable' })).releases;
    const full = await payloads.upload(
      r!.id,
      { kind: 'full' },
      Readable.from([Buffer.from('abc')]),
      3,
      admin,
      'r16',
    );
    expect(full.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const again = await refusal(
      payloads.upload(r!.id, { kind: 'full' }, Readable.from([Buffer.from('abd')]), 3, admin, 'r17'),
    );
    expect(again.code).toBe('payload_exists');
    // Refused before a byte was streamed: the bytes of the duplicate are not on disk.
    const abd = createHash('sha256').update('abd').digest('hex');
    expect(await new PayloadStore(dir).exists(abd)).toBe(false);
    const big = await refusal(
      payloads.upload(
        r!.id,
        { kind: 'incremental', from: 'AP2A.240705.004' },
        Readable.from([Buffer.alloc(2000)]),
        undefined,
        admin,
        'r18',
      ),
    );
    expect(big.code).toBe('payload_too_large');
    expect((await registry.release(r!.id, admin)).payloads.map((p) => p.kind)).toEqual(['full']);
  });

  it('removes the stored file when the payload cannot be recorded (unless another payload has the bytes)', async () => {
    const [r] = (await registry.releases(admin, { model: 'shiba', channel: 'stable' })).releases;
    const failing = { record: () => Promise.reject(new Error('audit down')) } as unknown as AuditService;
    const broken = new PayloadsService(
      db.handle,
      { payloadDir: dir, payloadMaxBytes: 1024, ...TUF_FILES },
      new PayloadStore(dir),
      new RegistryRepository(db.handle),
      failing,
    );
    const q = { kind: 'incremental' as const, from: 'AP2A.240605.001' };
    await expect(
      broken.upload(r!.id, q, Readable.from([Buffer.from('xyz')]), 3, admin, 'r19'),
    ).rejects.toThrow('audit down');
    expect(await new PayloadStore(dir).exists(createHash('sha256').update('xyz').digest('hex'))).toBe(false);
    // The bytes of the full payload on record ('abc') stay when a second recording of them fails.
    await expect(
      broken.upload(r!.id, q, Readable.from([Buffer.from('abc')]), 3, admin, 'r20'),
    ).rejects.toThrow('audit down');
    expect(await new PayloadStore(dir).exists(createHash('sha256').update('abc').digest('hex'))).toBe(true);
    expect((await readdir(dir)).filter((n) => n.startsWith('.upload-'))).toEqual([]);
  });

  it(`streams at most ${MAX_CONCURRENT_UPLOADS} uploads at once; the next is refused 429 payload_uploads_busy`, async () => {
    const [r] = (await registry.releases(admin, { model: 'shiba', channel: 'stable' })).releases;
    const bodies = Array.from({ length: MAX_CONCURRENT_UPLOADS }, () => new PassThrough());
    const running = bodies.map((b, i) =>
      payloads.upload(
        r!.id,
        { kind: 'incremental', from: `AP2A.2403${i}5.001` },
        b,
        undefined,
        admin,
        `r2${i}`,
      ),
    );
    const busy = await refusal(
      payloads.upload(
        r!.id,
        { kind: 'incremental', from: 'AP2A.240405.009' },
        Readable.from([]),
        0,
        admin,
        'r29',
      ),
    );
    expect([busy.code, busy.status, busy.details]).toEqual([
      'payload_uploads_busy',
      429,
      { retryAfterSeconds: 30 },
    ]);
    bodies.forEach((b, i) => b.end(`payload ${i}`));
    expect((await Promise.all(running)).map((p) => p.kind)).toEqual(
      Array(MAX_CONCURRENT_UPLOADS).fill('incremental'),
    );
    // Slots are given back: the next upload is taken.
    const next = await payloads.upload(
      r!.id,
      { kind: 'incremental', from: 'AP2A.240405.009' },
      Readable.from([Buffer.from('next')]),
      4,
      admin,
      'r30',
    );
    expect(next.sizeBytes).toBe(4);
  });

  it('ends an upload that sends nothing for the idle time: 400 payload_upload_timeout, no row, no file', async () => {
    const [r] = (await registry.releases(admin, { model: 'shiba', channel: 'stable' })).releases;
    const config = { payloadDir: dir, payloadMaxBytes: 1024, payloadUploadIdleMs: 50, ...TUF_FILES };
    const slow = new PayloadsService(
      db.handle,
      config,
      new PayloadStore(dir),
      new RegistryRepository(db.handle),
      new AuditService(db.handle),
    );
    const stalled = new PassThrough();
    stalled.write('a few bytes, then nothing');
    const q = { kind: 'incremental' as const, from: 'AP2A.240505.007' };
    const started = Date.now();
    const late = await refusal(slow.upload(r!.id, q, stalled, 1000, admin, 'r31'));
    expect([late.code, late.status]).toEqual(['payload_upload_timeout', 400]);
    expect(Date.now() - started).toBeLessThan(5000); // the configured idle time, not a default
    expect((await registry.release(r!.id, admin)).payloads.some((p) => p.fromBuildId === q.from)).toBe(false);
    expect((await readdir(dir)).filter((n) => n.startsWith('.upload-'))).toEqual([]);
  });
});

/*
 * The stored files and the rows that refer to them: two uploads of the same bytes, one failing while the
 * other's row is not yet committed; a folder fsync that fails after the rename; the files a crash left.
 */
describe('payload files and their rows', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const audit = () => new AuditService(db.handle);
  let releaseIds: string[];
  /** A payload service on the shared database and folder, with its own audit (a test's hook) and store. */
  const service = (record: AuditService['record'], store = new PayloadStore(dir)) =>
    new PayloadsService(
      db.handle,
      { payloadDir: dir, payloadMaxBytes: 1024, ...TUF_FILES },
      store,
      new RegistryRepository(db.handle),
      { record } as unknown as AuditService,
    );
  const upload = (s: PayloadsService, release: string, text: string, requestId: string) =>
    s.upload(release, { kind: 'full' }, Readable.from([Buffer.from(text)]), text.length, admin, requestId);

  beforeAll(async () => {
    await registry.addModel({ codename: 'lynx', manufacturer: 'Google', strongBox: true }, admin, 'r');
    releaseIds = [];
    for (const n of [1, 2, 3])
      releaseIds.push(
        (
          await registry.addRelease(
            release({
              model: 'lynx',
              buildId: `AP4A.25010${n}.001`,
              fingerprint: `google/lynx/lynx:15/AP4A.25010${n}.001/1:user/release-keys`,
            }),
            admin,
            'r',
          )
        ).id,
      );
  });

  it('keeps the file of an upload whose row is not committed yet when a failed upload of the same bytes cleans up', async () => {
    const text = 'the same OTA bytes';
    let entered!: () => void;
    const inTransaction = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // A: its file placed and its row inserted, it waits inside its transaction until the test lets it go.
    const a = upload(
      service(async (entry, tx) => {
        const recorded = await audit().record(entry, tx);
        entered();
        await gate;
        return recorded;
      }),
      releaseIds[0]!,
      text,
      'a',
    );
    await inTransaction;
    // B: the same bytes for another release; its transaction fails, and it removes what nothing refers to.
    let settled = false;
    const b = upload(
      service(() => Promise.reject(new Error('audit down'))),
      releaseIds[1]!,
      text,
      'b',
    )
      .catch((err: unknown) => err)
      .finally(() => (settled = true));
    // B either finished (no committed row: it removed the file under A) or waits for the digest's lock A holds.
    await lockWaitOr(db.handle, () => settled);
    release();
    expect((await a).sha256).toBe(sha(text));
    expect(await b).toMatchObject({ message: 'audit down' });
    expect(await new PayloadStore(dir).exists(sha(text))).toBe(true);
    expect(await new RegistryRepository(db.handle).payloadWithSha(sha(text))).toBe(true);
  });

  it('removes a file the rename left when the folder fsync failed, and records no row', async () => {
    class FailingSync extends PayloadStore {
      override async commit(received: ReceivedContent): Promise<string> {
        await super.commit(received); // renamed: then the fsync of the folder "fails"
        throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
      }
    }
    const text = 'bytes whose folder fsync fails';
    const a = audit();
    const failing = service(a.record.bind(a), new FailingSync(dir));
    await expect(upload(failing, releaseIds[2]!, text, 'c')).rejects.toThrow('EIO');
    expect(await new PayloadStore(dir).exists(sha(text))).toBe(false);
    expect(await new RegistryRepository(db.handle).payloadWithSha(sha(text))).toBe(false);
    expect((await readdir(dir)).filter((n) => n.startsWith('.upload-'))).toEqual([]);
  });

  it('sweeps files no row refers to once they are older than the stale time; referenced and fresh ones stay', async () => {
    const store = new PayloadStore(dir);
    const a = audit();
    const old = new Date(Date.now() - 60 * 60_000);
    const orphan = sha('left by a crash');
    const fresh = sha('an upload about to be recorded');
    await writeFile(store.fileOf(orphan), 'left by a crash');
    await utimes(store.fileOf(orphan), old, old);
    await writeFile(store.fileOf(fresh), 'an upload about to be recorded');
    const referenced = (await upload(service(a.record.bind(a)), releaseIds[2]!, 'kept', 'd')).sha256;
    await utimes(store.fileOf(referenced), old, old);
    await writeFile(path.join(dir, 'not-a-digest'), 'x');
    await utimes(path.join(dir, 'not-a-digest'), old, old);
    expect(await service(a.record.bind(a)).removeOrphans()).toBe(1);
    expect(await store.exists(orphan)).toBe(false);
    expect(await store.exists(fresh)).toBe(true);
    expect(await store.exists(referenced)).toBe(true);
    expect((await readdir(dir)).includes('not-a-digest')).toBe(true);
  });
});
