import { Readable } from 'node:stream';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  LOGGER,
  PLATFORM_CONFIG,
  type Actor,
  type DatabaseHandle,
  type Logger,
  type PlatformConfig,
  type Principal,
} from '@pakawaaz/platform';
import { PublishingRepository } from '../publishing/publishing.repository.js';
import { PublishingService } from '../publishing/publishing.service.js';
import { ReviewsService } from '../publishing/reviews.service.js';

/** The demo institution's developer organisation (organisation names are unique store-wide). */
export const DEMO_DEVELOPER_ORG = 'Demo Digital Affairs IT';

/*
 * The demo seed acts as the system, under three actor ids of its own, so the audit log says who did what:
 * the uploader (a member of the demo organisation) and two reviewers — a mandatory app needs two distinct
 * approvers, and the uploader never reviews its own upload. None is a person who could sign in.
 */
export const DEMO_SEED_DEVELOPER: Actor = { type: 'system', id: 'app-store-demo-seed' };
export const DEMO_SEED_REVIEWERS: readonly Actor[] = [
  { type: 'system', id: 'app-store-demo-seed-reviewer-1' },
  { type: 'system', id: 'app-store-demo-seed-reviewer-2' },
];

/** The request id of everything the seed does (no HTTP request): the audit log's second witness. */
export const DEMO_SEED_REQUEST = 'app-store-demo-seed';
const UPLOADER = `${DEMO_SEED_DEVELOPER.type}:${DEMO_SEED_DEVELOPER.id}`;

// "pkda": two nodes starting on a fresh database seed the demo apps once.
const DEMO_APPS_LOCK = 0x706b6461;

export type DemoAppInput = {
  /** The demo institution (identity's DEMO_INSTITUTION) whose handsets must install the app. */
  institutionId: string;
  /** The package the APK declares: the seed is skipped when the store knows it already. */
  packageName: string;
  /** Builds the APK; called only when the app is to be published (nothing is built on later starts). */
  apk: () => Promise<Buffer>;
};

export type DemoAppResult =
  { seeded: false; reason: string } | { seeded: true; appId: string; versionId: string; apkSha256: string };

/**
 * The embedded demo's mandatory app (e-Office): a developer organisation of the demo institution, version 1
 * published on the stable track through PublishingService (inspection, signer pinning, the policy), the app
 * marked mandatory, and two approvals through ReviewsService — the second approves it, which logs the APK in
 * the transparency log and republishes the institution's catalogue. Nothing is written behind the services.
 *
 * Only with demo data. Once per store: skipped when the package exists and has no version in review (seeded
 * earlier, or changed by people since — the seed never undoes that); a start interrupted half-way resumes.
 */
@Injectable()
export class DemoAppsService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(PLATFORM_CONFIG) private readonly config: Pick<PlatformConfig, 'seedDemo'>,
    private readonly repo: PublishingRepository,
    private readonly publishing: PublishingService,
    private readonly reviews: ReviewsService,
    private readonly audit: AuditService,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  async ensure(input: DemoAppInput): Promise<DemoAppResult> {
    if (!this.config.seedDemo) return { seeded: false, reason: 'no demo data' };
    return this.database.withExclusiveLock(DEMO_APPS_LOCK, () => this.seed(input));
  }

  private async seed(input: DemoAppInput): Promise<DemoAppResult> {
    const started = Date.now();
    const developer = principal(DEMO_SEED_DEVELOPER, 'developer', input.institutionId);
    const reviewers = DEMO_SEED_REVIEWERS.map((a) => principal(a, 'app-reviewer', input.institutionId));
    let app = await this.repo.appByPackage(input.packageName);
    // Only the seed's own upload is resumed: a version someone else sent is theirs to have reviewed.
    let pending = app
      ? (await this.repo.versionsOf(app.id)).find((v) => v.state === 'in_review' && v.createdBy === UPLOADER)
      : undefined;
    if (app && !pending) return { seeded: false, reason: `${input.packageName} is in the store already` };
    if (!app) {
      const org = await this.developerOrg(input.institutionId, reviewers[0]!);
      await this.reviews.addSeedMember(org, developer.actor, reviewers[0]!, DEMO_SEED_REQUEST);
      const apk = await input.apk();
      const published = await this.publishing.publish(
        {
          track: 'stable',
          notes: 'Published by the demo seed (DEMO ONLY).',
          org,
        },
        Readable.from([apk]),
        apk.length,
        developer,
        DEMO_SEED_REQUEST,
      );
      if (published.app.packageName !== input.packageName)
        throw new Error(`the demo APK declares ${published.app.packageName}, not ${input.packageName}`);
      app = await this.repo.appByPackage(input.packageName);
      pending = await this.repo.version(published.version.id);
    }
    if (!app || !pending) throw new Error(`the demo app ${input.packageName} was not stored`);
    // Mandatory before any approval: the version then needs its two approvers, as the rules require.
    if (!app.mandatory)
      await this.reviews.setMandatory(app.id, { mandatory: true }, reviewers[0]!, DEMO_SEED_REQUEST);
    const done = new Set((await this.repo.reviewsOf([pending.id])).map((r) => r.reviewer));
    for (const reviewer of reviewers) {
      if (done.has(`${reviewer.actor.type}:${reviewer.actor.id}`)) continue;
      const decided = await this.reviews.decide(
        pending.id,
        { decision: 'approve', reason: 'Demo seed: a mandatory app of the demo institution.' },
        reviewer,
        DEMO_SEED_REQUEST,
      );
      if (decided.state === 'approved') break;
    }
    await this.audit.record({
      actor: DEMO_SEED_DEVELOPER,
      action: 'app-store.demo-app.seeded',
      target: `app:${input.packageName}`,
      details: { demo: true, institutionId: input.institutionId, versionId: pending.id, mandatory: true },
      requestId: DEMO_SEED_REQUEST,
    });
    this.logger?.info(
      { package: input.packageName, versionId: pending.id, ms: Date.now() - started },
      'demo app published, approved and mandatory',
    );
    return { seeded: true, appId: app.id, versionId: pending.id, apkSha256: pending.apkSha256 };
  }

  /** The demo organisation's id: the one made earlier (a resumed seed), or a new one. */
  private async developerOrg(institutionId: string, by: Principal): Promise<string> {
    const found = (await this.repo.orgs([institutionId])).find((o) => o.name === DEMO_DEVELOPER_ORG);
    if (found) return found.id;
    return (await this.reviews.createOrg({ name: DEMO_DEVELOPER_ORG, institutionId }, by, DEMO_SEED_REQUEST))
      .id;
  }
}

/** A system principal of the demo institution with one role. */
function principal(actor: Actor, role: Principal['roles'][number], institutionId: string): Principal {
  return {
    actor,
    name: `demo seed (${actor.id})`,
    roles: [role],
    institutionId,
    scope: { kind: 'institution', institutionIds: [institutionId] },
    amr: [],
    acr: null,
    tokenId: 'system',
  };
}
