import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import {
  ACTIVE_STATES,
  OUTCOMES,
  outcomeRank,
  type Outcome,
  type Ring,
  type RolloutState,
  type StageOutcomes,
} from './rollout-rules.js';
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

  /** The rollouts handsets are answered from, and the ticker's work: active ones and each model's latest completed one. */
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
   * Records a device's outcome unless the one on record outranks it (`replacesOutcome`: a result beats the
   * offer whatever the node clocks say, failed beats updated, a redelivery changes nothing); the stage and
   * ring of its first report stay. True when the row changed.
   */
  async recordOutcome(row: typeof rolloutDevices.$inferInsert): Promise<boolean> {
    const rank = (o: SQL) =>
      sql`(case ${o} ${sql.join(
        OUTCOMES.map((x) => sql`when ${x} then ${sql.raw(String(outcomeRank(x)))}`),
        sql` `,
      )} end)`;
    const incoming = rank(sql`excluded.outcome`);
    const recorded = rank(sql`${rolloutDevices.outcome}`);
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
        setWhere: sql`(${incoming} > ${recorded} or (${incoming} = ${recorded} and excluded.at > ${rolloutDevices.at}))`,
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

  /** Updated and failed devices of one stage and of the whole rollout: what the automatic halt weighs. */
  async haltCounts(
    rolloutId: string,
    stage: number,
  ): Promise<{ stage: StageOutcomes; rollout: StageOutcomes }> {
    const rows = await this.db
      .select({
        stage: rolloutDevices.stage,
        outcome: rolloutDevices.outcome,
        devices: sql<number>`count(*)::int`,
      })
      .from(rolloutDevices)
      .where(
        and(eq(rolloutDevices.rolloutId, rolloutId), inArray(rolloutDevices.outcome, ['updated', 'failed'])),
      )
      .groupBy(rolloutDevices.stage, rolloutDevices.outcome);
    const n = (o: Outcome, only?: number) =>
      rows
        .filter((r) => r.outcome === o && (only === undefined || r.stage === only))
        .reduce((a, r) => a + r.devices, 0);
    return {
      stage: { updated: n('updated', stage), failed: n('failed', stage) },
      rollout: { updated: n('updated'), failed: n('failed') },
    };
  }

  /** Whether a completed rollout is the one its model's stragglers are still offered (the latest completed). */
  async stillOffered(r: Pick<RolloutRow, 'id' | 'model'>): Promise<boolean> {
    const [latest] = await this.db
      .select({ id: rollouts.id })
      .from(rollouts)
      .where(and(eq(rollouts.model, r.model), eq(rollouts.state, 'completed')))
      .orderBy(desc(rollouts.updatedAt))
      .limit(1);
    return latest?.id === r.id;
  }
}
