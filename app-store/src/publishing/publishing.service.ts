import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  LOGGER,
  placeContent,
  removeStoreOrphans,
  sweepContentStore,
  type ContentStoreSweep,
  removeUnreferencedContent,
  scopeIds,
  type DatabaseHandle,
  type Db,
  type Logger,
  type Principal,
  personKey,
  personOf,
  uploadTimeLimitMs,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { APP_STORE_CONFIG, type AppStoreConfig } from '../app-store.config.js';
import { appStoreError } from '../app-store.errors.js';
import { ApkBlobStore, type ReceivedApk } from './apk-blob-store.js';
import { APK_INSPECTOR, type ApkInspector } from './apk-inspector.js';
import { WorkerApkInspector } from './apk-inspector.pool.js';
import {
  checkSigner,
  checkVersionCode,
  manifestFacts,
  permissionDiff,
  policyFindings,
} from './publishing-rules.js';
import { appView, versionView, type PublishQuery } from './publishing.dto.js';
import {
  isUniqueViolation,
  PublishingRepository,
  type AppRow,
  type OrgRow,
} from './publishing.repository.js';
import { storePolicyInForce } from './store-floors.js';
import { owningOrg, requireVerified, uploadError } from './upload-checks.js';

/** The media type of an APK (IANA registration application/vnd.android.package-archive). */
export const APK_MEDIA_TYPE = 'application/vnd.android.package-archive';

export const APK_BLOB_STORE = Symbol.for('pakawaaz.app-store.ApkBlobStore');

/** APKs streamed at once on a node: each holds a socket, a temporary file and an inspector thread. */
export const MAX_CONCURRENT_UPLOADS = 2;
const UPLOADS_BUSY_RETRY_SECONDS = 15;

type Refuse = (err: unknown) => never;

/**
 * Publishing: a developer streams an APK; it is stored in a temporary file with its size capped, inspected
 * (signatures, manifest), checked against the app's pinned signer, the track's versionCode and the owning
 * institution's policy (raised to the national one), and only then kept, as a version in review. Nothing is stored on any refusal.
 */
@Injectable()
export class PublishingService implements OnModuleInit {
  private uploading = 0;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(APP_STORE_CONFIG) private readonly config: AppStoreConfig,
    @Inject(APK_BLOB_STORE) private readonly blobs: ApkBlobStore,
    private readonly repo: PublishingRepository,
    private readonly audit: AuditService,
    @Optional() private readonly workerInspector?: WorkerApkInspector,
    // A composition may bind another inspector (the e2e tests' double); otherwise the worker-thread one.
    @Optional() @Inject(APK_INSPECTOR) inspector?: ApkInspector,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {
    this.inspect = inspector ?? workerInspector?.inspect;
  }

  /** Without one (a bare test module) nothing is accepted: apk_inspector_unavailable. */
  private readonly inspect: ApkInspector | undefined;

  /** Start-up: leftover temporary files; then, in the background, APKs no version refers to (sweepContentStore). */
  onModuleInit(): Promise<void> {
    return sweepContentStore(this.sweep());
  }

  /**
   * Removes APK files no version refers to, untouched for the stale time (a crash between a file's rename and
   * its version's commit leaves one). Returns how many went.
   */
  removeOrphans(now?: number): Promise<number> {
    return removeStoreOrphans(this.sweep(), now);
  }

  private sweep(): ContentStoreSweep {
    const { db } = this.database;
    return {
      db,
      store: this.blobs,
      isReferenced: this.referenced,
      uploadIdleMs: this.config.apkUploadIdleMs,
      logger: this.logger,
    };
  }

  private readonly referenced = (tx: Db, sha256: string) => this.repo.versionWithSha(sha256, tx);

