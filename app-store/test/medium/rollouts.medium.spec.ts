import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ApkInspection } from '@pakawaaz/apk';
import {
  AppError,
  AuditService,
  createLogger,
  platformDomain,
  rowsOf,
  type Principal,
} from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appStoreDomain } from '../../src/app-store.domain.js';
import { CATALOGUE_RECHECK_MS, CataloguesService } from '../../src/catalogues/catalogues.service.js';
import type { MemoryApkLog } from '../../src/catalogues/memory-apk-log.js';
import { PublishingRepository } from '../../src/publishing/publishing.repository.js';
import type { PublishingService } from '../../src/publishing/publishing.service.js';
import { ReviewsService } from '../../src/publishing/reviews.service.js';
import { AppRolloutEngine, MAX_DEVICES_PER_PASS } from '../../src/rollouts/app-rollout-engine.service.js';
import { inRollout, installKeyPrefix } from '../../src/rollouts/app-rollout-rules.js';
import { AppRolloutInput } from '../../src/rollouts/app-rollouts.dto.js';
import { AppRolloutsRepository } from '../../src/rollouts/app-rollouts.repository.js';
import { AppRolloutsService } from '../../src/rollouts/app-rollouts.service.js';
import { MemoryFleet } from './memory-fleet.js';
import {
  catalogueStore,
  devA,
  devB,
  devVendor,
  INST_A,
  INST_B,
  inspection,
  principal,
  reviewerA,
  reviewerB,
  reviewerNational,
} from './store-fixtures.js';

/*
 * App rollouts on the database the environment gives, through the real publishing, review, catalogue and
 * rollout services; the handsets are a MemoryFleet (the APP_FLEET port's seam: device-mgmt's binding has its
 * own tests). Institution A has 1,200 handsets (more than one fleet page), B 30.
 */

const reviewerA2 = principal('rev-a-2', ['app-reviewer'], INST_A);

const A_DEVICES = Array.from({ length: 1200 }, (_, i) => `a-${String(i).padStart(4, '0')}`);
const B_DEVICES = Array.from({ length: 30 }, (_, i) => `b-${String(i).padStart(4, '0')}`);

let db: TestDatabase;
let dir: string;
let publishing: PublishingService;
let reviews: ReviewsService;
let catalogues: CataloguesService;
let log: MemoryApkLog;
let fleet: MemoryFleet;
let engine: AppRolloutEngine;
let rollouts: AppRolloutsService;
let next: ApkInspection;
let clock = Date.UTC(2026, 11, 5);

/** Publishes a version, logs its APK and approves it (by each of `approvers`). */
async function release(
  by: Principal,
  approvers: Principal[],
  pkg: string,
  versionCode: number,
  track = 'stable',
) {
  next = inspection({ package: pkg, versionCode, versionName: `1.${versionCode}` });
  const body = Readable.from([Buffer.from(`${pkg}@${versionCode}`)]);
  const r = await publishing.publish({ track: track as 'stable', notes: '' }, body, undefined, by, 'req');
  log.add(pkg, r.version);
  clock += CATALOGUE_RECHECK_MS;
  for (const reviewer of approvers)
    await reviews.decide(r.version.id, { decision: 'approve', reason: 'ok' }, reviewer, 'req');
  return { ...r.version, appId: r.app.id };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e as AppError).code,
  );
const packages = async (institutionId: string) =>
  Object.keys((JSON.parse((await catalogues.current(institutionId)).index) as { apps: object }).apps);

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, appStoreDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-rollouts-medium-'));
  const logger = createLogger({ level: 'silent' });
  let repo: PublishingRepository;
  let audit: AuditService;
  ({ log, catalogues, repo, audit, publishing, reviews } = await catalogueStore(
    db.handle,
    dir,
    () => next,
    () => clock,
  ));

  fleet = new MemoryFleet();
  fleet.addDevices(INST_A, A_DEVICES);
  fleet.addDevices(INST_B, B_DEVICES);
  const rolloutsRepo = new AppRolloutsRepository(db.handle);
  engine = new AppRolloutEngine(db.handle, rolloutsRepo, repo, audit, fleet, logger);
  rollouts = new AppRolloutsService(db.handle, rolloutsRepo, repo, reviews, engine, audit, logger);
  // Both institutions' handsets have fetched their catalogue (a vendor's app is offered where one exists).
  await catalogues.current(INST_A);
  await catalogues.current(INST_B);
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const auditActions = async (target: string) => {
  const rows = rowsOf<{ action: string }>(
    await db.handle.db.execute(
      sql`select action from platform.audit_log where target = ${target} order by seq`,
    ),
  );
  return rows.map((r) => r.action);
};

