import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ApkInspection } from '@pakawaaz/apk';
import {
  AppError,
  AuditService,
  platformDomain,
  type DevicePrincipal,
  type Principal,
  type Signer,
  ZodValidationPipe,
} from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appStoreDomain } from '../../src/app-store.domain.js';
import { indexFromDiff, verifyCatalogue, type CataloguePins } from '../../src/catalogue/index.js';
import { ApkDownloadsService } from '../../src/catalogues/apk-downloads.service.js';
import { ApkSha256Param } from '../../src/catalogues/catalogues.dto.js';
import {
  APK_MEDIA_TYPE,
  DeviceApkController,
  DeviceCatalogueController,
} from '../../src/catalogues/catalogues.controller.js';
import {
  CATALOGUE_RECHECK_MS,
  CataloguesService,
  type PublishedCatalogue,
} from '../../src/catalogues/catalogues.service.js';
import type { MemoryApkLog } from '../../src/catalogues/memory-apk-log.js';
import { ApkBlobStore } from '../../src/publishing/apk-blob-store.js';
import { PublishingRepository } from '../../src/publishing/publishing.repository.js';
import type { PublishingService } from '../../src/publishing/publishing.service.js';
import { ReviewsService } from '../../src/publishing/reviews.service.js';
import {
  anyDeveloper,
  approvalLog,
  catalogueStore,
  devA,
  devB,
  devVendor,
  INST_A,
  INST_B,
  inspection,
  LOG_VKEY,
  ORIGIN,
  reviewerA,
  reviewerB,
  reviewerNational,
} from './store-fixtures.js';

/*
 * Catalogues on the database the environment gives (PostgreSQL when reachable, else PGlite; the file runs on
 * both): built from approved versions through the real publishing and review services, the APK log a
 * MemoryApkLog (the port's seam), the key from the platform key service, and every check done by the
 * handset's own verifyCatalogue. The log key is Go's sumdb/note test key (sumdb/note/note_test.go).
 */

const device = (institutionId: string | null): DevicePrincipal => ({
  deviceId: 'dev-1',
  userId: 'u-1',
  institutionId,
  certThumbprint: 'x',
  compliance: 'compliant',
});

let db: TestDatabase;
let dir: string;
let publishing: PublishingService;
let reviews: ReviewsService;
let catalogues: CataloguesService;
let log: MemoryApkLog;
let signer: Signer;
let next: ApkInspection;
let clock = Date.UTC(2026, 11, 5);

const pins = (institution: string): CataloguePins => ({
  catalogueKey: catalogues.publicKey(),
  institution,
  logKey: LOG_VKEY,
  logOrigin: ORIGIN,
});

/** Publishes a version, logs its APK (as the log service does on approval) and approves it. */
async function release(
  by: Principal,
  reviewer: Principal,
  pkg: string,
  versionCode: number,
  track = 'stable',
  via = reviews,
) {
  next = inspection({ package: pkg, versionCode, versionName: `1.${versionCode}` });
  const body = Readable.from([Buffer.from(`${pkg}@${versionCode}`)]);
  const r = await publishing.publish({ track: track as 'stable', notes: '' }, body, undefined, by, 'req');
  log.add(pkg, r.version);
  clock += 10;
  await via.decide(r.version.id, { decision: 'approve', reason: 'ok' }, reviewer, 'req');
  return r.version;
}

const packages = (c: PublishedCatalogue) =>
  Object.keys((JSON.parse(c.index) as { apps: Record<string, unknown> }).apps);

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, appStoreDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-catalogues-medium-'));
  ({ signer, log, catalogues, publishing, reviews } = await catalogueStore(
    db.handle,
    dir,
    () => next,
    () => clock,
  ));

  await release(devA, reviewerA, 'gov.pk.a.mail', 1);
  await release(devB, reviewerB, 'gov.pk.b.payroll', 1);
  await release(devVendor, reviewerNational, 'pk.vendor.maps', 3, 'beta');
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('an institution’s catalogue', () => {
  it('offers its own apps and the vendors’, never another institution’s', async () => {
    const a = await catalogues.current(INST_A);
    const b = await catalogues.current(INST_B);
    expect(packages(a)).toEqual(['gov.pk.a.mail', 'pk.vendor.maps']);
    expect(packages(b)).toEqual(['gov.pk.b.payroll', 'pk.vendor.maps']);
    expect(a.numPackages).toBe(2);
  });

  it('verifies on the handset with the published key and the log key, for its own institution only', async () => {
    const a = await catalogues.current(INST_A);
    const v = await verifyCatalogue(a.entryJws, Buffer.from(a.index), pins(INST_A), {});
    expect(v).toMatchObject({ ok: true, entry: { institution: INST_A, timestamp: a.timestamp } });
    expect(catalogues.publicKey()).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(catalogues.publicKey()).not.toHaveProperty('d');
    const elsewhere = await verifyCatalogue(a.entryJws, Buffer.from(a.index), pins(INST_B), {});
    expect(elsewhere).toMatchObject({ ok: false, code: 'catalogue_wrong_institution' });
  });

  it('is refused by the handset when tampered with', async () => {
    const a = await catalogues.current(INST_A);
    const index = a.index.replace('gov.pk.a.mail', 'gov.pk.a.evil');
    expect(await verifyCatalogue(a.entryJws, Buffer.from(index), pins(INST_A), {})).toMatchObject({
      ok: false,
      code: 'catalogue_index_mismatch',
    });
    const [h, p, s] = a.entryJws.split('.');
    const flipped = `${h}.${p}.${s![0] === 'A' ? 'B' : 'A'}${s!.slice(1)}`;
    expect(await verifyCatalogue(flipped, Buffer.from(a.index), pins(INST_A), {})).toMatchObject({
      ok: false,
      code: 'catalogue_signature_invalid',
    });
  });
});

