import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { ACTIVE_STATES, type Outcome, type Ring, type RolloutState } from './rollout-rules.js';
import { institutionRings, rolloutDevices, rollouts } from './rollouts.schema.js';

export type RolloutRow = typeof rollouts.$inferSelect;
export type RingRow = typeof institutionRings.$inferSelect;
export type ProgressRow = { stage: number; ring: Ring; outcome: Outcome; devices: number };

@Injectable()
export class RolloutsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db(): Db {
    return this.database.db;
  }

  list(limit = 200): Promise<RolloutRow[]> {
    return this.db.select().from(rollouts).orderBy(desc(rollouts.createdAt)).limit(limit);
  }

  /** The rollouts handsets are answered from: active ones and each model's latest completed one. */
  async current(): Promise<RolloutRow[]> {
    const active = await this.db
      .select()
      .from(rollouts)
      .where(inArray(rollouts.state, [...ACTIVE_STATES]));
    const completed = await this.db
      .selectDistinctOn([rollouts.model])
      .from(rollouts)
      .where(eq(rollouts.state, 'completed'))
      .orderBy(rollouts.model, desc(rollouts.updatedAt));
    return [...active, ...completed];
  }

  /** Scheduled and running rollouts: the ticker's work. */
  moving(): Promise<RolloutRow[]> {
    return this.db
      .select()
      .from(rollouts)
      .where(inArray(rollouts.state, ['scheduled', 'running']));
  }

  async get(id: string, tx: Db = this.db, lock = false): Promise<RolloutRow | undefined> {
    const q = tx.select().from(rollouts).where(eq(rollouts.id, id));
    const rows = lock ? await q.for('update') : await q;
    return rows[0];
  }

  async insert(row: typeof rollouts.$inferInsert, tx: Db): Promise<RolloutRow> {
    const [inserted] = await tx.insert(rollouts).values(row).returning();
    return inserted!;
  }

  /**
   * Changes a rollout only if it is still in `from` (and, when given, at `stage`): two nodes' tickers, or a
   * ticker and an operator, cannot both move it. Undefined when another change came first.
   */
  async transition(
    id: string,
    from: { states: readonly RolloutState[]; stage?: number },
    set: Partial<Pick<RolloutRow, 'state' | 'currentStage' | 'stageStartedAt' | 'haltReason'>>,
    tx: Db = this.db,
  ): Promise<RolloutRow | undefined> {
    const conditions: SQL[] = [eq(rollouts.id, id), inArray(rollouts.state, [...from.states])];
    if (from.stage !== undefined) conditions.push(eq(rollouts.currentStage, from.stage));
    const [row] = await tx
      .update(rollouts)
      .set({ ...set, updatedAt: new Date() })
      .where(and(...conditions))
      .returning();
    return row;
  }

  rings(): Promise<RingRow[]> {
    return this.db.select().from(institutionRings);
  }

  async ringOf(institutionId: string): Promise<Ring | undefined> {
    const rows = await this.db
      .select({ ring: institutionRings.ring })
      .from(institutionRings)
      .where(eq(institutionRings.institutionId, institutionId));
    return rows[0]?.ring;
  }

  async setRing(row: typeof institutionRings.$inferInsert, tx: Db): Promise<RingRow> {
    const [saved] = await tx
      .insert(institutionRings)
      .values(row)
      .onConflictDoUpdate({
        target: institutionRings.institutionId,
        set: { ring: row.ring, updatedBy: row.updatedBy, updatedAt: row.updatedAt },
      })
      .returning();
    return saved!;
  }

  /**
   * Records a device's outcome unless a later one is on record (redelivery and reordering change nothing);
   * the stage and ring of its first report stay. True when the row changed.
   */
  async recordOutcome(row: typeof rolloutDevices.$inferInsert): Promise<boolean> {
    const rank = (o: SQL | string) => sql`(case when ${o} = 'offered' then 0 else 1 end)`;
    const changed = await this.db
      .insert(rolloutDevices)
      .values(row)
      .onConflictDoUpdate({
        target: [rolloutDevices.rolloutId, rolloutDevices.deviceId],
        set: {
          outcome: sql`excluded.outcome`,
          detail: sql`excluded.detail`,
          at: sql`excluded.at`,
          institutionId: sql`excluded.institution_id`,
        },
        setWhere: sql`(excluded.at > ${rolloutDevices.at} or (excluded.at = ${rolloutDevices.at} and ${rank(sql`excluded.outcome`)} > ${rank(sql`${rolloutDevices.outcome}`)}))`,
      })
      .returning({ deviceId: rolloutDevices.deviceId });
    return changed.length > 0;
  }

  /** Devices per stage, ring and latest outcome; `institutionIds` limits them (null: all). */
  async progress(rolloutIds: readonly string[], institutionIds: readonly string[] | null) {
    if (rolloutIds.length === 0 || institutionIds?.length === 0) return [];
    return this.db
      .select({
        rolloutId: rolloutDevices.rolloutId,
        stage: rolloutDevices.stage,
        ring: rolloutDevices.ring,
        outcome: rolloutDevices.outcome,
        devices: sql<number>`count(*)::int`,
      })
      .from(rolloutDevices)
      .where(
        and(
          inArray(rolloutDevices.rolloutId, [...rolloutIds]),
          institutionIds ? inArray(rolloutDevices.institutionId, [...institutionIds]) : undefined,
        ),
      )
      .groupBy(rolloutDevices.rolloutId, rolloutDevices.stage, rolloutDevices.ring, rolloutDevices.outcome);
  }

  /** Updated and failed devices of one stage: what the automatic halt weighs. */
  async stageOutcomes(rolloutId: string, stage: number): Promise<{ updated: number; failed: number }> {
    const rows = await this.db
      .select({ outcome: rolloutDevices.outcome, devices: sql<number>`count(*)::int` })
      .from(rolloutDevices)
      .where(and(eq(rolloutDevices.rolloutId, rolloutId), eq(rolloutDevices.stage, stage)))
      .groupBy(rolloutDevices.outcome);
    const n = (o: Outcome) => rows.find((r) => r.outcome === o)?.devices ?? 0;
    return { updated: n('updated'), failed: n('failed') };
  }
}
