import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, desc, eq, inArray, lt, max, ne, or, sql, type SQL } from 'drizzle-orm';
import { approvalsNeeded, type StorePolicy, type Track } from './publishing-rules.js';
import { apps, appVersions, developerOrgs, orgMembers, reviews, storePolicies } from './publishing.schema.js';

export type OrgRow = typeof developerOrgs.$inferSelect;
export type AppRow = typeof apps.$inferSelect;
export type VersionRow = typeof appVersions.$inferSelect;
export type ReviewRow = typeof reviews.$inferSelect;

/** Postgres unique violation (a package or organisation name taken by a concurrent request). */
export const isUniqueViolation = (err: unknown): boolean =>
  (err as { code?: unknown } | null)?.code === '23505' ||
  (err as { cause?: { code?: unknown } } | null)?.cause?.code === '23505';

/**
 * Which organisations' rows a caller may see: those of these institutions (null: every one, national) —
 * vendors' organisations (no institution) only nationally.
 */
export function orgScope(institutionIds: readonly string[] | null): SQL | undefined {
  return institutionIds === null ? undefined : inArray(developerOrgs.institutionId, [...institutionIds]);
}

/**
 * The distinct persons who approved a version (a correlated count over its reviews), for queries over
 * app_versions: a mandatory version needs two (approvalsNeeded(true)).
 */
export const distinctApprovers = () =>
  sql<number>`(select count(distinct ${reviews.reviewer}) from ${reviews}
    where ${reviews.versionId} = ${appVersions.id} and ${reviews.decision} = 'approve')`.mapWith(Number);