describe('the handset route', () => {
  const reply = () => {
    const r = { statusCode: 200, headers: {} as Record<string, string> };
    return {
      r,
      reply: {
        status: (c: number) => (r.statusCode = c),
        header: (k: string, v: string) => (r.headers[k] = v),
      },
    };
  };

  it('answers an unchanged ETag with 304 and no body, a stale one with the catalogue', async () => {
    const controller = new DeviceCatalogueController(catalogues);
    const first = reply();
    const body = await controller.catalogue(device(INST_A), undefined, first.reply);
    expect(first.r.statusCode).toBe(200);
    const etag = first.r.headers.etag!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(body?.index).toBe((await catalogues.current(INST_A)).index);
    const again = reply();
    expect(await controller.catalogue(device(INST_A), `"stale", ${etag}`, again.reply)).toBeUndefined();
    expect(again.r.statusCode).toBe(304);
    const stale = reply();
    expect(await controller.catalogue(device(INST_A), '"stale"', stale.reply)).toBeDefined();
    expect(stale.r.statusCode).toBe(200);
  });

  it('refuses a device of no institution', async () => {
    const controller = new DeviceCatalogueController(catalogues);
    const err = await controller.catalogue(device(null), undefined, reply().reply).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('catalogue_not_found');
  });
});

describe('republication', () => {
  it('after an approval: a later timestamp, and the diff from the previous index gives the new one', async () => {
    const before = await catalogues.current(INST_A);
    const v2 = await release(devA, reviewerA, 'gov.pk.a.mail', 2);
    const after = await catalogues.current(INST_A);
    expect(after.timestamp).toBeGreaterThan(before.timestamp);
    expect(after.etag).not.toBe(before.etag);
    const verified = await verifyCatalogue(after.entryJws, Buffer.from(after.index), pins(INST_A), {
      lastSeenTimestamp: before.timestamp,
    });
    expect(verified.ok).toBe(true);
    const { diff, catalogue } = await catalogues.diff(INST_A, before.timestamp);
    expect(catalogue.timestamp).toBe(after.timestamp);
    if (!verified.ok) return;
    const rebuilt = indexFromDiff(verified.entry, Buffer.from(before.index), Buffer.from(diff));
    expect(rebuilt.ok && rebuilt.index.toString('utf8')).toBe(after.index);
    expect(after.index).toContain(v2.apkSha256);
    // B's catalogue did not change: its apps are not A's.
    expect(packages(await catalogues.current(INST_B))).toEqual(['gov.pk.b.payroll', 'pk.vendor.maps']);
  });

  it('after a withdrawal the version is gone; a vendor withdrawal republishes every institution', async () => {
    const a0 = await catalogues.current(INST_A);
    const b0 = await catalogues.current(INST_B);
    const index = JSON.parse(a0.index) as { apps: Record<string, { versions: Record<string, unknown> }> };
    const vendorSha = Object.keys(index.apps['pk.vendor.maps']!.versions)[0]!;
    const { versions } = await publishing.versions(
      (await publishing.apps(reviewerNational)).apps.find((x) => x.packageName === 'pk.vendor.maps')!.id,
      reviewerNational,
    );
    clock += 1000;
    await reviews.withdraw(versions.find((v) => v.apkSha256 === vendorSha)!.id, reviewerNational, 'r');
    const a1 = await catalogues.current(INST_A);
    const b1 = await catalogues.current(INST_B);
    expect(a1.timestamp).toBeGreaterThan(a0.timestamp);
    expect(b1.timestamp).toBeGreaterThan(b0.timestamp);
    expect(packages(a1)).toEqual(['gov.pk.a.mail']);
    expect(packages(b1)).toEqual(['gov.pk.b.payroll']);
    const v = await verifyCatalogue(a1.entryJws, Buffer.from(a1.index), pins(INST_A), {});
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    const { diff } = await catalogues.diff(INST_A, a0.timestamp);
    const rebuilt = indexFromDiff(v.entry, Buffer.from(a0.index), Buffer.from(diff));
    expect(rebuilt.ok && rebuilt.index.toString('utf8')).toBe(a1.index);
  });

  it('publishes nothing new when nothing changed, and refuses a diff from an unknown timestamp', async () => {
    const a = await catalogues.current(INST_A);
    clock += 1000;
    expect((await catalogues.publish(INST_A)).timestamp).toBe(a.timestamp);
    const err = await catalogues.diff(INST_A, 12345).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('catalogue_diff_not_found');
  });

  it('another node’s publication reaches this node’s cache once it rechecks the stored version', async () => {
    clock += CATALOGUE_RECHECK_MS;
    const a = await catalogues.current(INST_A);
    const otherNode = new CataloguesService(db.handle, signer, log);
    otherNode.now = () => clock;
    const repo = new PublishingRepository(db.handle);
    const otherReviews = new ReviewsService(
      db.handle,
      repo,
      publishing,
      new AuditService(db.handle),
      approvalLog,
      anyDeveloper,
      otherNode,
    );
    await release(devA, reviewerA, 'gov.pk.a.notes', 1, 'stable', otherReviews);
    const newest = await otherNode.current(INST_A);
    expect(newest.timestamp).toBeGreaterThan(a.timestamp);
    expect(packages(newest)).toContain('gov.pk.a.notes');
    // Within the recheck interval this node still serves what it holds, without asking the database…
    expect((await catalogues.current(INST_A)).timestamp).toBe(a.timestamp);
    // …then one look-up of the stored version brings the new one.
    clock += CATALOGUE_RECHECK_MS;
    expect((await catalogues.current(INST_A)).timestamp).toBe(newest.timestamp);
  });
});

