import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ApkInspection } from '@pakawaaz/apk';
import { AppError, AuditService, platformDomain, rowsOf, sql, type Principal } from '@pakawaaz/platform';
import type { NoteSigner } from '@pakawaaz/transparency-log';
import { createTestDatabase, lockWaitOr, refusal, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appStoreDomain } from '../../src/app-store.domain.js';
import { ApkBlobStore } from '../../src/publishing/apk-blob-store.js';
import { PoliciesService } from '../../src/publishing/policies.service.js';
import { PublishingRepository } from '../../src/publishing/publishing.repository.js';
import { PublishingService } from '../../src/publishing/publishing.service.js';
import { ReviewsService } from '../../src/publishing/reviews.service.js';
import { TransparencyLogService } from '../../src/transparency/transparency-log.service.js';
import { INST_A, INST_B, inspection, principal, RSA1, anyDeveloper } from './store-fixtures.js';

function testLogSigner(): NoteSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return {
    name: 'pakawaaz.test/app-store/log',
    publicKey: Buffer.from(x, 'base64url'),
    sign: (m) => sign(null, m, privateKey),
  };
}

/*
 * The publishing and review services on PostgreSQL, with the APK inspector bound to fixed answers (the port's
 * seam: inspectApk itself is tested in @pakawaaz/apk against apksigner). Signer digests are apksigner's for
 * AOSP apksig's test APKs: RSA1 (golden-aligned-out.apk), RSA2 rotated from RSA1
 * (golden-aligned-v3-lineage-out.apk), OTHER (debuggable-boolean.apk).
 */
const RSA2 = '681b0e56a796350c08647352a4db800cc44b2adc8f4c72fa350bd05d4d50264d';
const OTHER = 'a40da80a59d170caa950cf15c18c454d47a39b26989d8b640ecd745ba71bf5dc';

/** An API token owned by `p` (identity sets onBehalfOf to the token's owner). */
const tokenOf = (p: Principal): Principal => ({
  ...p,
  actor: { type: 'api-token', id: `token-of-${p.actor.id}` },
  onBehalfOf: p.actor,
  amr: [],
  acr: null,
});
const reviewerNational = principal('rev-national', ['app-reviewer'], null);
const reviewerA = principal('rev-a', ['app-reviewer'], INST_A);
const reviewerA2 = principal('rev-a2', ['app-reviewer'], INST_A);
const reviewerB = principal('rev-b', ['app-reviewer'], INST_B);
const devA = principal('dev-a', ['developer'], INST_A);
const devB = principal('dev-b', ['developer'], INST_B);

let db: TestDatabase;
let dir: string;
let publishing: PublishingService;
let reviews: ReviewsService;
let policies: PoliciesService;
let log: TransparencyLogService;
/** What the bound inspector answers next. */
let next: ApkInspection;
let inspected: string[] = [];
/** Answers for particular bodies (uploads in flight together), else `next`. */
const answers = new Map<string, ApkInspection>();
/** Called after an inspection, before its answer is used (a test's hook for ordering racing uploads). */
let afterInspect: (text: string) => Promise<void> = () => Promise.resolve();
let repo: PublishingRepository;
let raceArrived = 0;
let releaseRace: () => void = () => undefined;
const raceGate = new Promise<void>((resolve) => (releaseRace = resolve));

const apk = inspection;

const body = (text = 'PK\u0003\u0004 an apk') => Readable.from([Buffer.from(text)]);
const publish = (
  by: Principal,
  over: Partial<ApkInspection> = {},
  track: 'pilot' | 'beta' | 'stable' = 'pilot',
) => {
  next = apk(over);
  return publishing.publish(
    { track, notes: '' },
    body(`${JSON.stringify(over)}${track}`),
    undefined,
    by,
    'req-1',
  );
};

