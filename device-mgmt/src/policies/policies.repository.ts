import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { desc, eq, inArray, max, sql } from 'drizzle-orm';
import { devicePolicies } from './device-policies.schema.js';
import { groupScope, NATIONAL } from './policy-settings.js';

export type PolicyRow = typeof devicePolicies.$inferSelect;

/** Advisory lock key serialising policy versions cluster-wide ("pkdp" folded to 32 bits). */
/** The advisory lock a policy change holds while it stores a version (`lockVersions`). */
export const VERSION_LOCK_KEY = 0x706b6470;

@Injectable()
export class PoliciesRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /** The newest policy of one scope. */
  async current(scope: string, tx: Db = this.database.db): Promise<PolicyRow | undefined> {
    const rows = await tx
      .select()
      .from(devicePolicies)
      .where(eq(devicePolicies.scope, scope))
      .orderBy(desc(devicePolicies.version))
      .limit(1);
    return rows[0];
  }

  /**
   * The policy in force for a device of this institution (and group), in one query: the newest row of the
   * group's scope if it has one, else of the institution's, else of the national scope (versions only grow,
   * so "newest row of the nearest scope" is an ORDER BY). Undefined: the built-in default.
   */
  async effective(
    institutionId: string | null,
    tx: Db = this.database.db,
    groupId: string | null = null,
  ): Promise<PolicyRow | undefined> {
    const group = groupId ? groupScope(groupId) : null;
    const scopes = [...(group ? [group] : []), ...(institutionId ? [institutionId] : []), NATIONAL];
    const rows = await tx
      .select()
      .from(devicePolicies)
      .where(inArray(devicePolicies.scope, scopes))
      .orderBy(
        sql`case when ${devicePolicies.scope} = ${NATIONAL} then 2 when ${devicePolicies.scope} = ${group ?? ''} then 0 else 1 end`,
        desc(devicePolicies.version),
      )
      .limit(1);
    return rows[0];
  }

  async byVersion(version: number, tx: Db = this.database.db): Promise<PolicyRow | undefined> {
    const rows = await tx.select().from(devicePolicies).where(eq(devicePolicies.version, version)).limit(1);
    return rows[0];
  }

  /** The newest policy of every scope (or of these scopes). */
  async currentAll(scopes: readonly string[] | null, tx: Db = this.database.db): Promise<PolicyRow[]> {
    const rows = await tx
      .selectDistinctOn([devicePolicies.scope])
      .from(devicePolicies)
      .where(scopes === null ? undefined : inArray(devicePolicies.scope, [...scopes]))
      .orderBy(devicePolicies.scope, desc(devicePolicies.version));
    return rows;
  }

  /** 0 when no policy was ever stored. */
  async latestVersion(tx: Db): Promise<number> {
    const rows = await tx.select({ version: max(devicePolicies.version) }).from(devicePolicies);
    return rows[0]?.version ?? 0;
  }

  async insert(row: typeof devicePolicies.$inferInsert, tx: Db): Promise<void> {
    await tx.insert(devicePolicies).values(row);
  }

  /** Held until the transaction ends: two nodes storing at once get versions n and n+1. */
  async lockVersions(tx: Db): Promise<void> {
    if (this.database.mode === 'postgresql')
      await tx.execute(sql`select pg_advisory_xact_lock(${VERSION_LOCK_KEY})`);
  }
}