@Injectable()
export class PublishingRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db(): Db {
    return this.database.db;
  }

  orgs(institutionIds: readonly string[] | null): Promise<OrgRow[]> {
    return this.db.select().from(developerOrgs).where(orgScope(institutionIds)).orderBy(developerOrgs.name);
  }

  async org(id: string, tx: Db = this.db): Promise<OrgRow | undefined> {
    return (await tx.select().from(developerOrgs).where(eq(developerOrgs.id, id)))[0];
  }

  /** The organisations a user is a member of, inside the caller's institution scope. */
  async orgsOfMember(userId: string, institutionIds: readonly string[] | null): Promise<OrgRow[]> {
    const rows = await this.db
      .select({ org: developerOrgs })
      .from(orgMembers)
      .innerJoin(developerOrgs, eq(developerOrgs.id, orgMembers.orgId))
      .where(and(eq(orgMembers.userId, userId), orgScope(institutionIds)))
      .orderBy(developerOrgs.name);
    return rows.map((r) => r.org);
  }

  async insertOrg(row: typeof developerOrgs.$inferInsert, tx: Db = this.db): Promise<OrgRow> {
    return (await tx.insert(developerOrgs).values(row).returning())[0]!;
  }

  async addMember(row: typeof orgMembers.$inferInsert, tx: Db = this.db): Promise<boolean> {
    const added = await tx.insert(orgMembers).values(row).onConflictDoNothing().returning();
    return added.length > 0;
  }

  members(orgId: string): Promise<{ userId: string }[]> {
    return this.db.select({ userId: orgMembers.userId }).from(orgMembers).where(eq(orgMembers.orgId, orgId));
  }

  async appByPackage(packageName: string, tx: Db = this.db): Promise<AppRow | undefined> {
    return (await tx.select().from(apps).where(eq(apps.packageName, packageName)))[0];
  }

  /** With `lock`, the row is locked FOR UPDATE until the transaction ends (uploads and reviews of one app queue). */
  async app(id: string, tx: Db = this.db, lock = false): Promise<AppRow | undefined> {
    const q = tx.select().from(apps).where(eq(apps.id, id));
    return (await (lock ? q.for('update') : q))[0];
  }

  /** Apps of these organisations. */
  appsOf(orgIds: readonly string[]): Promise<AppRow[]> {
    if (orgIds.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(apps)
      .where(inArray(apps.orgId, [...orgIds]))
      .orderBy(apps.packageName);
  }

  async insertApp(row: typeof apps.$inferInsert, tx: Db): Promise<AppRow> {
    return (await tx.insert(apps).values(row).returning())[0]!;
  }

  async updateApp(
    id: string,
    set: Partial<typeof apps.$inferInsert>,
    tx: Db = this.db,
  ): Promise<AppRow | undefined> {
    return (await tx.update(apps).set(set).where(eq(apps.id, id)).returning())[0];
  }

  /** The highest versionCode on a track that is not rejected (rejected versions never reached a handset). */
  async highestVersionCode(appId: string, track: Track, tx: Db = this.db): Promise<number | null> {
    const rows = await tx
      .select({ code: max(appVersions.versionCode) })
      .from(appVersions)
      .where(
        and(eq(appVersions.appId, appId), eq(appVersions.track, track), ne(appVersions.state, 'rejected')),
      );
    return rows[0]?.code ?? null;
  }

  /** The newest version before `versionCode` that was approved (or is in review, for a first review): the diff base. */
  async previousVersion(
    appId: string,
    versionCode: number,
    tx: Db = this.db,
  ): Promise<VersionRow | undefined> {
    const rows = await tx
      .select()
      .from(appVersions)
      .where(and(eq(appVersions.appId, appId), eq(appVersions.state, 'approved')))
      .orderBy(desc(appVersions.versionCode), desc(appVersions.createdAt));
    return rows.find((r) => r.versionCode < versionCode) ?? rows[0];
  }

  versionsOf(appId: string): Promise<VersionRow[]> {
    return this.db
      .select()
      .from(appVersions)
      .where(eq(appVersions.appId, appId))
      .orderBy(desc(appVersions.versionCode), desc(appVersions.createdAt));
  }

  async version(id: string, tx: Db = this.db, lock = false): Promise<VersionRow | undefined> {
    const q = tx.select().from(appVersions).where(eq(appVersions.id, id));
    return (await (lock ? q.for('update') : q))[0];
  }

  async insertVersion(row: typeof appVersions.$inferInsert, tx: Db): Promise<VersionRow> {
    return (await tx.insert(appVersions).values(row).returning())[0]!;
  }

  async setVersionState(id: string, state: VersionRow['state'], tx: Db): Promise<VersionRow> {
    return (await tx.update(appVersions).set({ state }).where(eq(appVersions.id, id)).returning())[0]!;
  }

  async versionWithSha(sha256: string, tx: Db = this.db): Promise<boolean> {
    const rows = await tx
      .select({ id: appVersions.id })
      .from(appVersions)
      .where(eq(appVersions.apkSha256, sha256))
      .limit(1);
    return rows.length > 0;
  }

  /** Versions waiting for review, with their app and organisation, inside the caller's scope. */
  reviewQueue(institutionIds: readonly string[] | null) {
    return this.db
      .select({ version: appVersions, app: apps, org: developerOrgs })
      .from(appVersions)
      .innerJoin(apps, eq(apps.id, appVersions.appId))
      .innerJoin(developerOrgs, eq(developerOrgs.id, apps.orgId))
      .where(
        and(
          or(
            eq(appVersions.state, 'in_review'),
            // A mandatory app's stable version approved by one person (before the app became mandatory):
            // it waits for a second approver before it is pushed to every handset.
            and(
              eq(appVersions.state, 'approved'),
              eq(apps.mandatory, true),
              eq(appVersions.track, 'stable'),
              lt(distinctApprovers(), approvalsNeeded(true)),
            ),
          ),
          orgScope(institutionIds),
        ),
      )
      .orderBy(appVersions.createdAt)
      .limit(500);
  }

  reviewsOf(versionIds: readonly string[], tx: Db = this.db): Promise<ReviewRow[]> {
    if (versionIds.length === 0) return Promise.resolve([]);
    return tx
      .select()
      .from(reviews)
      .where(inArray(reviews.versionId, [...versionIds]))
      .orderBy(reviews.at);
  }

  async insertReview(row: typeof reviews.$inferInsert, tx: Db): Promise<ReviewRow> {
    return (await tx.insert(reviews).values(row).returning())[0]!;
  }

  async upsertPolicy(row: typeof storePolicies.$inferInsert, tx: Db): Promise<void> {
    await tx
      .insert(storePolicies)
      .values(row)
      .onConflictDoUpdate({
        target: storePolicies.scope,
        set: { policy: row.policy, updatedBy: row.updatedBy, updatedAt: new Date() },
      });
  }

  async policyRow(scope: string, tx: Db = this.db): Promise<typeof storePolicies.$inferSelect | undefined> {
    return (await tx.select().from(storePolicies).where(eq(storePolicies.scope, scope)))[0];
  }

  /** The institution's own policy and the national one, in one read (each undefined when not set). */
  async policy(institutionId: string | null): Promise<{ own?: StorePolicy; national?: StorePolicy }> {
    const rows = await this.db
      .select()
      .from(storePolicies)
      .where(
        institutionId === null
          ? eq(storePolicies.scope, 'national')
          : or(eq(storePolicies.scope, institutionId), eq(storePolicies.scope, 'national')),
      );
    return {
      own: rows.find((r) => institutionId !== null && r.scope === institutionId)?.policy,
      national: rows.find((r) => r.scope === 'national')?.policy,
    };
  }
}