const config = () => ({
  apkDir: dir,
  apkMaxBytes: 1024,
  logOrigin: 'pakawaaz.test/app-store/log',
  logKeyFile: '',
  catalogueKeyFile: path.join(dir, 'catalogue.jwk'),
});
const apkFiles = async () => (await readdir(dir)).filter((f) => f.endsWith('.apk')).sort();

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, appStoreDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-store-medium-'));
  repo = new PublishingRepository(db.handle);
  const audit = new AuditService(db.handle);
  const inspector = async (file: string) => {
    const text = await readFile(file, 'utf8');
    inspected.push(text);
    if (text.startsWith('not an apk')) throw new Error('zip: no end of central directory');
    // Racing uploads: each inspection waits for the other's, so both pass the early checks together.
    if (text.startsWith('race')) {
      raceArrived += 1;
      if (raceArrived === 2) releaseRace();
      await raceGate;
    }
    await afterInspect(text);
    return answers.get(text) ?? next;
  };
  publishing = new PublishingService(
    db.handle,
    config(),
    new ApkBlobStore(dir),
    repo,
    audit,
    undefined, // no worker pool: the inspector below stands in for it
    inspector,
  );
  log = new TransparencyLogService(db.handle, testLogSigner());
  reviews = new ReviewsService(db.handle, repo, publishing, audit, log, anyDeveloper);
  policies = new PoliciesService(db.handle, repo, audit);
  const orgA = await reviews.createOrg({ name: 'Ministry A apps', institutionId: INST_A }, reviewerA, 'r');
  await reviews.addMember(orgA.id, { userId: devA.actor.id }, reviewerA, 'r');
  const orgB = await reviews.createOrg({ name: 'Ministry B apps', institutionId: INST_B }, reviewerB, 'r');
  await reviews.addMember(orgB.id, { userId: devB.actor.id }, reviewerB, 'r');
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  inspected = [];
});

describe('developer organisations', () => {
  it("keeps an institution's reviewer to its own institution; vendors are national", async () => {
    expect(
      (await refusal(reviews.createOrg({ name: 'x', institutionId: INST_B }, reviewerA, 'r'))).code,
    ).toBe('outside_institution_scope');
    expect((await refusal(reviews.createOrg({ name: 'v', institutionId: null }, reviewerA, 'r'))).code).toBe(
      'outside_institution_scope',
    );
    expect((await reviews.orgs(reviewerA)).orgs.map((o) => o.name)).toEqual(['Ministry A apps']);
  });
});

