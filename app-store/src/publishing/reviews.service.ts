import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  inScope,
  scopeIds,
  type Actor,
  type DatabaseHandle,
  type Principal,
  personKey,
  requireRole,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { appStoreError } from '../app-store.errors.js';
import { CataloguesService } from '../catalogues/catalogues.service.js';
import { DEVELOPER_DIRECTORY, type DeveloperDirectory } from './developer-directory.js';
import { approvalsNeeded, permissionDiff } from './publishing-rules.js';
import {
  appView,
  orgView,
  versionView,
  type MandatoryInput,
  type MemberInput,
  type OrgInput,
  type ReviewInput,
} from './publishing.dto.js';
import { isUniqueViolation, PublishingRepository } from './publishing.repository.js';
import { PublishingService } from './publishing.service.js';
import { TransparencyLogService } from '../transparency/transparency-log.service.js';

/**
 * Review: the queue of versions in review (with what each asks for beyond the last approved version), and
 * each reviewer's decision. Developer organisations and an app's mandatory flag are managed here too: both
 * are the reviewers' (and super-admin's) call, inside their institution.
 */
@Injectable()
export class ReviewsService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly repo: PublishingRepository,
    private readonly publishing: PublishingService,
    private readonly audit: AuditService,
    private readonly log: TransparencyLogService,
    @Inject(DEVELOPER_DIRECTORY) private readonly developers: DeveloperDirectory,
    // Republishes the catalogues an approval or withdrawal changes (absent in tests of review alone).
    @Optional() private readonly catalogues?: CataloguesService,
  ) {}

  async queue(by: Principal) {
    const rows = await this.repo.reviewQueue(scopeIds(by));
    const reviews = await this.repo.reviewsOf(rows.map((r) => r.version.id));
    const items = [];
    for (const { version, app, org } of rows) {
      const previous = await this.repo.previousVersion(app.id, version.versionCode);
      items.push({
        app: appView(app),
        org: orgView(org),
        version: versionView(version, reviews),
        permissionDiff: permissionDiff(previous?.manifest.permissions ?? null, version.manifest.permissions),
        approvalsNeeded: approvalsNeeded(app.mandatory),
      });
    }
    return { items };
  }

  /**
   * One reviewer's decision. A rejection is final for the version; an approval counts, and the version is
   * approved once it has as many distinct approvers as its app needs (two for a mandatory app). The version
   * row is locked, so two reviewers deciding at once are counted one after the other.
   */
  async decide(versionId: string, input: z.output<typeof ReviewInput>, by: Principal, requestId: string) {
    requireRole(by, 'app-reviewer');
    const notFound = () => appStoreError('app_version_not_found', 'No version with this id.');
    const reviewer = personKey(by);
    let approvedOf: { institutionId: string | null } | undefined;
    const result = await this.database.db.transaction(async (tx) => {
      const version = await this.repo.version(versionId, tx, true);
      if (!version) throw notFound();
      const app = (await this.repo.app(version.appId, tx))!;
      // Inside the transaction: on the embedded database (one connection) a read outside it waits forever.
      const org = await this.repo.org(app.orgId, tx);
      if (!org || !inScope(by, org.institutionId)) throw notFound();
      const earlier = await this.repo.reviewsOf([version.id], tx);
      // An app made mandatory after its version was approved by one person: a second person's approval
      // (the four eyes a mandatory app needs) is still taken, and only then is the version pushed to every
      // handset (the rollout engine pushes no mandatory version with fewer than two approvers).
      const coApproval =
        version.state === 'approved' &&
        app.mandatory &&
        input.decision === 'approve' &&
        approvalsIn(earlier) < approvalsNeeded(true);
      if (version.state !== 'in_review' && !coApproval)
        throw appStoreError('version_not_in_review', `This version is ${version.state}, not in review.`);
      if (version.createdBy === reviewer)
        throw appStoreError('review_by_uploader', 'You uploaded this version: another reviewer decides.');
      if (earlier.some((r) => r.reviewer === reviewer))
        throw appStoreError('already_reviewed', 'You reviewed this version already.');
      if (input.decision === 'approve' && version.findings.length > 0)
        throw appStoreError(
          'policy_findings_unresolved',
          `The version fails the policy (${version.findings.map((f) => f.code).join(', ')}): reject it.`,
        );
      const review = await this.repo.insertReview(
        { id: randomUUID(), versionId, reviewer, decision: input.decision, reason: input.reason },
        tx,
      );
      const approvals = approvalsIn([...earlier, review]);
      const state =
        input.decision === 'reject'
          ? 'rejected'
          : approvals >= approvalsNeeded(app.mandatory)
            ? 'approved'
            : 'in_review';
      const updated =
        state === version.state ? version : await this.repo.setVersionState(versionId, state, tx);
      // Approved means logged: the APK enters the transparency log in the approval's transaction, so no
      // version is ever approved (and listed in a catalogue) without its leaf and a checkpoint covering it.
      // A co-approval of an approved version is logged already.
      if (state === 'approved' && !coApproval)
        await this.log.append(
          {
            versionId,
            packageName: app.packageName,
            versionCode: version.versionCode,
            apkSha256: version.apkSha256,
            signers: version.signers,
          },
          tx,
        );
      if (state === 'approved' && !coApproval) approvedOf = org;
      await this.audit.record(
        {
          actor: by.actor,
          action: `app-store.version.${input.decision === 'approve' ? 'approved' : 'rejected'}`,
          target: `app:${app.packageName}`,
          details: { versionId, versionCode: version.versionCode, reason: input.reason, approvals, state },
          requestId,
        },
        tx,
      );
      return versionView(updated, [...earlier, review]);
    });
    // After the commit: the catalogues read the approved state.
    if (approvedOf) await this.catalogues?.versionChanged(approvedOf.institutionId);
    return result;
  }

  /**
   * Withdraws a version (in review, or approved: pulled from the catalogues that will list it). Developers of
   * the owning organisation and reviewers in scope may; audited.
   */
  async withdraw(versionId: string, by: Principal, requestId: string) {
    const notFound = () => appStoreError('app_version_not_found', 'No version with this id.');
    const found = await this.repo.version(versionId);
    if (!found) throw notFound();
    const app = await this.publishing.visibleApp(found.appId, by).catch(() => {
      throw notFound();
    });
    let wasApproved = false;
    const result = await this.database.db.transaction(async (tx) => {
      const version = (await this.repo.version(versionId, tx, true))!;
      wasApproved = version.state === 'approved';
      if (version.state !== 'in_review' && version.state !== 'approved')
        throw appStoreError('version_not_withdrawable', `This version is ${version.state}.`);
      const updated = await this.repo.setVersionState(versionId, 'withdrawn', tx);
      await this.audit.record(
        {
          actor: by.actor,
          action: 'app-store.version.withdrawn',
          target: `app:${app.packageName}`,
          details: { versionId, versionCode: version.versionCode, from: version.state },
          requestId,
        },
        tx,
      );
      return versionView(updated, await this.repo.reviewsOf([versionId], tx));
    });
    if (wasApproved) {
      const org = await this.repo.org(app.orgId);
      await this.catalogues?.versionChanged(org?.institutionId ?? null);
    }
    return result;
  }

  async orgs(by: Principal) {
    return { orgs: (await this.repo.orgs(scopeIds(by))).map(orgView) };
  }

  async createOrg(input: z.output<typeof OrgInput>, by: Principal, requestId: string) {
    // An institution's reviewer creates its institution's organisations; vendors (null) are national.
    if (!inScope(by, input.institutionId))
      throw appStoreError(
        'outside_institution_scope',
        'You may create organisations of your own institution only.',
      );
    const id = randomUUID();
    const row = await this.database.db
      .transaction(async (tx) => {
        const org = await this.repo.insertOrg({ id, ...input, createdBy: personKey(by) }, tx);
        await this.audit.record(
          {
            actor: by.actor,
            action: 'app-store.org.created',
            target: `developer-org:${id}`,
            details: { name: input.name, institutionId: input.institutionId },
            requestId,
          },
          tx,
        );
        return org;
      })
      .catch((err: unknown) => {
        throw isUniqueViolation(err)
          ? appStoreError('developer_org_exists', 'An organisation with this name exists.')
          : err;
      });
    return orgView(row);
  }

  /** Adds a user identity knows, in the caller's scope (another institution's people read as unknown). */
  async addMember(orgId: string, input: z.output<typeof MemberInput>, by: Principal, requestId: string) {
    requireRole(by, 'app-reviewer');
    const org = await this.repo.org(orgId);
    if (!org || !inScope(by, org.institutionId))
      throw appStoreError('developer_org_not_found', 'No organisation with this id.');
    return this.enlist(orgId, await this.developers.member(input.userId, by), by, requestId);
  }

  /** The demo seed's developer, a system actor identity does not know (DemoAppsService). */
  async addSeedMember(orgId: string, actor: Actor, by: Principal, requestId: string) {
    requireRole(by, 'app-reviewer');
    if (actor.type !== 'system') throw new Error('only a system actor joins without identity knowing it');
    return this.enlist(orgId, actor.id, by, requestId);
  }

  private async enlist(orgId: string, userId: string, by: Principal, requestId: string) {
    await this.database.db.transaction(async (tx) => {
      const added = await this.repo.addMember({ orgId, userId, addedBy: personKey(by) }, tx);
      if (added)
        await this.audit.record(
          {
            actor: by.actor,
            action: 'app-store.org.member-added',
            target: `developer-org:${orgId}`,
            details: { userId },
            requestId,
          },
          tx,
        );
    });
    return { userIds: (await this.repo.members(orgId)).map((m) => m.userId).sort() };
  }

  async setMandatory(
    appId: string,
    input: z.output<typeof MandatoryInput>,
    by: Principal,
    requestId: string,
  ) {
    requireRole(by, 'app-reviewer');
    const app = await this.publishing.visibleApp(appId, by);
    const updated = await this.database.db.transaction(async (tx) => {
      const row = (await this.repo.updateApp(app.id, { mandatory: input.mandatory }, tx))!;
      await this.audit.record(
        {
          actor: by.actor,
          action: 'app-store.app.mandatory-set',
          target: `app:${app.packageName}`,
          details: { mandatory: input.mandatory },
          requestId,
        },
        tx,
      );
      return row;
    });
    return appView(updated);
  }
}

/** The approvals among a version's reviews: distinct persons, since a person's second review is refused. */
const approvalsIn = (rows: readonly { decision: string }[]): number =>
  rows.filter((r) => r.decision === 'approve').length;
