import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AuditService,
  NATIONAL_SCOPE,
  platformDomain,
  rowsOf,
  sql,
  type Db,
  type Principal,
} from '@pakawaaz/platform';
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
 * the sweep clears a backlog bigger than its batch in one run and reconciles each institution's usage counter
 * with its files. On the database the environment gives (PostgreSQL with PAKAWAAZ_REQUIRE_SERVICES=1; the
 * tests of a reservation racing the reconciliation and of a usage row held while it runs need a second
 * connection: PostgreSQL only).
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
async function reservedRow(
  who: Uploader,
  sizeBytes: number,
  recorded: number | null,
  charge = recorded ?? sizeBytes,
): Promise<string> {
  const id = randomUUID();
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
    // Files a node of an earlier release created during a rolling upgrade, no charge recorded: one from before
    // the minimum took its size, one from after it took 4 KiB. Both count, and release, their size: never more
    // than was taken (releasing 4 KiB for the first would let 1-byte uploads drive the usage to nothing).
    const older = await reservedRow(who, 1, null);
    const upgrading = await reservedRow(who, 100, null, 4096);
    const fresh = await files.create(who, tiny);
    expect((await repo.byId(fresh.id))?.chargedBytes).toBe(4096);
    expect(await usedBytes(files, inst)).toBe(100 + 1 + 4096 + 4096);
    // The uploader's share counts each file as its deletion releases it too.
    const held = await repo.transaction((tx) => repo.uploaderHoldings(inst, who, tx));
    expect(held.bytes).toBe(100 + 1 + 100 + 4096);
    await files.remove(who, legacy);
    expect(await usedBytes(files, inst)).toBe(1 + 4096 + 4096);
    await files.remove(who, older);
    expect(await usedBytes(files, inst)).toBe(4096 + 4096);
    await files.remove(who, upgrading);
    expect(await usedBytes(files, inst)).toBe(4096 + 4096 - 100);
    await files.remove(who, fresh.id);
    // What the upgrading node took beyond the size stays counted, until the sweep's reconciliation.
    expect(await usedBytes(files, inst)).toBe(4096 - 100);
    await sweeper(files).reconcile();
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

/** A sweep whose warnings are kept in `warned`. */
const sweeper = (files: FilesService, warned: object[] = []) =>
  new FilesSweepService(files, repo, {
    info: () => undefined,
    warn: (o: object) => void warned.push(o),
  } as never);

async function setUsed(institutionId: string, bytes: number): Promise<void> {
  await repo.transaction((tx) => repo.setUsed(institutionId, bytes, tx));
}

/** Sessions of the test database waiting for a lock (a row lock another transaction holds). */
const lockWaiters = async () =>
  rowsOf<{ n: number }>(
    await db.handle.db.execute(sql`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`),
  )[0]!.n;

/** Runs `work` in a transaction of its own and keeps it open, its locks held, until `end` is called. */
async function openTransaction(work: (tx: Db) => Promise<void>): Promise<{ end: () => Promise<void> }> {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const transaction = repo.transaction(async (tx) => {
    await work(tx);
    ready();
    await ended;
  });
  await Promise.race([started, transaction]);
  return {
    end: async () => {
      end();
      await transaction;
    },
  };
}

/**
 * Starts a reconciliation and waits until it has ended or waits for a lock (it shows in pg_stat_activity): no
 * timing to guess. Whether it had ended, and what it returns.
 */
async function reconcileUntilEndedOrBlocked(files: FilesService) {
  let done = false;
  const result = sweeper(files)
    .reconcile()
    .finally(() => (done = true));
  while (!done && (await lockWaiters()) === 0) await new Promise((r) => setTimeout(r, 10));
  return { ended: done, result };
}

describe('the sweep', () => {
  it('deletes every abandoned upload in one run, in batches, and releases their quota', async () => {
    const files = service({ maxUploadsInProgress: 100 });
    const sweep = sweeper(files);
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

  it('corrects an institution’s usage counter that drifted from its files, with a warning; leaves a right one', async () => {
    const files = service();
    const drifted = someone();
    const right = someone();
    await files.create(drifted, tiny);
    await files.create(drifted, { sizeBytes: 10_000, sha256: 'c'.repeat(64) });
    await files.create(right, tiny);
    await setUsed(drifted.institutionId!, 7); // a past bug released too much
    const before = (await repo.usage([right.institutionId!]))[0]!;
    const warned: object[] = [];
    const swept = await sweeper(files, warned).sweep(new Date(clock));
    expect(swept.reconciled).toBeGreaterThanOrEqual(1);
    expect(await usedBytes(files, drifted.institutionId!)).toBe(4096 + 10_000);
    expect(warned).toContainEqual({
      institutionId: drifted.institutionId,
      recordedBytes: 7,
      recomputedBytes: 4096 + 10_000,
    });
    // The right one is not rewritten (its updated_at is the reservation's) and not warned of.
    expect((await repo.usage([right.institutionId!]))[0]).toEqual(before);
    expect(warned).not.toContainEqual(expect.objectContaining({ institutionId: right.institutionId }));
    // Counted too much (a release lost) is corrected likewise; a second run finds nothing to correct.
    await setUsed(drifted.institutionId!, 1 << 30);
    expect(await sweeper(files).reconcile()).toBe(1);
    expect(await usedBytes(files, drifted.institutionId!)).toBe(4096 + 10_000);
    expect(await sweeper(files).reconcile()).toBe(0);
  });

  it('loses no reservation committed while it reconciles (it sums the files only once it holds the lock)', async (ctx) => {
    if (!db.url) ctx.skip(); // a second connection: PGlite has one
    const files = service();
    const who = someone();
    const inst = who.institutionId!;
    await files.create(who, tiny);
    await setUsed(inst, 1); // drifted: the reconciliation has work to do
    // A reservation in another transaction: the usage row raised (and locked), its file inserted, not committed.
    const reservation = await openTransaction(async (tx) => {
      await repo.reserve(inst, 4096, FILES_TEST_CONFIG.defaultQuotaBytes, tx);
      await repo.insert(
        {
          id: randomUUID(),
          institutionId: inst,
          uploaderUserId: who.userId,
          uploaderDeviceId: who.deviceId,
          state: 'uploading',
          sizeBytes: 1,
          chargedBytes: 4096,
          sha256: 'd'.repeat(64),
          retentionDays: 7,
          expiresAt: new Date(clock + 86_400_000),
        },
        tx,
      );
    });
    // The reconciliation reaches the institution and waits for the usage row's lock; then the reservation commits.
    const reconciling = await reconcileUntilEndedOrBlocked(files);
    expect(reconciling.ended).toBe(false);
    await reservation.end();
    await reconciling.result;
    expect(await usedBytes(files, inst)).toBe(4096 + 4096);
  });

  it('takes no lock where the counter is right: a transaction holding the usage row does not hold it up', async (ctx) => {
    if (!db.url) ctx.skip(); // a second connection: PGlite has one
    const files = service();
    const who = someone();
    const inst = who.institutionId!;
    await files.create(who, tiny);
    await sweeper(files).reconcile(); // every counter right
    // Another transaction holds the institution's usage row, as a reservation or a deletion would.
    const holder = await openTransaction(async (tx) => {
      expect(await repo.lockUsage(inst, tx)).toBe(4096);
    });
    const reconciling = await reconcileUntilEndedOrBlocked(files);
    await holder.end();
    expect(await reconciling.result).toBe(0);
    expect(reconciling.ended).toBe(true); // it ended while the row was held
  });

  it('stops at a shutdown: before reconciling, and between two institutions', async () => {
    const files = service();
    const a = someone();
    const b = someone();
    await files.create(a, tiny);
    await files.create(b, tiny);
    await sweeper(files).reconcile(); // every counter right, then these two drifted
    await setUsed(a.institutionId!, 1);
    await setUsed(b.institutionId!, 1);
    const stopped = sweeper(files);
    await stopped.onApplicationShutdown();
    expect((await stopped.sweep(new Date(clock))).reconciled).toBe(0);
    expect(await usedBytes(files, a.institutionId!)).toBe(1);
    expect(await usedBytes(files, b.institutionId!)).toBe(1);
    // Shut down while it corrects the first of them: the second is left for the next run.
    const sweep: FilesSweepService = new FilesSweepService(files, repo, {
      warn: () => void sweep.onApplicationShutdown(),
    } as never);
    expect(await sweep.reconcile()).toBe(1);
    const left = [await usedBytes(files, a.institutionId!), await usedBytes(files, b.institutionId!)];
    expect(left.sort((x, y) => x - y)).toEqual([1, 4096]);
  });
});