describe('a staged rollout', () => {
  let version: Awaited<ReturnType<typeof release>>;
  let id: string;
  const installsOf = () => fleet.commandsWith(installKeyPrefix(version.id));

  it('installs on its share of the institution’s handsets, and widening keeps the earlier ones', async () => {
    version = await release(devA, [reviewerA], 'gov.pk.a.mail', 1);
    const started = await rollouts.start(
      { versionId: version.id, institutionId: INST_A, percent: 10 },
      reviewerA,
      'req',
    );
    id = started.id;
    expect(started).toMatchObject({ state: 'running', percent: 10, createdByName: 'rev-a' });
    const at10 = A_DEVICES.filter((d) => inRollout(version.appId, d, 10));
    expect(
      installsOf()
        .map((c) => c.deviceId)
        .sort(),
    ).toEqual(at10);
    expect(installsOf()[0]).toMatchObject({
      type: 'install_app',
      params: { package: 'gov.pk.a.mail', versionCode: 1, apkSha256: version.apkSha256 },
      key: `app:install:${version.id}:${id}:${installsOf()[0]!.deviceId}`,
    });
    expect(started.figures).toMatchObject({ targeted: at10.length, queued: at10.length, installed: 0 });

    await rollouts.setPercent(id, 50, reviewerA, 'req');
    const at50 = A_DEVICES.filter((d) => inRollout(version.appId, d, 50));
    const now = installsOf().map((c) => c.deviceId);
    expect(now.sort()).toEqual(at50);
    expect(at10.every((d) => now.includes(d))).toBe(true);
    expect(await code(rollouts.setPercent(id, 20, reviewerA, 'req'))).toBe('percent_not_increasing');
    expect(await auditActions(`app-rollout:${id}`)).toEqual([
      'app-store.rollout.started',
      'app-store.rollout.widened',
    ]);
  });

  it('queues each install once across ticks, and none for handsets that have the version', async () => {
    const before = installsOf().length;
    await engine.tick();
    await engine.tick();
    expect(installsOf().length).toBe(before);
    // A handset outside the share that installed it by hand, and one of a newer version: nothing queued.
    const outside = A_DEVICES.find((d) => !inRollout(version.appId, d, 50))!;
    fleet.report(outside, { package: 'gov.pk.a.mail', versionCode: 2, crashes: 0 });
    await rollouts.setPercent(id, 100, reviewerA, 'req');
    expect(installsOf().some((c) => c.deviceId === outside)).toBe(false);
    expect(installsOf().length).toBe(A_DEVICES.length - 1);
    expect(fleet.commands.some((c) => c.deviceId.startsWith('b-'))).toBe(false);
  });

  it('pauses (no new installs), resumes, and completes once every handset has the version', async () => {
    await rollouts.pause(id, reviewerA, 'req');
    expect(await code(rollouts.pause(id, reviewerA, 'req'))).toBe('rollout_state_conflict');
    await rollouts.resume(id, reviewerA, 'req');
    const installs = installsOf();
    for (const c of installs.slice(0, 100)) fleet.settle(c, 'succeeded');
    await engine.tick();
    expect((await rollouts.get(id, reviewerA)).state).toBe('running');
    for (const c of installs.slice(100)) fleet.settle(c, 'succeeded');
    await engine.tick();
    const done = await rollouts.get(id, reviewerA);
    expect(done).toMatchObject({
      state: 'completed',
      figures: { installed: A_DEVICES.length - 1, failures: 0 },
    });
    expect(await auditActions(`app-rollout:${id}`)).toContain('app-store.rollout.completed');
  });
});

