import { Inject, Injectable, Optional } from '@nestjs/common';
import { DATABASE, LOGGER, type DatabaseHandle, type Signer } from '@pakawaaz/platform';
import { and, desc, eq, inArray, isNull, ne, notInArray, or } from 'drizzle-orm';
import type { JWK } from 'jose';
import type { Logger } from 'pino';
import { appStoreError } from '../app-store.errors.js';
import {
  CATALOGUE_TRACKS,
  MAX_VERSIONS_PER_APP,
  canonicalJson,
  catalogueEntry,
  createIndexDiff,
  encodeIndex,
  parseIndex,
  sha256Hex,
  signEntry,
  type CatalogueApp,
  type CatalogueIndex,
  type CatalogueTrack,
  type CatalogueVersion,
  type LogInclusion,
} from '../catalogue/index.js';
import { apps, appVersions, developerOrgs } from '../publishing/publishing.schema.js';
import { APK_LOG, checkpointOrigin, type ApkLog } from './apk-log.js';
import { catalogueDiffs, catalogues } from './catalogues.schema.js';

/** Nest token of the catalogue signing key (ES256, from the platform key service; not the TLS key). */
export const CATALOGUE_SIGNER = Symbol.for('pakawaaz.app-store.CatalogueSigner');
/** The key service's name for it. */
export const CATALOGUE_KEY = 'app-store-catalogue';
/** Catalogues kept per institution; the newest entry lists a diff from each of the others. */
export const CATALOGUES_KEPT = 8;
/**
 * How long a node serves its cached catalogue before asking the database whether another node published a
 * newer one: a rebuild elsewhere reaches this node's handsets within this time, and a fleet polling for an
 * unchanged catalogue costs one indexed query per institution per interval, not one per request.
 */
export const CATALOGUE_RECHECK_MS = 1_000;
/** The index file's name in the entry (F-Droid index-v2 names its files likewise). */
export const INDEX_FILE = 'index-v1.json';
export const diffFile = (from: number): string => `diff/${from}.json`;

// "pkct": serialises publications (rare: an approval or withdrawal), so two nodes never race a timestamp.
const PUBLISH_LOCK = 0x706b6374;

/** A published catalogue as a handset fetches it. */
export type PublishedCatalogue = {
  readonly institutionId: string;
  readonly timestamp: number;
  readonly indexSha256: string;
  /** Strong ETag (RFC 9110 §8.8.3): the index hash, which changes with every publication (its timestamp). */
  readonly etag: string;
  readonly entryJws: string;
  /** The canonical index as text (its UTF-8 bytes are what the entry signs). */
  readonly index: string;
  readonly numPackages: number;
  /** The APKs it offers, by SHA-256 (lower-case hex): the only ones its handsets may download. */
  readonly apks: ReadonlySet<string>;
};

type CacheEntry = { catalogue: PublishedCatalogue; checkedAt: number };
type Row = typeof catalogues.$inferSelect;

const toView = (row: Row): PublishedCatalogue => {
  const index = row.indexBytes.toString('utf8');
  const parsed = parseIndex(row.indexBytes);
  return {
    institutionId: row.institutionId,
    timestamp: row.timestamp,
    indexSha256: row.indexSha256,
    etag: `"${row.indexSha256}"`,
    entryJws: row.entryJws,
    index,
    numPackages: Object.keys(parsed.apps).length,
    apks: new Set(
      Object.values(parsed.apps).flatMap((app) => Object.values(app.versions).map((v) => v.apkSha256)),
    ),
  };
};

/**
 * Each institution's signed catalogue: built from the approved versions it may install, with each version's
 * inclusion proof from the APK log, signed with the catalogue key, stored with diffs from the kept earlier
 * ones, and served from memory.
 *
 * Which versions an institution's catalogue offers: approved versions on the stable and beta tracks of apps
 * whose developer organisation is the institution's own, plus those of vendor organisations (no institution),
 * which only national reviewers approve and which are offered to every institution. Another institution's apps
 * never appear. Pilot versions are not offered (the catalogue format has no pilot track: pilots are installed
 * by hand). At most MAX_VERSIONS_PER_APP per app, newest versionCode first.
 */
