import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditService, NATIONAL_SCOPE, platformDomain, type Principal } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { DiskBlobStore } from '../../src/files/disk-blob-store.js';
import type { FilesConfig } from '../../src/files/files.config.js';
import { FilesRepository } from '../../src/files/files.repository.js';
import { FilesService, type Uploader } from '../../src/files/files.service.js';
import { FilesSweepService } from '../../src/files/files-sweep.service.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { codeOf } from '../support/app-error.js';
import { FILES_TEST_CONFIG } from '../support/files-config.js';

/*
 * What one uploader may cost however small its files: uploads in progress are capped (under the quota's lock,
 * so concurrent creations cannot all pass), each file counts at least 4 KiB, creations are rate-limited, and
 * the sweep clears a backlog bigger than its batch in one run. On the database the environment gives
 * (PostgreSQL with PAKAWAAZ_REQUIRE_SERVICES=1).
 */

const national: Principal = {
  actor: { type: 'operator', id: 'national' },
  name: 'national',
  roles: ['chat-admin'],
  institutionId: null,
  scope: NATIONAL_SCOPE,
  amr: ['pwd'],
  acr: 'aal1',
  tokenId: 'jti',
};

let db: TestDatabase;
let dir: string;
let repo: FilesRepository;
let blobs: DiskBlobStore;
let clock = Date.UTC(2026, 11, 5, 9);

const service = (over: Partial<FilesConfig> = {}) => {
  const s = new FilesService(
    repo,
    blobs,
    { ...FILES_TEST_CONFIG, dir, ...over },
    new AuditService(db.handle),
    new DeliveryRepository(db.handle),
  );
  s.now = () => new Date(clock);
  return s;
};
const tiny = { sizeBytes: 1, sha256: 'a'.repeat(64) };
const someone = (): Uploader => ({
  userId: randomUUID(),
  institutionId: randomUUID(),
  deviceId: randomUUID(),
});

async function usedBytes(files: FilesService, institutionId: string): Promise<number> {
  const u = await files.usage(national);
  return u.items.find((i) => i.institutionId === institutionId)?.usedBytes ?? 0;
}

/** A file row reserved as an older release did: `charge` bytes taken, `recorded` on the row (null: none). */
async function reservedRow(who: Uploader, sizeBytes: number, recorded: number | null): Promise<string> {
  const id = randomUUID();
  const charge = recorded ?? 4096;
  await repo.transaction(async (tx) => {
    expect(
      await repo.reserve(who.institutionId!, charge, FILES_TEST_CONFIG.defaultQuotaBytes, tx),
    ).not.toBeNull();
    await repo.insert(
      {
        id,
        institutionId: who.institutionId!,
        uploaderUserId: who.userId,
        uploaderDeviceId: who.deviceId,
        state: 'complete',
        sizeBytes,
        chargedBytes: recorded,
        sha256: 'b'.repeat(64),
        retentionDays: 7,
        expiresAt: new Date(clock + 86_400_000),
      },
      tx,
    );
  });
  await blobs.create(id);
  return id;
}

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, secureChatDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-chat-file-limits-'));
  repo = new FilesRepository(db.handle);
  blobs = new DiskBlobStore(dir);
});

afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('one uploader’s uploads', () => {
  it('caps the uploads in progress, also against concurrent creations; a finished or cancelled one frees a place', async () => {
    const files = service({ maxUploadsInProgress: 4 });
    const phone = someone();
    const all = await Promise.allSettled(Array.from({ length: 12 }, () => files.create(phone, tiny)));
    const passed = all.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(passed).toHaveLength(4);
    const refused = await codeOf(files.create(phone, tiny));
    expect(refused).toMatchObject({ code: 'too_many_uploads', status: 409 });
    expect(refused.details).toEqual({ inProgress: 4, maxInProgress: 4 });
    // Another handset of the same official, and the same official's token, have their own places.
    await files.create({ ...phone, deviceId: randomUUID() }, tiny);
    await files.create({ ...phone, deviceId: null }, tiny);
    await files.remove(phone, passed[0]!.id);
    await files.create(phone, tiny);
    expect((await codeOf(files.create(phone, tiny))).code).toBe('too_many_uploads');
  });

  it('charges each file at least 4 KiB against the quota and the share, and releases as much', async () => {
    const files = service({ defaultQuotaBytes: 16 * 1024 });
    const who = someone();
    const made: { id: string }[] = [];
    for (let i = 0; i < 4; i++) made.push(await files.create(who, tiny));
    expect(await usedBytes(files, who.institutionId!)).toBe(16 * 1024);
    expect((await codeOf(files.create(who, tiny))).code).toBe('file_quota_exceeded');
    await files.remove(who, made[0]!.id);
    expect(await usedBytes(files, who.institutionId!)).toBe(12 * 1024);
    // The share counts files the same way: 25 % of 16 KiB is one small file.
    const quarter = service({ defaultQuotaBytes: 16 * 1024, uploaderSharePercent: 25 });
    const other = { ...someone(), institutionId: randomUUID() };
    await quarter.create(other, tiny);
    expect(await codeOf(quarter.create(other, tiny))).toMatchObject({
      code: 'file_uploader_share_exceeded',
      details: { heldBytes: 4096, shareBytes: 4096, needBytes: 4096 },
    });
  });

  it('releases exactly what each file was charged, whatever the minimum was when it was reserved', async () => {
    const files = service();
    const who = someone();
    const inst = who.institutionId!;
    // A file from before the 4 KiB minimum: reserved at its size, and backfilled (migration 0019) so.
    const legacy = await reservedRow(who, 100, 100);
    // A file a node of the previous release created during a rolling upgrade: no charge recorded, 4 KiB taken.
    const upgrading = await reservedRow(who, 100, null);
    const fresh = await files.create(who, tiny);
    expect((await repo.byId(fresh.id))?.chargedBytes).toBe(4096);
    expect(await usedBytes(files, inst)).toBe(100 + 4096 + 4096);
    // The uploader's share counts each file as it was charged too.
    const held = await repo.transaction((tx) => repo.uploaderHoldings(inst, who, tx));
    expect(held.bytes).toBe(100 + 4096 + 4096);
    await files.remove(who, legacy);
    expect(await usedBytes(files, inst)).toBe(4096 + 4096);
    await files.remove(who, upgrading);
    expect(await usedBytes(files, inst)).toBe(4096);
    await files.remove(who, fresh.id);
    expect(await usedBytes(files, inst)).toBe(0);
  });

  it('rate-limits creations per uploader with Retry-After; another uploader is not slowed', async () => {
    const files = service({ createsPerMinute: 3 });
    const phone = someone();
    for (let i = 0; i < 3; i++) await files.create(phone, tiny);
    const limited = await codeOf(files.create(phone, tiny));
    expect(limited).toMatchObject({ code: 'chat_rate_limited', status: 429 });
    expect(limited.details).toEqual({ retryAfterSeconds: 20 });
    await files.create(someone(), tiny);
    clock += 20_000; // a third of a minute: one creation back
    await files.create(phone, tiny);
  });
});

describe('the sweep', () => {
  it('deletes every abandoned upload in one run, in batches, and releases their quota', async () => {
    const files = service({ maxUploadsInProgress: 100 });
    const sweep = new FilesSweepService(files, repo, { info: () => undefined } as never);
    const who = someone();
    const made: { id: string }[] = [];
    for (let i = 0; i < 23; i++) made.push(await files.create(who, tiny));
    clock += FILES_TEST_CONFIG.abandonMs + 1000;
    const swept = await sweep.sweep(new Date(clock), 5);
    expect(swept.deleted).toBeGreaterThanOrEqual(23); // other tests' uploads are abandoned too
    expect(await usedBytes(files, who.institutionId!)).toBe(0);
    const left = await readdir(dir);
    expect(left.filter((n) => made.some((u) => n.startsWith(u.id)))).toEqual([]);
    // Their tombstones, 30 days on, are purged in batches likewise.
    clock += 31 * 86_400_000;
    expect((await sweep.sweep(new Date(clock), 5)).purged).toBeGreaterThanOrEqual(23);
  });
});
