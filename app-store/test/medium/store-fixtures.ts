import path from 'node:path';
import type { ApkInspection } from '@pakawaaz/apk';
import {
  AuditService,
  createLogger,
  type DatabaseHandle,
  FileKeyBackend,
  KeyService,
  type Principal,
} from '@pakawaaz/platform';
import { operatorPrincipal } from '@pakawaaz/test-support';
import { parseSignerKey } from '@pakawaaz/transparency-log';
import { CataloguesService } from '../../src/catalogues/catalogues.service.js';
import { MemoryApkLog } from '../../src/catalogues/memory-apk-log.js';
import { ApkBlobStore } from '../../src/publishing/apk-blob-store.js';
import type { DeveloperDirectory } from '../../src/publishing/developer-directory.js';
import { PublishingRepository } from '../../src/publishing/publishing.repository.js';
import { PublishingService } from '../../src/publishing/publishing.service.js';
import { ReviewsService } from '../../src/publishing/reviews.service.js';
import type { TransparencyLogService } from '../../src/transparency/transparency-log.service.js';

export {
  APKSIG_RSA1 as RSA1,
  cleanApkInspection as inspection,
  operatorPrincipal as principal,
} from '@pakawaaz/test-support';

/*
 * What the app store's medium tests share: two institutions, the people who act in them, the APK log's key
 * (Go's sumdb/note test key, sumdb/note/note_test.go), an inspection of a policy-clean APK (test-support's:
 * RSA1 is apksigner's SHA-256 of the signer of AOSP apksig's golden-aligned-out.apk), and the publishing,
 * review and catalogue services wired as the catalogue and rollout tests use them.
 */
export const LOG_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
export const LOG_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
export const ORIGIN = 'PeterNeumann';
export const INST_A = '6b0c7a52-36a4-4a55-9a43-4c1ef0f7e0b1';
export const INST_B = '0d9f3f2e-8a52-4d0e-9a8c-2b8d6f7f1c11';

/** The reviewers and developers of the three organisations catalogueStore creates. */
export const reviewerNational = operatorPrincipal('rev-national', ['app-reviewer'], null);
export const reviewerA = operatorPrincipal('rev-a', ['app-reviewer'], INST_A);
export const reviewerB = operatorPrincipal('rev-b', ['app-reviewer'], INST_B);
export const devA = operatorPrincipal('dev-a', ['developer'], INST_A);
export const devB = operatorPrincipal('dev-b', ['developer'], INST_B);
export const devVendor = operatorPrincipal('dev-vendor', ['developer'], null);

/** Identity's directory as these tests need it: every user id names a user (the e2e tests check the scope). */
export const anyDeveloper: DeveloperDirectory = { member: (userId) => Promise.resolve(userId) };

/**
 * The approvals' side of the log: the catalogue and rollout tests give the catalogues their own in-memory log
 * (MemoryApkLog, filled as they release), so the approval's append is a no-op; the real log is
 * transparency-log.medium's.
 */
export const approvalLog = { append: () => Promise.resolve(0) } as unknown as TransparencyLogService;

/**
 * The real publishing, review and catalogue services on `db`, files and keys in `dir`: the catalogue key from
 * the platform key service, the APK log a MemoryApkLog, `inspect` standing in for the worker pool's
 * inspector and `now` for the catalogues' clock.
 */
export async function catalogueStore(
  db: DatabaseHandle,
  dir: string,
  inspect: () => ApkInspection,
  now: () => number,
) {
  const keys = new KeyService(new FileKeyBackend(), createLogger({ level: 'silent' }));
  const signer = await keys.useSigner({
    name: 'app-store-catalogue',
    file: path.join(dir, 'catalogue.jwk'),
    alg: 'ES256',
  });
  const log = new MemoryApkLog(parseSignerKey(LOG_SKEY), ORIGIN);
  const catalogues = new CataloguesService(db, signer, log);
  catalogues.now = now;
  const repo = new PublishingRepository(db);
  const audit = new AuditService(db);
  const publishing = new PublishingService(
    db,
    {
      apkDir: dir,
      apkMaxBytes: 1024,
      catalogueKeyFile: path.join(dir, 'catalogue.jwk'),
      logOrigin: 'test.local/app-store/log',
      logKeyFile: path.join(dir, 'log.jwk'),
    },
    new ApkBlobStore(dir),
    repo,
    audit,
    undefined, // no worker pool: `inspect` stands in for it
    () => Promise.resolve(inspect()),
  );
  const reviews = new ReviewsService(db, repo, publishing, audit, approvalLog, anyDeveloper, catalogues);
  await orgWith(reviews, 'Ministry A', INST_A, reviewerA, devA);
  await orgWith(reviews, 'Ministry B', INST_B, reviewerB, devB);
  await orgWith(reviews, 'Vendor', null, reviewerNational, devVendor);
  return { signer, log, catalogues, repo, audit, publishing, reviews };
}

/** A developer organisation in `institutionId` (national when null) with `developer` as its one member. */
export async function orgWith(
  reviews: ReviewsService,
  name: string,
  institutionId: string | null,
  by: Principal,
  developer: Principal,
): Promise<void> {
  const org = await reviews.createOrg({ name, institutionId }, by, 'r');
  await reviews.addMember(org.id, { userId: developer.actor.id }, by, 'r');
}