describe('the APK route', () => {
  const reply = () => {
    const r = { statusCode: 200, headers: {} as Record<string, string> };
    return {
      r,
      reply: {
        status: (c: number) => (r.statusCode = c),
        header: (k: string, v: string) => (r.headers[k] = v),
      },
    };
  };
  const route = () => new DeviceApkController(new ApkDownloadsService(catalogues, new ApkBlobStore(dir)));
  const shaOf = async (institution: string, pkg: string) => {
    const index = JSON.parse((await catalogues.current(institution)).index) as {
      apps: Record<string, { versions: Record<string, { apkSha256: string }> }>;
    };
    return Object.values(index.apps[pkg]!.versions)[0]!.apkSha256;
  };
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'served',
      (e: unknown) => (e as AppError).code,
    );

  it('serves its own institution’s APK: the bytes hash to the id, a strong ETag, immutable', async () => {
    const sha = await shaOf(INST_A, 'gov.pk.a.mail');
    const { r, reply: res } = reply();
    const file = await route().apk(device(INST_A), sha, undefined, res);
    const chunks: Buffer[] = [];
    for await (const c of file!.getStream()) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);
    expect(file!.getHeaders()).toMatchObject({ type: APK_MEDIA_TYPE, length: bytes.length });
    expect(r.headers).toEqual({ etag: `"${sha}"`, 'cache-control': 'private, max-age=31536000, immutable' });
    const again = reply();
    expect(await route().apk(device(INST_A), sha, `"${sha}"`, again.reply)).toBeUndefined();
    expect(again.r.statusCode).toBe(304);
  });

  it('is 404 for another institution’s APK, an unknown one, or a device of no institution', async () => {
    const theirs = await shaOf(INST_B, 'gov.pk.b.payroll');
    expect(await code(route().apk(device(INST_B), theirs, undefined, reply().reply))).toBe('served');
    expect(await code(route().apk(device(INST_A), theirs, undefined, reply().reply))).toBe('apk_not_found');
    const unknown = createHash('sha256').update('never published').digest('hex');
    expect(await code(route().apk(device(INST_A), unknown, undefined, reply().reply))).toBe('apk_not_found');
    const mine = await shaOf(INST_A, 'gov.pk.a.mail');
    expect(await code(route().apk(device(null), mine, undefined, reply().reply))).toBe('apk_not_found');
  });

  it('is 404 once the version is withdrawn', async () => {
    const v = await release(devA, reviewerA, 'gov.pk.a.forms', 1);
    expect(await code(route().apk(device(INST_A), v.apkSha256, undefined, reply().reply))).toBe('served');
    clock += 1000;
    await reviews.withdraw(v.id, reviewerA, 'r');
    expect(await code(route().apk(device(INST_A), v.apkSha256, undefined, reply().reply))).toBe(
      'apk_not_found',
    );
  });

  it('takes only a lower-case hex SHA-256', () => {
    const pipe = new ZodValidationPipe(ApkSha256Param);
    const sha = 'a'.repeat(64);
    expect(pipe.transform(sha)).toBe(sha);
    for (const bad of ['A'.repeat(64), 'a'.repeat(63), `${'a'.repeat(63)}g`, '../etc/passwd'])
      expect(() => pipe.transform(bad)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });
});