  async publish(
    q: z.output<typeof PublishQuery>,
    body: unknown,
    declaredBytes: number | undefined,
    by: Principal,
    requestId: string,
  ) {
    // The body is not read on a refusal before streaming: drained, so that the connection can answer.
    const refuse: Refuse = (err) => {
      if (body instanceof Readable) body.resume();
      throw err;
    };
    const orgs = await this.repo.orgsOfMember(personOf(by).id, scopeIds(by));
    if (orgs.length === 0)
      refuse(appStoreError('not_a_developer', 'You are not a member of a developer organisation.'));
    if (q.org !== undefined && !orgs.some((o) => o.id === q.org))
      refuse(appStoreError('developer_org_not_found', 'You are not a member of this organisation.'));
    if (!(body instanceof Readable))
      throw appStoreError(
        'invalid_store_input',
        `Send the APK as the body with Content-Type: ${APK_MEDIA_TYPE}.`,
      );
    if (!this.inspect)
      refuse(appStoreError('apk_inspector_unavailable', 'This node cannot verify APKs: try another node.'));
    if (this.uploading >= MAX_CONCURRENT_UPLOADS)
      refuse(
        appStoreError('apk_uploads_busy', `This node already receives ${MAX_CONCURRENT_UPLOADS} APKs.`, {
          retryAfterSeconds: UPLOADS_BUSY_RETRY_SECONDS,
        }),
      );
    this.uploading += 1;
    try {
      const received = await this.blobs
        .receive(body, {
          maxBytes: this.config.apkMaxBytes,
          declaredBytes,
          idleMs: this.config.apkUploadIdleMs ?? 30_000,
          totalMs: uploadTimeLimitMs(
            this.config.apkMaxBytes,
            this.config.apkUploadMinBytesPerSecond ?? 256 * 1024,
          ),
        })
        .catch(uploadError);
      try {
        return await this.accept(received, q, orgs, by, requestId);
      } finally {
        await this.blobs.discard(received);
      }
    } finally {
      this.uploading -= 1;
    }
  }

  /** Inspection and the publishing rules on the received file, then the row, the audit record and the blob. */
  private async accept(
    received: ReceivedApk,
    q: z.output<typeof PublishQuery>,
    orgs: OrgRow[],
    by: Principal,
    requestId: string,
  ) {
    const inspection = await this.inspect!(received.temp).catch((err: unknown) => {
      // The inspector reports a bad APK in its result; a throw is a file it could not read at all (or a
      // worker that died on it): still the upload's refusal, never a 500 that invites a retry.
      this.logger?.warn({ err, sha256: received.sha256 }, 'APK inspection failed');
      throw appStoreError('apk_not_verified', 'The file could not be inspected as an APK.', {
        errors: ['inspection_failed'],
      });
    });
    const { packageName, versionCode } = requireVerified(inspection);
    const app = await this.repo.appByPackage(packageName);
    const org = owningOrg(app, orgs, q.org);
    const signer = checkSigner(app ?? null, inspection);
    if (!signer.ok) throw appStoreError(signer.code, signer.message);
    if (app) {
      const code = checkVersionCode(
        await this.repo.highestVersionCode(app.id, q.track),
        versionCode,
        q.track,
      );
      if (!code.ok) throw appStoreError(code.code, code.message);
    }
    const manifest = manifestFacts(inspection);
    // The policy in force: the institution's raised to the national one as it is now.
    const { own, national } = await this.repo.policy(org.institutionId);
    const findings = policyFindings(manifest, storePolicyInForce(own, national));
    const previous = app ? await this.repo.previousVersion(app.id, versionCode) : undefined;
    const actor = personKey(by);
    const saved = await this.database.db
      .transaction(async (tx) => {
        // First, under the digest's lock (before the app row's, always in this order): the file moved into
        // place here cannot be removed by a failed upload of the same bytes before this row commits.
        const blobPath = await placeContent(tx, this.blobs, received);
        // The app's row is locked, and the signer and versionCode rules are decided again on it: an upload of
        // the same app racing this one has committed by now. Deciding on the row read before the transaction
        // would let an upload signed by a key a concurrent upload just retired write back the old lineage.
        let decided = signer;
        let row: AppRow;
        if (app === undefined)
          row = await this.repo.insertApp(
            {
              id: randomUUID(),
              packageName,
              orgId: org.id,
              pinnedSigner: signer.signer,
              lineage: signer.lineage,
            },
            tx,
          );
        else {
          const locked = (await this.repo.app(app.id, tx, true)) ?? app;
          const again = checkSigner(locked, inspection);
          if (!again.ok) throw appStoreError(again.code, again.message);
          const code = checkVersionCode(
            await this.repo.highestVersionCode(app.id, q.track, tx),
            versionCode,
            q.track,
          );
          if (!code.ok) throw appStoreError(code.code, code.message);
          decided = again;
          row = (await this.repo.updateApp(app.id, { lineage: again.lineage }, tx)) ?? locked;
        }
        const version = await this.repo.insertVersion(
          {
            id: randomUUID(),
            appId: row.id,
            versionCode,
            versionName: inspection.versionName,
            track: q.track,
            apkSha256: received.sha256,
            sizeBytes: received.sizeBytes,
            signers: inspection.signers,
            manifest,
            findings,
            notes: q.notes,
            blobPath,
            state: 'in_review',
            createdBy: actor,
          },
          tx,
        );
        await this.audit.record(
          {
            actor: by.actor,
            action: 'app-store.version.uploaded',
            target: `app:${packageName}`,
            details: {
              versionId: version.id,
              versionCode,
              track: q.track,
              sha256: received.sha256,
              sizeBytes: received.sizeBytes,
              signer: decided.signer,
              rotated: decided.rotated,
              findings: findings.map((f) => f.code),
              ...(app === undefined ? { pinned: signer.signer, org: org.id } : {}),
            },
            requestId,
          },
          tx,
        );
        return { app: row, version, rotated: decided.rotated };
      })
      .catch(async (err: unknown) => {
        await this.removeUnreferenced(received.sha256);
        if (isUniqueViolation(err))
          throw appStoreError(
            'package_owned_by_another_org',
            `${packageName} was registered meanwhile; send it again.`,
          );
        throw err;
      });
    return {
      app: appView(saved.app),
      version: versionView(saved.version),
      rotated: saved.rotated,
      permissionDiff: permissionDiff(previous?.manifest.permissions ?? null, manifest.permissions),
    };
  }