describe('the automatic halt', () => {
  it('halts on crashes reported by handsets that installed the version, with the reason in figures', async () => {
    const v = await release(devA, [reviewerA], 'gov.pk.a.crashy', 1);
    const r = await rollouts.start({ versionId: v.id, institutionId: INST_A, percent: 5 }, reviewerA, 'req');
    const installs = fleet.commandsWith(installKeyPrefix(v.id));
    // 5 % of institution A's 1,200 handsets, drawn by a hash salted with the app's random id: binomial,
    // mean 60, sd 7.5. 25 is 4.6 sd below (it was 40, 2.7 sd: it failed 1 run in ~200 — 39 once).
    expect(installs.length).toBeGreaterThan(25);
    for (const c of installs) fleet.settle(c, 'succeeded');
    await engine.tick();
    expect((await rollouts.get(r.id, reviewerA)).state).toBe('running');
    for (const c of installs.slice(0, 5))
      fleet.report(c.deviceId, { package: 'gov.pk.a.crashy', versionCode: 1, crashes: 3 });
    await engine.tick();
    const halted = await rollouts.get(r.id, reviewerA);
    expect(halted.state).toBe('halted');
    expect(halted.haltReason).toMatch(
      new RegExp(
        `\\(5 of ${installs.length} devices: 0 failed installs, 5 crashing, 0 failed attestation\\)`,
      ),
    );
    expect(await auditActions(`app-rollout:${r.id}`)).toEqual([
      'app-store.rollout.started',
      'app-store.rollout.halted',
    ]);
    // Halted: widening is refused, and no tick queues more.
    expect(await code(rollouts.setPercent(r.id, 50, reviewerA, 'req'))).toBe('rollout_state_conflict');
    await engine.tick();
    expect(fleet.commandsWith(installKeyPrefix(v.id)).length).toBe(installs.length);
  });

  it('halts on failed installs, but not below minDevices', async () => {
    const v = await release(devA, [reviewerA], 'gov.pk.a.broken', 1);
    const r = await rollouts.start({ versionId: v.id, institutionId: INST_A, percent: 5 }, reviewerA, 'req');
    const installs = fleet.commandsWith(installKeyPrefix(v.id));
    for (const c of installs.slice(0, 4)) fleet.settle(c, 'failed', 'apk_signer_mismatch: x');
    await engine.tick();
    expect((await rollouts.get(r.id, reviewerA)).state).toBe('running');
    fleet.settle(installs[4]!, 'failed', 'install_failed_insufficient_storage');
    await engine.tick();
    const halted = await rollouts.get(r.id, reviewerA);
    expect(halted).toMatchObject({ state: 'halted', figures: { failed: 5, attempted: 5, failureRate: 1 } });
    expect(halted.haltReason).toMatch(/^failure rate 100\.0% \(5 of 5 devices: 5 failed installs/);
  });

  it('counts attestation failures of handsets that installed it', async () => {
    const v = await release(devA, [reviewerA], 'gov.pk.a.rooty', 1);
    const r = await rollouts.start(
      { versionId: v.id, institutionId: INST_A, percent: 5, minDevices: 10, failureThreshold: 0.2 },
      reviewerA,
      'req',
    );
    const installs = fleet.commandsWith(installKeyPrefix(v.id)).slice(0, 10);
    for (const c of installs) fleet.settle(c, 'succeeded');
    for (const c of installs.slice(0, 3)) fleet.device(c.deviceId).attestationFailed = true;
    await engine.tick();
    const halted = await rollouts.get(r.id, reviewerA);
    expect(halted.state).toBe('halted');
    expect(halted.haltReason).toContain('3 failed attestation');
    for (const c of installs.slice(0, 3)) fleet.device(c.deviceId).attestationFailed = false;
  });
});

describe('a version withdrawn without a kill', () => {
  it('halts its running rollouts: no more installs of it', async () => {
    const v = await release(devA, [reviewerA], 'gov.pk.a.pulled', 1);
    const r = await rollouts.start({ versionId: v.id, institutionId: INST_A, percent: 5 }, reviewerA, 'req');
    const before = fleet.commandsWith(installKeyPrefix(v.id)).length;
    await reviews.withdraw(v.id, reviewerA, 'req');
    await rollouts.setPercent(r.id, 50, reviewerA, 'req').catch(() => undefined);
    await engine.tick();
    expect(await rollouts.get(r.id, reviewerA)).toMatchObject({
      state: 'halted',
      haltReason: 'version withdrawn',
    });
    expect(fleet.commandsWith(installKeyPrefix(v.id)).filter((c) => c.state === 'queued')).toEqual([]);
    expect(fleet.commandsWith(installKeyPrefix(v.id)).length).toBe(before);
  });
});

describe('the limits of a rollout', () => {
  it('asks at most 10,000 devices before weighing (more would never halt)', () => {
    const input = { versionId: INST_A, institutionId: INST_A, percent: 5 };
    expect(AppRolloutInput.safeParse({ ...input, minDevices: 10_000 }).success).toBe(true);
    expect(AppRolloutInput.safeParse({ ...input, minDevices: 10_001 }).success).toBe(false);
  });
});

describe('a completed rollout', () => {
  it('is still weighed while it soaks, and halted on crashes reported after it completed', async () => {
    const v = await release(devB, [reviewerB], 'gov.pk.b.soak', 1);
    const r = await rollouts.start(
      { versionId: v.id, institutionId: INST_B, percent: 100 },
      reviewerB,
      'req',
    );
    const installs = fleet.commandsWith(installKeyPrefix(v.id));
    expect(installs.length).toBe(B_DEVICES.length);
    for (const c of installs) fleet.settle(c, 'succeeded');
    await engine.tick();
    expect((await rollouts.get(r.id, reviewerB)).state).toBe('completed');
    // The crash reports come at the next check-ins.
    for (const c of installs.slice(0, 5))
      fleet.report(c.deviceId, { package: 'gov.pk.b.soak', versionCode: 1, crashes: 2 });
    await engine.tick();
    const halted = await rollouts.get(r.id, reviewerB);
    expect(halted.state).toBe('halted');
    expect(halted.haltReason).toMatch(/^failure rate 16\.7% \(5 of 30 devices/);
    for (const c of installs.slice(0, 5))
      fleet.report(c.deviceId, { package: 'gov.pk.b.soak', versionCode: 1, crashes: 0 });
  });
});

describe('what handsets say of themselves', () => {
  it('halts no rollout: only handsets it was installed on are weighed', async () => {
    const v = await release(devA, [reviewerA], 'gov.pk.a.framed', 1);
    const r = await rollouts.start({ versionId: v.id, institutionId: INST_A, percent: 5 }, reviewerA, 'req');
    // Handsets outside the share, never given the install, report it crashing; the share's expire unanswered.
    for (const d of A_DEVICES.filter((d) => !inRollout(v.appId, d, 5)).slice(0, 10))
      fleet.report(d, { package: 'gov.pk.a.framed', versionCode: 1, crashes: 5 });
    for (const c of fleet.commandsWith(installKeyPrefix(v.id))) fleet.settle(c, 'expired');
    await engine.tick();
    expect(await rollouts.get(r.id, reviewerA)).toMatchObject({
      state: 'running',
      figures: { attempted: 0, crashing: 0 },
    });
  });
});

describe('mandatory apps', () => {
  it('go to every handset of the institution that lacks them, and to no other institution’s', async () => {
    const first = await release(devA, [reviewerA], 'gov.pk.a.tracker', 1);
    await reviews.setMandatory(first.appId, { mandatory: true }, reviewerA, 'req');
    const v = await release(devA, [reviewerA, reviewerA2], 'gov.pk.a.tracker', 2);
    fleet.report(A_DEVICES[7]!, { package: 'gov.pk.a.tracker', versionCode: 2, crashes: 0 });
    await engine.tick();
    const installs = fleet.commandsWith(installKeyPrefix(v.id));
    expect(installs.map((c) => c.deviceId).sort()).toEqual(A_DEVICES.filter((d) => d !== A_DEVICES[7]));
    expect(installs.every((c) => c.params.package === 'gov.pk.a.tracker')).toBe(true);
    // Nothing of version 1 (not the newest), nothing twice on the next tick.
    expect(fleet.commandsWith(installKeyPrefix(first.id))).toHaveLength(0);
    await engine.tick();
    expect(fleet.commandsWith(installKeyPrefix(v.id)).length).toBe(installs.length);
  });

  it('one reviewer cannot force an install on every handset: a version approved by one person waits for a second', async () => {
    const approve = { decision: 'approve' as const, reason: 'ok' };
    const v = await release(devA, [reviewerA], 'gov.pk.a.lonely', 1);
    await reviews.setMandatory(v.appId, { mandatory: true }, reviewerA, 'req');
    await engine.tick();
    expect(fleet.commandsWith(installKeyPrefix(v.id))).toHaveLength(0);
    // It is in the review queue again, for its second approver.
    const waiting = (await reviews.queue(reviewerA2)).items.find((i) => i.version.id === v.id);
    expect(waiting).toMatchObject({ approvalsNeeded: 2, version: { state: 'approved' } });
    // The same person again (or through a token of theirs) is refused; a second person's approval counts.
    expect(await code(reviews.decide(v.id, approve, reviewerA, 'req'))).toBe('already_reviewed');
    const co = await reviews.decide(v.id, approve, reviewerA2, 'req');
    expect(co.state).toBe('approved');
    expect(co.reviews.map((r) => r.reviewer)).toEqual(['operator:rev-a', 'operator:rev-a-2']);
    await engine.tick();
    expect(fleet.commandsWith(installKeyPrefix(v.id))).toHaveLength(A_DEVICES.length);
    expect((await reviews.queue(reviewerA2)).items.some((i) => i.version.id === v.id)).toBe(false);
    // A co-approval is for mandatory apps only: an approved version of another app takes no more reviews.
    const plain = await release(devA, [reviewerA], 'gov.pk.a.plain', 1);
    expect(await code(reviews.decide(plain.id, approve, reviewerA2, 'req'))).toBe('version_not_in_review');
  });

  it('are pushed through a rollout of the system, which the automatic halt weighs', async () => {
    const first = await release(devB, [reviewerB], 'gov.pk.b.must', 1);
    await reviews.setMandatory(first.appId, { mandatory: true }, reviewerB, 'req');
    await reviews.decide(
      first.id,
      { decision: 'approve', reason: 'ok' },
      principal('rev-b-3', ['app-reviewer'], INST_B),
      'req',
    );
    await engine.tick();
    const pushed = (await rollouts.list({ institutionId: INST_B }, reviewerB)).rollouts.find(
      (r) => r.versionId === first.id,
    );
    expect(pushed).toMatchObject({ percent: 100, state: 'running', createdByName: 'app store rollouts' });
    const installs = fleet.commandsWith(installKeyPrefix(first.id));
    expect(installs).toHaveLength(B_DEVICES.length);
    for (const c of installs) fleet.settle(c, 'succeeded');
    for (const c of installs.slice(0, 5))
      fleet.report(c.deviceId, { package: 'gov.pk.b.must', versionCode: 1, crashes: 1 });
    await engine.tick();
    expect((await rollouts.get(pushed!.id, reviewerB)).state).toBe('halted');
    // Halted there: the rule pushes that version no more, not even to a handset that lost it.
    const lost = fleet.device(installs[0]!.deviceId);
    lost.apps = lost.apps.filter((a) => a.package !== 'gov.pk.b.must');
    await engine.tick();
    expect(fleet.commandsWith(installKeyPrefix(first.id))).toHaveLength(B_DEVICES.length);
    await reviews.setMandatory(first.appId, { mandatory: false }, reviewerB, 'req');
  });

  it('a rollout of the app governs the share instead', async () => {
    const first = await release(devB, [reviewerB], 'gov.pk.b.badge', 1);
    await reviews.setMandatory(first.appId, { mandatory: true }, reviewerB, 'req');
    const principalB2 = principal('rev-b-2', ['app-reviewer'], INST_B);
    const v2 = await release(devB, [reviewerB, principalB2], 'gov.pk.b.badge', 2);
    // Started before any tick: the version goes to its 10 % only.
    const r = await rollouts.start(
      { versionId: v2.id, institutionId: INST_B, percent: 10 },
      reviewerB,
      'req',
    );
    await engine.tick();
    const expected = B_DEVICES.filter((d) => inRollout(v2.appId, d, 10));
    expect(
      fleet
        .commandsWith(installKeyPrefix(v2.id))
        .map((c) => c.deviceId)
        .sort(),
    ).toEqual(expected);
    expect(expected.length).toBeLessThan(B_DEVICES.length);
    expect(r.state).toBe('running');
    // Paused: widened, but nothing new is queued until it resumes.
    await rollouts.pause(r.id, reviewerB, 'req');
    await rollouts.setPercent(r.id, 100, reviewerB, 'req');
    await engine.tick();
    expect(fleet.commandsWith(installKeyPrefix(v2.id)).length).toBe(expected.length);
    await rollouts.resume(r.id, reviewerB, 'req');
    expect(fleet.commandsWith(installKeyPrefix(v2.id)).length).toBe(B_DEVICES.length);
  });
});

describe('a halt', () => {
  it('cancels the installs that have not reached handsets, and a later rollout reaches them again', async () => {
    const v = await release(devB, [reviewerB], 'gov.pk.b.forms', 1);
    const r = await rollouts.start(
      { versionId: v.id, institutionId: INST_B, percent: 100 },
      reviewerB,
      'req',
    );
    const first = fleet.commandsWith(installKeyPrefix(v.id));
    expect(first).toHaveLength(B_DEVICES.length);
    // Three installed it, one has it on its screen (delivered, not acknowledged), the rest wait.
    for (const c of first.slice(0, 3)) fleet.settle(c, 'succeeded');
    first[3]!.state = 'delivered';
    const halted = await rollouts.halt(r.id, { reason: 'wrong server URL' }, reviewerB, 'req');
    expect(halted.state).toBe('halted');
    expect(first.slice(0, 3).every((c) => c.state === 'succeeded')).toBe(true);
    expect(first.slice(3).every((c) => c.state === 'cancelled')).toBe(true);
    expect(first[3]!.detail).toBe('rollout halted: wrong server URL');
    // Figures: cancelled installs are no attempt (3 of 3 succeeded, none failed).
    expect(halted.figures).toMatchObject({
      installed: 3,
      attempted: 3,
      failures: 0,
      queued: B_DEVICES.length,
    });
    // The tick has nothing left to cancel, and queues nothing for a halted rollout.
    await engine.tick();
    expect(fleet.commandsWith(installKeyPrefix(v.id))).toHaveLength(B_DEVICES.length);

    // The server fixed, a new rollout of the same version reaches the handsets the halt left without it.
    const again = await rollouts.start(
      { versionId: v.id, institutionId: INST_B, percent: 100 },
      reviewerB,
      'req',
    );
    const second = fleet.commandsWith(`app:install:${v.id}:${again.id}:`);
    expect(second.map((c) => c.deviceId).sort()).toEqual(B_DEVICES.slice(3).sort());
    expect(second.every((c) => c.state === 'queued')).toBe(true);
    expect(again.figures).toMatchObject({ targeted: B_DEVICES.length, installed: 3, attempted: 3 });
    for (const c of second) fleet.settle(c, 'succeeded');
    await engine.tick();
    expect((await rollouts.get(again.id, reviewerB)).state).toBe('completed');
  });

  it('an automatic halt cancels too, and only its own rollout’s installs', async () => {
    const v = await release(devVendor, [reviewerNational], 'pk.vendor.notes', 1);
    const inA = await rollouts.start(
      { versionId: v.id, institutionId: INST_A, percent: 5 },
      reviewerNational,
      'r',
    );
    const inB = await rollouts.start(
      { versionId: v.id, institutionId: INST_B, percent: 100 },
      reviewerNational,
      'r',
    );
    const ofA = fleet.commandsWith(`app:install:${v.id}:${inA.id}:`);
    const ofB = fleet.commandsWith(`app:install:${v.id}:${inB.id}:`);
    expect(ofA.length).toBeGreaterThan(40);
    for (const c of ofA.slice(0, 5)) fleet.settle(c, 'failed', 'install_failed_insufficient_storage');
    await engine.tick();
    expect((await rollouts.get(inA.id, reviewerNational)).state).toBe('halted');
    expect(
      ofA
        .slice(5)
        .every((c) => c.state === 'cancelled' && c.detail!.startsWith('rollout halted: failure rate')),
    ).toBe(true);
    // The same vendor version's rollout in B goes on.
    expect((await rollouts.get(inB.id, reviewerNational)).state).toBe('running');
    expect(ofB.every((c) => c.state === 'queued')).toBe(true);
    await rollouts.halt(inB.id, { reason: 'done here' }, reviewerNational, 'r');
  });

  it('halted where no fleet is bound, the next tick of a node with one cancels its installs', async () => {
    const v = await release(devB, [reviewerB], 'gov.pk.b.leave', 1);
    const r = await rollouts.start(
      { versionId: v.id, institutionId: INST_B, percent: 100 },
      reviewerB,
      'req',
    );
    const rolloutsRepo = new AppRolloutsRepository(db.handle);
    const fleetless = new AppRolloutEngine(
      db.handle,
      rolloutsRepo,
      new PublishingRepository(db.handle),
      new AuditService(db.handle),
    );
    await fleetless.halt(r.id, 'from a node without devices', ['running'], null);
    const installs = fleet.commandsWith(installKeyPrefix(v.id));
    expect(installs.every((c) => c.state === 'queued')).toBe(true);
    await engine.tick();
    expect(installs.every((c) => c.state === 'cancelled')).toBe(true);
    expect((await rolloutsRepo.get(r.id))?.installsCancelledAt).toBeInstanceOf(Date);
  });
});

describe('an institution larger than one pass', () => {
  it('is walked over several ticks from a cursor, wrapping around, with whole figures and completion', async () => {
    engine.maxDevicesPerPass = 500; // a page of the fleet is 1,000: one page per pass, A's 1,200 in two
    try {
      const v = await release(devA, [reviewerA], 'gov.pk.a.big', 1);
      const r = await rollouts.start(
        { versionId: v.id, institutionId: INST_A, percent: 100 },
        reviewerA,
        'r',
      );
      const installs = () => fleet.commandsWith(installKeyPrefix(v.id));
      // The start's pass: the first 1,000 handsets by id, the cursor at the 1,000th.
      expect(installs().map((c) => c.deviceId)).toEqual(A_DEVICES.slice(0, 1000));
      const row = await new AppRolloutsRepository(db.handle).get(r.id);
      expect(row?.cursor).toBe(A_DEVICES[999]);
      // The next tick goes on from there to the last handset (the cycle ends) ...
      await engine.tick();
      expect(installs().map((c) => c.deviceId)).toEqual(A_DEVICES);
      const afterCycle = await new AppRolloutsRepository(db.handle).get(r.id);
      expect(afterCycle?.cursor).toBeNull();
      expect(afterCycle?.sweep?.last).toMatchObject({
        targeted: A_DEVICES.length,
        queued: A_DEVICES.length,
        installed: 0,
      });
      // A node that read the rollout before that pass makes it again: the cursor moved, its pass is not kept.
      for (const c of installs().slice(1000, -1)) fleet.settle(c, 'succeeded');
      await engine.reconcile(row!);
      expect((await new AppRolloutsRepository(db.handle).get(r.id))?.sweep?.last).toMatchObject({
        installed: 0,
      });
      // ... and the operator is shown the whole cycle's figures, not one pass's.
      expect((await rollouts.get(r.id, reviewerA)).figures).toMatchObject({
        targeted: A_DEVICES.length,
        queued: A_DEVICES.length,
      });
      // All but the last handset install it: no cycle completes the rollout while one lacks it.
      for (const c of installs().slice(0, -1)) fleet.settle(c, 'succeeded');
      await engine.tick(); // wraps to the first 1,000
      await engine.tick(); // the last 200, one of which lacks it
      expect((await rollouts.get(r.id, reviewerA)).state).toBe('running');
      // A pass that only sees handsets that have it does not complete it either: the cycle is not over.
      fleet.settle(installs().at(-1)!, 'succeeded');
      await engine.tick(); // first 1,000 (all have it), cycle not ended
      expect((await rollouts.get(r.id, reviewerA)).state).toBe('running');
      await engine.tick(); // the last 200: the cycle ends with none lacking it
      const done = await rollouts.get(r.id, reviewerA);
      expect(done.state).toBe('completed');
      expect(done.figures).toMatchObject({ installed: A_DEVICES.length, failures: 0 });
    } finally {
      engine.maxDevicesPerPass = MAX_DEVICES_PER_PASS;
    }
  });

  it('a mandatory app reaches every handset over several ticks too', async () => {
    engine.maxDevicesPerPass = 500;
    try {
      const v = await release(devA, [reviewerA], 'gov.pk.a.vpn', 1);
      await reviews.setMandatory(v.appId, { mandatory: true }, reviewerA, 'req');
      await reviews.decide(v.id, { decision: 'approve', reason: 'ok' }, reviewerA2, 'req');
      await engine.tick();
      expect(fleet.commandsWith(installKeyPrefix(v.id))).toHaveLength(1000);
      await engine.tick();
      expect(
        fleet
          .commandsWith(installKeyPrefix(v.id))
          .map((c) => c.deviceId)
          .sort(),
      ).toEqual(A_DEVICES);
      await reviews.setMandatory(v.appId, { mandatory: false }, reviewerA, 'req');
    } finally {
      engine.maxDevicesPerPass = MAX_DEVICES_PER_PASS;
    }
  });
});

describe('the kill switch', () => {
  it('withdraws the version, halts its rollouts and uninstalls it wherever it was offered', async () => {
    const v = await release(devVendor, [reviewerNational], 'pk.vendor.maps', 3);
    expect(await packages(INST_A)).toContain('pk.vendor.maps');
    const r = await rollouts.start(
      { versionId: v.id, institutionId: INST_A, percent: 5 },
      reviewerNational,
      'req',
    );
    const running = [A_DEVICES[1]!, A_DEVICES[2]!, B_DEVICES[3]!];
    for (const d of running) fleet.report(d, { package: 'pk.vendor.maps', versionCode: 3, crashes: 0 });
    fleet.report(B_DEVICES[4]!, { package: 'pk.vendor.maps', versionCode: 2, crashes: 0 });
    // An institution's reviewer cannot kill a vendor's version (national business).
    expect(await code(rollouts.kill(v.id, { reason: 'x' }, reviewerA, 'req'))).toBe('app_version_not_found');

    const result = await rollouts.kill(v.id, { reason: 'leaks location' }, reviewerNational, 'req');
    const installs = fleet.commandsWith(installKeyPrefix(v.id));
    // 5 % of institution A's 1,200 handsets, drawn by a hash salted with the app's random id: binomial,
    // mean 60, sd 7.5. 25 is 4.6 sd below (it was 40, 2.7 sd: it failed 1 run in ~200 — 39 once).
    expect(installs.length).toBeGreaterThan(25);
    expect(result).toMatchObject({
      haltedRollouts: [r.id],
      institutions: [INST_A, INST_B].sort(),
      installsCancelled: installs.length,
      uninstallsQueued: 3,
    });
    // Every install that had not reached a handset is cancelled, with the reason; the uninstalls stay queued.
    expect(
      installs.every((c) => c.state === 'cancelled' && c.detail === 'version killed: leaks location'),
    ).toBe(true);
    const uninstalls = fleet.commandsWith(`app:uninstall:${v.id}:`);
    expect(uninstalls.every((c) => c.state === 'queued')).toBe(true);
    expect(uninstalls.map((c) => c.deviceId).sort()).toEqual([...running].sort());
    expect(uninstalls[0]).toMatchObject({ type: 'uninstall_app', params: { package: 'pk.vendor.maps' } });
    expect((await rollouts.get(r.id, reviewerNational)).haltReason).toBe('killed: leaks location');
    clock += CATALOGUE_RECHECK_MS;
    expect(await packages(INST_A)).not.toContain('pk.vendor.maps');
    expect(await packages(INST_B)).not.toContain('pk.vendor.maps');
    expect(await auditActions('app:pk.vendor.maps')).toEqual(
      expect.arrayContaining(['app-store.version.withdrawn', 'app-store.version.killed']),
    );
    // Again: nothing new (the keys), and the killed version is never installed again.
    expect((await rollouts.kill(v.id, { reason: 'again' }, reviewerNational, 'req')).uninstallsQueued).toBe(
      0,
    );
    await engine.tick();
    expect(fleet.commandsWith(installKeyPrefix(v.id)).length).toBe(installs.length);
    expect(fleet.commandsWith(`app:uninstall:${v.id}:`).every((c) => c.state === 'queued')).toBe(true);
  });
});

describe('a rollout halted while a pass is under way', () => {
  it('queues no install once halted, though the pass read it running', async () => {
    const v = await release(devA, [reviewerA], 'gov.pk.a.raced', 1);
    const r = await rollouts.start({ versionId: v.id, institutionId: INST_A, percent: 5 }, reviewerA, 'req');
    const before = fleet.commandsWith(installKeyPrefix(v.id)).length;
    // Widened (the pass will want more handsets), then read as the tick reads it: running.
    await db.handle.db.execute(sql`update app_store.app_rollouts set percent = 50 where id = ${r.id}`);
    const stale = (await new AppRolloutsRepository(db.handle).get(r.id))!;
    // An operator halts it while the pass pages through the handsets.
    const devices = fleet.devices.bind(fleet);
    let halted = false;
    fleet.devices = async (institutionId, afterId) => {
      if (!halted) {
        halted = true;
        await db.handle.db.execute(
          sql`update app_store.app_rollouts set state = 'halted', halt_reason = 'x' where id = ${r.id}`,
        );
      }
      return devices(institutionId, afterId);
    };
    try {
      const pass = await engine.reconcile(stale);
      expect(pass?.queuedNow).toBe(0);
    } finally {
      fleet.devices = devices;
    }
    expect(fleet.commandsWith(installKeyPrefix(v.id)).length).toBe(before);
  });
});

describe('the kill switch and handsets that have not reported yet', () => {
  it('uninstalls where its install was delivered or succeeded but the report does not show it yet', async () => {
    const v = await release(devA, [reviewerA], 'gov.pk.a.quiet', 1);
    await rollouts.start({ versionId: v.id, institutionId: INST_A, percent: 5 }, reviewerA, 'req');
    const installs = fleet.commandsWith(installKeyPrefix(v.id));
    // Executed at a check-in, reported at the next: the command's state moved, the report did not.
    installs[0]!.state = 'delivered';
    installs[1]!.state = 'succeeded';
    const result = await rollouts.kill(v.id, { reason: 'exfiltrates' }, reviewerA, 'req');
    expect(result.uninstallsQueued).toBe(2);
    expect(
      fleet
        .commandsWith(`app:uninstall:${v.id}:`)
        .map((c) => c.deviceId)
        .sort(),
    ).toEqual([installs[0]!.deviceId, installs[1]!.deviceId].sort());
  });

  it('goes on uninstalling it, for a week, from handsets that report it after the kill', async () => {
    const v = await release(devA, [reviewerA], 'gov.pk.a.late', 1);
    await rollouts.start({ versionId: v.id, institutionId: INST_A, percent: 5 }, reviewerA, 'req');
    const installs = fleet.commandsWith(installKeyPrefix(v.id));
    await rollouts.kill(v.id, { reason: 'exfiltrates' }, reviewerA, 'req');
    expect(fleet.commandsWith(`app:uninstall:${v.id}:`)).toEqual([]);
    // A handset was installing it as the kill cancelled the command: its acknowledgement, then its report.
    fleet.settle(installs[0]!, 'succeeded');
    await engine.tick();
    const uninstalled = () =>
      fleet
        .commandsWith(`app:uninstall:${v.id}:`)
        .map((c) => c.deviceId)
        .sort();
    expect(uninstalled()).toEqual([installs[0]!.deviceId]);
    // One that reports it later (installed by hand, or its acknowledgement lost): uninstalled too.
    fleet.report(installs[1]!.deviceId, { package: 'gov.pk.a.late', versionCode: 1, crashes: 0 });
    await engine.tick();
    const both = [installs[0]!.deviceId, installs[1]!.deviceId].sort();
    expect(uninstalled()).toEqual(both);
    // Past the commands' expiry nothing can still be installing it: the sweep stops.
    engine.now = () => Date.now() + 8 * 24 * 3_600_000;
    try {
      fleet.report(installs[2]!.deviceId, { package: 'gov.pk.a.late', versionCode: 1, crashes: 0 });
      await engine.tick();
      expect(uninstalled()).toEqual(both);
    } finally {
      engine.now = Date.now;
    }
  });
});

describe('who may', () => {
  it('keeps another institution’s reviewer to its own institution', async () => {
    const [ofA] = (await rollouts.list({ institutionId: INST_A }, reviewerA)).rollouts;
    expect(ofA).toBeDefined();
    expect(await code(rollouts.get(ofA!.id, reviewerB))).toBe('rollout_not_found');
    expect(await code(rollouts.halt(ofA!.id, { reason: 'x' }, reviewerB, 'req'))).toBe('rollout_not_found');
    expect(await code(rollouts.list({ institutionId: INST_A }, reviewerB))).toBe('outside_institution_scope');
    expect((await rollouts.list({}, reviewerB)).rollouts.every((r) => r.institutionId === INST_B)).toBe(true);
    expect(
      await code(
        rollouts.start({ versionId: ofA!.versionId, institutionId: INST_A, percent: 5 }, reviewerB, 'r'),
      ),
    ).toBe('outside_institution_scope');
    expect(await code(rollouts.kill(ofA!.versionId, { reason: 'x' }, reviewerB, 'r'))).toBe(
      'app_version_not_found',
    );
    expect(await code(rollouts.list({}, devA))).toBe('forbidden');
  });

  it('rolls out only what the institution’s catalogue offers, one rollout at a time, with a fleet', async () => {
    const pilot = await release(devA, [reviewerA], 'gov.pk.a.lab', 1, 'pilot');
    expect(
      await code(rollouts.start({ versionId: pilot.id, institutionId: INST_A, percent: 5 }, reviewerA, 'r')),
    ).toBe('version_not_rollable');
    const ofB = await release(devB, [reviewerB], 'gov.pk.b.payroll', 1);
    expect(
      await code(
        rollouts.start({ versionId: ofB.id, institutionId: INST_A, percent: 5 }, reviewerNational, 'r'),
      ),
    ).toBe('version_not_rollable');
    await rollouts.start({ versionId: ofB.id, institutionId: INST_B, percent: 5 }, reviewerB, 'r');
    expect(
      await code(rollouts.start({ versionId: ofB.id, institutionId: INST_B, percent: 9 }, reviewerB, 'r')),
    ).toBe('rollout_exists');
    const bare = new AppRolloutsService(
      db.handle,
      new AppRolloutsRepository(db.handle),
      new PublishingRepository(db.handle),
      reviews,
      new AppRolloutEngine(
        db.handle,
        new AppRolloutsRepository(db.handle),
        new PublishingRepository(db.handle),
        new AuditService(db.handle),
      ),
      new AuditService(db.handle),
    );
    expect(
      await code(bare.start({ versionId: ofB.id, institutionId: INST_B, percent: 5 }, reviewerB, 'r')),
    ).toBe('fleet_unavailable');
  });
});