describe('publishing', () => {
  it('refuses a caller who is in no organisation before reading the body', async () => {
    const stranger = principal('nobody', ['developer'], INST_A);
    expect((await refusal(publish(stranger))).code).toBe('not_a_developer');
    expect(inspected).toEqual([]);
  });

  it('stores a first version in review, pins its signer, and audits it', async () => {
    const r = await publish(devA);
    expect(inspected).toEqual([`${JSON.stringify({})}pilot`]);
    expect(r.app).toMatchObject({ packageName: 'gov.pk.mail', pinnedSigner: RSA1, mandatory: false });
    expect(r.version).toMatchObject({ versionCode: 10, state: 'in_review', track: 'pilot', findings: [] });
    expect(r.permissionDiff).toEqual({ added: ['android.permission.INTERNET'], removed: [] });
    expect(await apkFiles()).toEqual([`${r.version.apkSha256}.apk`]);
    const audit = rowsOf<{ action: string }>(
      await db.handle.db.execute(sql`select action from platform.audit_log where action like 'app-store.%'`),
    );
    expect(audit.map((a) => a.action)).toContain('app-store.version.uploaded');
  });

  it('refuses, and stores nothing for, an unrelated signer, a versionCode not above the track, an unverified APK', async () => {
    const before = await apkFiles();
    expect((await refusal(publish(devA, { versionCode: 11, signers: [OTHER] }))).code).toBe(
      'signer_mismatch',
    );
    expect((await refusal(publish(devA, { versionCode: 10 }))).code).toBe('version_code_not_increasing');
    expect((await refusal(publish(devA, { verified: false, errors: ['v2_digest_mismatch'] }))).code).toBe(
      'apk_not_verified',
    );
    expect((await refusal(publish(devA, { package: null }))).code).toBe('apk_manifest_incomplete');
    const garbage = publishing.publish(
      { track: 'pilot', notes: '' },
      body('not an apk'),
      undefined,
      devA,
      'r',
    );
    expect((await refusal(garbage)).code).toBe('apk_not_verified');
    expect(await apkFiles()).toEqual(before);
    expect((await readdir(dir)).filter((f) => f.startsWith('.upload-'))).toEqual([]);
  });

  it('counts versionCode per track, and accepts a v3 rotation from the pinned signer', async () => {
    expect((await publish(devA, { versionCode: 10 }, 'beta')).version.track).toBe('beta');
    const r = await publish(devA, { versionCode: 11, signers: [RSA2], lineage: [RSA1, RSA2] });
    expect(r.rotated).toBe(true);
    expect(r.app.lineage).toEqual([RSA1, RSA2]);
    // After the rotation, the old key alone no longer signs updates.
    expect((await refusal(publish(devA, { versionCode: 12 }))).code).toBe('signer_mismatch');
    // Two uploads of one versionCode at once: the app's row lock lets exactly one through.
    const one = (code: number) =>
      publishing.publish({ track: 'stable', notes: '' }, body(`race ${code}`), undefined, devA, 'r');
    next = apk({ versionCode: 20, signers: [RSA2], lineage: [RSA1, RSA2] });
    const raced = await Promise.allSettled([one(1), one(2)]);
    expect(raced.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = raced.find((x): x is PromiseRejectedResult => x.status === 'rejected')!;
    expect((lost.reason as AppError).code).toBe('version_code_not_increasing');
  });

  it("refuses an upload over the cap, and another organisation's package", async () => {
    next = apk({ versionCode: 99 });
    const big = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
    expect(
      (await refusal(publishing.publish({ track: 'pilot', notes: '' }, big, undefined, devA, 'r'))).code,
    ).toBe('apk_too_large');
    const declared = Readable.from([Buffer.alloc(10)]);
    expect(
      (await refusal(publishing.publish({ track: 'pilot', notes: '' }, declared, 2048, devA, 'r'))).code,
    ).toBe('apk_too_large');
    expect((await refusal(publish(devB, { versionCode: 50 }))).code).toBe('package_owned_by_another_org');
  });

  it('records policy findings (debuggable, denied permission) and shows developers only their apps', async () => {
    const r = await publish(devB, {
      package: 'gov.pk.b.tool',
      debuggable: true,
      permissions: ['android.permission.READ_SMS'],
    });
    expect(r.version.findings.map((f) => f.code)).toEqual(['permission_denied', 'debuggable']);
    expect((await publishing.apps(devB)).apps.map((a) => a.packageName)).toEqual(['gov.pk.b.tool']);
    expect((await publishing.apps(devA)).apps.map((a) => a.packageName)).toEqual(['gov.pk.mail']);
    expect((await refusal(publishing.versions(r.app.id, devA))).code).toBe('app_not_found');
  });
});

describe('review', () => {
  it("shows each reviewer its institution's queue, with the permission diff", async () => {
    const a = await reviews.queue(reviewerA);
    expect(new Set(a.items.map((i) => i.app.packageName))).toEqual(new Set(['gov.pk.mail']));
    expect((await reviews.queue(reviewerB)).items.map((i) => i.app.packageName)).toEqual(['gov.pk.b.tool']);
    expect((await reviews.queue(reviewerNational)).items.length).toBe(a.items.length + 1);
  });

  it("refuses approving a version with findings, another institution's version, and the uploader's own", async () => {
    const [b] = (await reviews.queue(reviewerB)).items;
    const approve = { decision: 'approve' as const, reason: 'looks fine' };
    expect((await refusal(reviews.decide(b!.version.id, approve, reviewerB, 'r'))).code).toBe(
      'policy_findings_unresolved',
    );
    expect((await refusal(reviews.decide(b!.version.id, approve, reviewerA, 'r'))).code).toBe(
      'app_version_not_found',
    );
    const selfReviewer = principal('dev-a', ['developer', 'app-reviewer'], INST_A);
    const [a] = (await reviews.queue(reviewerA)).items;
    expect((await refusal(reviews.decide(a!.version.id, approve, selfReviewer, 'r'))).code).toBe(
      'review_by_uploader',
    );
    // Nor through an API token the uploader owns.
    expect((await refusal(reviews.decide(a!.version.id, approve, tokenOf(selfReviewer), 'r'))).code).toBe(
      'review_by_uploader',
    );
    const rejected = await reviews.decide(
      b!.version.id,
      { decision: 'reject', reason: 'reads SMS' },
      reviewerB,
      'r',
    );
    expect(rejected.state).toBe('rejected');
  });

  it('approves with one reviewer, or with two distinct reviewers for a mandatory app', async () => {
    const items = (await reviews.queue(reviewerA)).items;
    const first = items[0]!;
    expect(
      (await reviews.decide(first.version.id, { decision: 'approve', reason: 'ok' }, reviewerA, 'r')).state,
    ).toBe('approved');
    // Approved means logged, in the approval's transaction: its leaf and a checkpoint covering it.
    expect(await log.inclusionFor(first.version.apkSha256)).toMatchObject({ leafIndex: 0, treeSize: 1 });
    await reviews.setMandatory(first.app.id, { mandatory: true }, reviewerA, 'r');
    const second = (await reviews.queue(reviewerA)).items[0]!;
    expect(second.approvalsNeeded).toBe(2);
    const once = await reviews.decide(
      second.version.id,
      { decision: 'approve', reason: 'ok' },
      reviewerA,
      'r',
    );
    expect(once.state).toBe('in_review');
    expect((await refusal(log.inclusionFor(once.apkSha256))).code).toBe('log_entry_not_found');
    expect(
      (
        await refusal(
          reviews.decide(second.version.id, { decision: 'approve', reason: 'again' }, reviewerA, 'r'),
        )
      ).code,
    ).toBe('already_reviewed');
    // The same person through their CI token is still the same person: not a second approver.
    expect(
      (
        await refusal(
          reviews.decide(second.version.id, { decision: 'approve', reason: 'ci' }, tokenOf(reviewerA), 'r'),
        )
      ).code,
    ).toBe('already_reviewed');
    const twice = await reviews.decide(
      second.version.id,
      { decision: 'approve', reason: 'ok' },
      reviewerA2,
      'r',
    );
    expect(twice.state).toBe('approved');
    expect(await log.inclusionFor(twice.apkSha256)).toMatchObject({ leafIndex: 1, treeSize: 2 });
    expect(twice.reviews.map((r) => r.reviewer)).toEqual(['operator:rev-a', 'operator:rev-a2']);
    // Withdrawn by its developer (not by another institution's), once.
    expect((await refusal(reviews.withdraw(twice.id, devB, 'r'))).code).toBe('app_version_not_found');
    expect((await reviews.withdraw(twice.id, devA, 'r')).state).toBe('withdrawn');
    expect((await refusal(reviews.withdraw(twice.id, devA, 'r'))).code).toBe('version_not_withdrawable');
  });
});

// After the tests that count apps and the review queue.
describe('racing uploads', () => {
  it('decides the signer again on the locked row: an upload by a key a concurrent upload retired is refused', async () => {
    // Upload B (signed by the pinned key RSA1) reads the app and passes its signer check; upload A, rotating
    // RSA1 -> RSA2, then commits; B's transaction must not write back the lineage A superseded.
    const pkg = 'gov.pk.rotation.race';
    await publish(devA, { package: pkg, versionCode: 1 });
    const oldKey = 'rotrace old key';
    const rotate = 'rotrace rotate';
    answers.set(oldKey, apk({ package: pkg, versionCode: 3 }));
    answers.set(rotate, apk({ package: pkg, versionCode: 2, signers: [RSA2], lineage: [RSA1, RSA2] }));
    let bChecked!: () => void;
    const bCheckedP = new Promise<void>((r) => (bChecked = r));
    let aDone!: () => void;
    const aDoneP = new Promise<void>((r) => (aDone = r));
    // B stops after its pre-transaction checks (at the policy read) until A has committed.
    const policy = repo.policy.bind(repo);
    let stalled = false;
    repo.policy = async (institutionId) => {
      if (!stalled) {
        stalled = true;
        bChecked();
        await aDoneP;
      }
      return policy(institutionId);
    };
    afterInspect = async (text) => {
      if (text === rotate) await bCheckedP;
    };
    try {
      const send = (text: string, track: 'beta' | 'stable') =>
        publishing.publish({ track, notes: '' }, body(text), undefined, devA, 'r');
      const b = send(oldKey, 'stable');
      const a = await send(rotate, 'beta').finally(() => aDone());
      expect(a.rotated).toBe(true);
      expect((await refusal(b)).code).toBe('signer_mismatch');
      const app = (await repo.appByPackage(pkg))!;
      expect(app.lineage).toEqual([RSA1, RSA2]);
      // Out of the review queue the tests below count.
      for (const v of (await publishing.versions(app.id, devA)).versions)
        await reviews.withdraw(v.id, devA, 'r');
    } finally {
      repo.policy = policy;
      afterInspect = () => Promise.resolve();
      answers.clear();
    }
  });
});

// Last: its uploads would join the review queue the tests above count.
describe('store policies', () => {
  const lenient = { permissionAllow: null, permissionDeny: [], minTargetSdk: 21, allowCleartext: true };
  const SMS = 'android.permission.READ_SMS';

  it('starts from the default, inherited; an institution sets its own, never the national one nor another’s', async () => {
    expect(await policies.get(INST_A, reviewerA)).toMatchObject({
      inherited: true,
      policy: { minTargetSdk: 35 },
      effective: { minTargetSdk: 35 },
    });
    expect((await refusal(policies.set('national', lenient, reviewerA, 'r'))).code).toBe(
      'outside_institution_scope',
    );
    expect((await refusal(policies.get(INST_B, reviewerA))).code).toBe('outside_institution_scope');
    // The built-in default is the national policy while none is stored: the floor.
    const weaker = await refusal(policies.set(INST_A, lenient, reviewerA, 'r'));
    expect([weaker.code, weaker.status, weaker.details]).toEqual([
      'policy_below_national_floor',
      422,
      { fields: ['permissionDeny', 'minTargetSdk', 'allowCleartext'] },
    ]);
    expect((await policies.get(INST_A, reviewerA)).inherited).toBe(true);
    await policies.set('national', lenient, reviewerNational, 'r');
    expect(await policies.set(INST_A, lenient, reviewerA, 'r')).toMatchObject({ inherited: false });
    expect(await policies.get(INST_A, reviewerA)).toMatchObject({ policy: lenient, effective: lenient });
    expect((await policies.get(INST_B, reviewerB)).inherited).toBe(true);
    // Stricter than the national policy: B's own.
    await policies.set(INST_B, { ...lenient, minTargetSdk: 35, allowCleartext: false }, reviewerB, 'r');
  });

  it("applies the owning organisation's institution policy to new uploads", async () => {
    // targetSdk 26 without a word on cleartext: the platform default permits it.
    const legacy = {
      targetSdk: 26,
      usesCleartextTraffic: null,
      cleartextTraffic: { permitted: true, domains: [], decidedBy: 'platform-default' as const },
    };
    const r = await publish(devA, { package: 'gov.pk.a.legacy', ...legacy });
    expect(r.version.findings).toEqual([]);
    const b = await publish(devB, { package: 'gov.pk.b.legacy', ...legacy });
    expect(b.version.findings.map((f) => f.code)).toEqual(['target_sdk_below_floor', 'cleartext_traffic']);
  });

  it("checks uploads against a national policy tightened after the institution's was stored", async () => {
    const national = {
      permissionAllow: null,
      permissionDeny: [SMS],
      minTargetSdk: 30,
      allowCleartext: false,
    };
    await policies.set('national', national, reviewerNational, 'r');
    // A's stored policy is as it was; what is in force is raised to the national one.
    expect(await policies.get(INST_A, reviewerA)).toMatchObject({
      inherited: false,
      policy: lenient,
      effective: national,
    });
    const r = await publish(devA, {
      package: 'gov.pk.a.sms',
      targetSdk: 26,
      permissions: [SMS],
      usesCleartextTraffic: true,
      cleartextTraffic: { permitted: true, domains: [], decidedBy: 'manifest' },
    });
    expect(r.version.findings.map((f) => f.code)).toEqual([
      'permission_denied',
      'target_sdk_below_floor',
      'cleartext_traffic',
    ]);
    // And A can no longer store its lenient policy again.
    const again = await refusal(policies.set(INST_A, lenient, reviewerA, 'r'));
    expect(again.details).toEqual({ fields: ['permissionDeny', 'minTargetSdk', 'allowCleartext'] });
  });
});

describe('the stored APK files', () => {
  /** A publishing service on the shared database and folder, its inspector and audit the test's. */
  const service = (answer: ApkInspection, record: AuditService['record']) =>
    new PublishingService(
      db.handle,
      config(),
      new ApkBlobStore(dir),
      repo,
      { record } as unknown as AuditService,
      undefined,
      () => Promise.resolve(answer),
    );
  it('keeps the file of an upload whose row is not committed yet when a failed upload of the same bytes cleans up', async () => {
    const audit = new AuditService(db.handle);
    const text = 'PK\u0003\u0004 the same bytes twice';
    let entered!: () => void;
    const inTransaction = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // A: its file placed and its rows inserted, it waits inside its transaction until the test lets it go.
    const a = service(apk({ package: 'gov.pk.same.bytes.a', versionCode: 1 }), async (entry, tx) => {
      const recorded = await audit.record(entry, tx);
      entered();
      await gate;
      return recorded;
    }).publish({ track: 'pilot', notes: '' }, body(text), undefined, devA, 'a');
    await inTransaction;
    // B: the same bytes (stood for by another package, so no row lock of A's holds it up); its transaction
    // fails and it removes what nothing refers to.
    let settled = false;
    const b = service(apk({ package: 'gov.pk.same.bytes.b', versionCode: 1 }), () =>
      Promise.reject(new Error('audit down')),
    )
      .publish({ track: 'pilot', notes: '' }, body(text), undefined, devA, 'b')
      .catch((err: unknown) => err)
      .finally(() => (settled = true));
    // B either finished (no committed row: the file removed under A) or waits for the digest's lock A holds.
    await lockWaitOr(db.handle, () => settled);
    release();
    const saved = await a;
    expect(await b).toMatchObject({ message: 'audit down' });
    expect(await new ApkBlobStore(dir).exists(saved.version.apkSha256)).toBe(true);
    expect(await repo.versionWithSha(saved.version.apkSha256)).toBe(true);
  });
});