@Injectable()
export class CataloguesService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly loading = new Map<string, Promise<PublishedCatalogue>>();

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(CATALOGUE_SIGNER) private readonly signer: Signer,
    // Bound by the composition root to the APK transparency log; without it no catalogue can be built.
    @Optional() @Inject(APK_LOG) private readonly log?: ApkLog,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  /** The clock (tests move it). */
  now: () => number = Date.now;

  /** The catalogue key's public JWK, which handsets pin at enrolment. */
  publicKey(): JWK {
    return this.signer.publicJwk;
  }

  /**
   * The current catalogue of an institution: from memory while fresh (CATALOGUE_RECHECK_MS), then after one
   * indexed look-up of the stored newest timestamp; built and published on first use.
   */
  async current(institutionId: string): Promise<PublishedCatalogue> {
    const cached = this.cache.get(institutionId);
    const now = this.now();
    if (cached && now - cached.checkedAt < CATALOGUE_RECHECK_MS) return cached.catalogue;
    // Concurrent requests of one institution share one look-up.
    let pending = this.loading.get(institutionId);
    if (!pending) {
      pending = this.refresh(institutionId, cached).finally(() => this.loading.delete(institutionId));
      this.loading.set(institutionId, pending);
    }
    return pending;
  }

  private async refresh(institutionId: string, cached: CacheEntry | undefined): Promise<PublishedCatalogue> {
    const [newest] = await this.database.db
      .select({ timestamp: catalogues.timestamp })
      .from(catalogues)
      .where(eq(catalogues.institutionId, institutionId))
      .orderBy(desc(catalogues.timestamp))
      .limit(1);
    if (cached && newest?.timestamp === cached.catalogue.timestamp) {
      cached.checkedAt = this.now();
      return cached.catalogue;
    }
    if (!newest) return this.publish(institutionId);
    const [row] = await this.database.db
      .select()
      .from(catalogues)
      .where(and(eq(catalogues.institutionId, institutionId), eq(catalogues.timestamp, newest.timestamp)));
    return this.remember(toView(row!));
  }

  private remember(catalogue: PublishedCatalogue): PublishedCatalogue {
    const cached = this.cache.get(catalogue.institutionId);
    if (!cached || cached.catalogue.timestamp <= catalogue.timestamp)
      this.cache.set(catalogue.institutionId, { catalogue, checkedAt: this.now() });
    return catalogue;
  }

  /** The stored diff from an earlier kept catalogue to the current one (the current entry lists its hash). */
  async diff(institutionId: string, from: number): Promise<{ catalogue: PublishedCatalogue; diff: string }> {
    const catalogue = await this.current(institutionId);
    const [row] = await this.database.db
      .select({ bytes: catalogueDiffs.bytes })
      .from(catalogueDiffs)
      .where(
        and(
          eq(catalogueDiffs.institutionId, institutionId),
          eq(catalogueDiffs.timestamp, catalogue.timestamp),
          eq(catalogueDiffs.fromTimestamp, from),
        ),
      );
    if (!row)
      throw appStoreError(
        'catalogue_diff_not_found',
        `No diff from ${from} to the current catalogue (${catalogue.timestamp}): fetch the full index.`,
      );
    return { catalogue, diff: row.bytes.toString('utf8') };
  }

  /**
   * Called after a version is approved or withdrawn: republishes the catalogues that offer (or offered) it —
   * its institution's, or for a vendor's app every institution that has a catalogue (the others build theirs on
   * first fetch). The review has committed already, so a failure here is logged, not thrown: the next
   * publication (or an operator's rebuild) catches up.
   */
  async versionChanged(orgInstitutionId: string | null): Promise<void> {
    const institutions =
      orgInstitutionId !== null
        ? [orgInstitutionId]
        : (await this.database.db.selectDistinct({ id: catalogues.institutionId }).from(catalogues)).map(
            (r) => r.id,
          );
    for (const id of institutions) {
      try {
        await this.publish(id);
      } catch (err) {
        this.logger?.error({ err, institutionId: id }, 'could not republish the catalogue');
      }
    }
  }

  /**
   * Builds, signs and stores the institution's catalogue, unless nothing in it changed since the newest stored
   * one (then that one stays current). Serialised cluster-wide by an advisory lock.
   */
  async publish(institutionId: string): Promise<PublishedCatalogue> {
    const log = this.log;
    if (!log) throw appStoreError('catalogue_log_unavailable', 'No APK transparency log is bound.');
    const published = await this.database.withExclusiveLock(PUBLISH_LOCK, async () => {
      const kept = await this.database.db
        .select()
        .from(catalogues)
        .where(eq(catalogues.institutionId, institutionId))
        .orderBy(desc(catalogues.timestamp))
        .limit(CATALOGUES_KEPT);
      const previous = kept[0] ? parseIndex(kept[0].indexBytes) : undefined;
      const content = await this.build(institutionId, log, previous);
      if (kept[0] && previous && sameContent(previous, content)) return toView(kept[0]);
      const timestamp = Math.max(this.now(), (kept[0]?.timestamp ?? 0) + 1);
      const index: CatalogueIndex = { ...content, timestamp };
      const indexBytes = encodeIndex(index);
      const diffs = kept.map((row) => ({
        previousTimestamp: row.timestamp,
        name: diffFile(row.timestamp),
        bytes: createIndexDiff(parseIndex(row.indexBytes), index),
      }));
      const entry = catalogueEntry({
        institution: institutionId,
        timestamp,
        index: { name: INDEX_FILE, bytes: indexBytes, numPackages: Object.keys(index.apps).length },
        diffs,
      });
      const entryJws = await signEntry(entry, this.signer);
      const row = {
        institutionId,
        timestamp,
        indexBytes,
        indexSha256: sha256Hex(indexBytes),
        entryJws,
      };
      await this.database.db.transaction(async (tx) => {
        await tx.insert(catalogues).values(row);
        if (diffs.length > 0)
          await tx.insert(catalogueDiffs).values(
            diffs.map((d) => ({
              institutionId,
              timestamp,
              fromTimestamp: d.previousTimestamp,
              bytes: d.bytes,
            })),
          );
        // Keep the newest CATALOGUES_KEPT: this one and the kept ones but the oldest.
        const keep = [timestamp, ...kept.slice(0, CATALOGUES_KEPT - 1).map((r) => r.timestamp)];
        await tx
          .delete(catalogues)
          .where(and(eq(catalogues.institutionId, institutionId), notInArray(catalogues.timestamp, keep)));
        // Only diffs to the current catalogue are served (its entry lists them).
        await tx
          .delete(catalogueDiffs)
          .where(
            and(eq(catalogueDiffs.institutionId, institutionId), ne(catalogueDiffs.timestamp, timestamp)),
          );
      });
      this.logger?.info(
        { institutionId, timestamp, packages: entry.index.numPackages },
        'published the catalogue',
      );
      return toView({ ...row, createdAt: new Date() });
    });
    return this.remember(published);
  }

  /** The index content (all but its timestamp) from the approved versions the institution may install. */
  private async build(
    institutionId: string,
    log: ApkLog,
    previous: CatalogueIndex | undefined,
  ): Promise<Omit<CatalogueIndex, 'timestamp'>> {
    let logOrigin: string;
    try {
      logOrigin = checkpointOrigin(await log.latestCheckpoint());
    } catch (err) {
      this.logger?.warn({ err }, 'the APK log does not answer');
      throw appStoreError('catalogue_log_unavailable', 'The APK transparency log does not answer.');
    }
    const rows = await this.database.db
      .select({ version: appVersions, app: apps })
      .from(appVersions)
      .innerJoin(apps, eq(apps.id, appVersions.appId))
      .innerJoin(developerOrgs, eq(developerOrgs.id, apps.orgId))
      .where(
        and(
          eq(appVersions.state, 'approved'),
          inArray(appVersions.track, [...CATALOGUE_TRACKS]),
          or(eq(developerOrgs.institutionId, institutionId), isNull(developerOrgs.institutionId)),
        ),
      )
      .orderBy(apps.packageName, desc(appVersions.versionCode));
    const appsOut: Record<string, CatalogueApp> = {};
    const checkpoints: Record<string, string> = {};
    for (const { version, app } of rows) {
      const versions = (appsOut[app.packageName] ??= { name: app.packageName, versions: {} }).versions;
      if (Object.keys(versions).length >= MAX_VERSIONS_PER_APP) continue;
      // A proof once made stays valid for its checkpoint: reuse the previous index's, so diffs stay small.
      const earlier = previous?.apps[app.packageName]?.versions[version.apkSha256];
      let inclusion: { log: LogInclusion; checkpoint: string } | undefined;
      if (earlier && previous?.logOrigin === logOrigin) {
        const note = previous.checkpoints[String(earlier.log.treeSize)];
        if (note) inclusion = { log: earlier.log, checkpoint: note };
      }
      if (!inclusion) {
        const found = await log.inclusionFor(version.apkSha256).catch((err: unknown) => {
          this.logger?.warn({ err, apkSha256: version.apkSha256 }, 'the APK log does not answer');
          throw appStoreError('catalogue_log_unavailable', 'The APK transparency log does not answer.');
        });
        if (!found) {
          // Not logged yet: a handset would refuse it, so it waits for the next publication.
          this.logger?.warn(
            { package: app.packageName, apkSha256: version.apkSha256 },
            'an approved APK is not in the log yet: left out of the catalogue',
          );
          continue;
        }
        inclusion = {
          log: {
            leafIndex: found.leafIndex,
            treeSize: found.treeSize,
            proof: found.proof.map((h) => Buffer.from(h, 'hex').toString('base64')),
          },
          checkpoint: found.checkpoint,
        };
      }
      checkpoints[String(inclusion.log.treeSize)] = inclusion.checkpoint;
      const v: CatalogueVersion = {
        versionCode: version.versionCode,
        // The format caps a version name at 128 characters (catalogue-index.ts); a manifest may say more.
        versionName: (version.versionName ?? '').slice(0, 128),
        apkSha256: version.apkSha256,
        size: version.sizeBytes,
        signers: version.signers,
        minSdk: version.manifest.minSdk ?? 1,
        permissions: version.manifest.permissions,
        track: version.track as CatalogueTrack,
        mandatory: app.mandatory,
        log: inclusion.log,
      };
      versions[version.apkSha256] = v;
    }
    for (const [pkg, app] of Object.entries(appsOut))
      if (Object.keys(app.versions).length === 0) delete appsOut[pkg];
    return { format: 1, institution: institutionId, logOrigin, checkpoints, apps: appsOut };
  }
}

function sameContent(previous: CatalogueIndex, next: Omit<CatalogueIndex, 'timestamp'>): boolean {
  const { timestamp: _t, ...rest } = previous;
  return canonicalJson(rest) === canonicalJson(next);
}
