import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, desc, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import { catalogues } from '../catalogues/catalogues.schema.js';
import { approvalsNeeded } from '../publishing/publishing-rules.js';
import { apps, appVersions, developerOrgs } from '../publishing/publishing.schema.js';
import { distinctApprovers } from '../publishing/publishing.repository.js';
import { ACTIVE_APP_ROLLOUT_STATES, type AppRolloutState } from './app-rollout-rules.js';
import { appRollouts, appVersionKills, type AppRolloutSweep } from './app-rollouts.schema.js';

export type AppRolloutRow = typeof appRollouts.$inferSelect;

@Injectable()
export class AppRolloutsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db(): Db {
    return this.database.db;
  }

  /** Newest first; `institutionIds` limits them (null: all). */
  list(institutionIds: readonly string[] | null, limit = 200): Promise<AppRolloutRow[]> {
    if (institutionIds?.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(appRollouts)
      .where(institutionIds ? inArray(appRollouts.institutionId, [...institutionIds]) : undefined)
      .orderBy(desc(appRollouts.createdAt))
      .limit(limit);
  }

  async get(id: string): Promise<AppRolloutRow | undefined> {
    return (await this.db.select().from(appRollouts).where(eq(appRollouts.id, id)))[0];
  }

  inStates(states: readonly AppRolloutState[]): Promise<AppRolloutRow[]> {
    return this.db
      .select()
      .from(appRollouts)
      .where(inArray(appRollouts.state, [...states]))
      .orderBy(appRollouts.createdAt);
  }

  /** The rollouts completed since `since` (still soaking: weighed, and halted if failing). */
  completedSince(since: Date): Promise<AppRolloutRow[]> {
    return this.db
      .select()
      .from(appRollouts)
      .where(and(eq(appRollouts.state, 'completed'), gte(appRollouts.completedAt, since)))
      .orderBy(appRollouts.completedAt);
  }

  /** Every rollout of an app in an institution (the mandatory rule asks which govern). */
  ofApp(appId: string, institutionId: string): Promise<AppRolloutRow[]> {
    return this.db
      .select()
      .from(appRollouts)
      .where(and(eq(appRollouts.appId, appId), eq(appRollouts.institutionId, institutionId)));
  }

  /** The running or paused rollouts of a version (the kill switch halts them). */
  activeOfVersion(versionId: string): Promise<AppRolloutRow[]> {
    return this.db
      .select()
      .from(appRollouts)
      .where(
        and(eq(appRollouts.versionId, versionId), inArray(appRollouts.state, [...ACTIVE_APP_ROLLOUT_STATES])),
      );
  }

  async insert(row: typeof appRollouts.$inferInsert, tx: Db): Promise<AppRolloutRow> {
    return (await tx.insert(appRollouts).values(row).returning())[0]!;
  }

  /**
   * Changes a rollout only if it is still in `from` (and, when given, at `atPercent`): two nodes'
   * engines, or an engine and an operator, never both move it. Undefined when another change came first.
   */
  async transition(
    id: string,
    from: readonly AppRolloutState[],
    set: Partial<Pick<AppRolloutRow, 'state' | 'percent' | 'haltReason' | 'completedAt'>>,
    tx: Db = this.db,
    atPercent?: number,
  ): Promise<AppRolloutRow | undefined> {
    const [row] = await tx
      .update(appRollouts)
      .set({ ...set, updatedAt: new Date() })
      .where(
        and(
          eq(appRollouts.id, id),
          inArray(appRollouts.state, [...from]),
          atPercent === undefined ? undefined : eq(appRollouts.percent, atPercent),
        ),
      )
      .returning();
    return row;
  }

  /**
   * Moves the engine's cursor, only if it is still where this pass started (`from`): two nodes reconciling at
   * once do not both advance it (the later one's pass is not counted twice).
   */
  async advance(id: string, from: string | null, to: string | null, sweep: AppRolloutSweep | null) {
    const rows = await this.db
      .update(appRollouts)
      .set({ cursor: to, sweep })
      .where(and(eq(appRollouts.id, id), sql`${appRollouts.cursor} is not distinct from ${from}`))
      .returning({ id: appRollouts.id });
    return rows.length > 0;
  }

  /** Notes a kill (a repeat moves its time on: the sweep runs again from now). */
  async killed(versionId: string, reason: string): Promise<void> {
    const killedAt = new Date();
    await this.db
      .insert(appVersionKills)
      .values({ versionId, reason, killedAt })
      .onConflictDoUpdate({ target: appVersionKills.versionId, set: { reason, killedAt } });
  }

  /** The versions killed since `since`, oldest first. */
  killedSince(since: Date): Promise<{ versionId: string }[]> {
    return this.db
      .select({ versionId: appVersionKills.versionId })
      .from(appVersionKills)
      .where(gte(appVersionKills.killedAt, since))
      .orderBy(appVersionKills.killedAt);
  }

  /** Halted rollouts whose open installs were not cancelled yet. */
  haltedToCancel(): Promise<AppRolloutRow[]> {
    return this.db
      .select()
      .from(appRollouts)
      .where(and(eq(appRollouts.state, 'halted'), isNull(appRollouts.installsCancelledAt)));
  }

  async installsCancelled(id: string): Promise<void> {
    await this.db.update(appRollouts).set({ installsCancelledAt: new Date() }).where(eq(appRollouts.id, id));
  }

  /**
   * Mandatory apps with their newest approved stable version (the one every handset of theirs gets), when two
   * distinct persons approved that version: an app made mandatory after one person approved its version is
   * not pushed until a second approves it too (four eyes; one reviewer never forces an install on everyone).
   */
  async mandatoryTargets() {
    const approvers = distinctApprovers();
    const rows = await this.db
      .select({ app: apps, version: appVersions, approvers })
      .from(apps)
      .innerJoin(appVersions, eq(appVersions.appId, apps.id))
      .where(
        and(eq(apps.mandatory, true), eq(appVersions.state, 'approved'), eq(appVersions.track, 'stable')),
      )
      .orderBy(apps.packageName, desc(appVersions.versionCode));
    const newest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) if (!newest.has(r.app.id)) newest.set(r.app.id, r);
    return [...newest.values()]
      .filter((r) => r.approvers >= approvalsNeeded(true))
      .map(({ app, version }) => ({ app, version }));
  }

  /**
   * The institutions whose catalogue offers an app: its organisation's, or for a vendor's app (no
   * institution) every institution that has a catalogue — a handset fetches its catalogue before anything is
   * installed on it, so an institution without one has no handset to install on.
   */
  async institutionsOffering(appId: string): Promise<string[]> {
    const [row] = await this.db
      .select({ institutionId: developerOrgs.institutionId })
      .from(apps)
      .innerJoin(developerOrgs, eq(developerOrgs.id, apps.orgId))
      .where(eq(apps.id, appId));
    if (!row) return [];
    if (row.institutionId !== null) return [row.institutionId];
    const rows = await this.db.selectDistinct({ id: catalogues.institutionId }).from(catalogues);
    return rows.map((r) => r.id).sort();
  }
}