  /** The apps of the caller's organisations (developers), or of every organisation in scope (reviewers). */
  async apps(by: Principal) {
    const orgs = await this.visibleOrgs(by);
    return { apps: (await this.repo.appsOf(orgs.map((o) => o.id))).map(appView) };
  }

  async versions(appId: string, by: Principal) {
    const app = await this.visibleApp(appId, by);
    const versions = await this.repo.versionsOf(app.id);
    const reviews = await this.repo.reviewsOf(versions.map((v) => v.id));
    return { versions: versions.map((v) => versionView(v, reviews)) };
  }

  /** An app the caller may see, or app_not_found (another institution's app is not said to exist). */
  async visibleApp(appId: string, by: Principal): Promise<AppRow> {
    const app = await this.repo.app(appId);
    const orgs = await this.visibleOrgs(by);
    if (!app || !orgs.some((o) => o.id === app.orgId))
      throw appStoreError('app_not_found', 'No app with this id.');
    return app;
  }

  /** Reviewers see every organisation in their scope; developers the ones they belong to. */
  private visibleOrgs(by: Principal): Promise<OrgRow[]> {
    const reviewer = by.roles.includes('app-reviewer') || by.roles.includes('super-admin');
    return reviewer ? this.repo.orgs(scopeIds(by)) : this.repo.orgsOfMember(personOf(by).id, scopeIds(by));
  }

  /** The file goes unless a version refers to it, under the digest's lock (a rename the failure left too). */
  private async removeUnreferenced(sha256: string): Promise<void> {
    try {
      await removeUnreferencedContent(this.database.db, this.blobs, sha256, this.referenced);
    } catch (err) {
      this.logger?.warn({ err, sha256 }, 'removing an APK no version refers to failed');
    }
  }
}
