import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, desc, eq, gte, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { AlarmKind, AlarmSeverity } from './alarm-rules.js';
import { alarms, kpiSamples } from './network-health.schema.js';

export type KpiSampleRow = typeof kpiSamples.$inferSelect;
export type AlarmRow = typeof alarms.$inferSelect;

export type NewAlarm = {
  kind: AlarmKind;
  nf: string;
  severity: AlarmSeverity;
  message: string;
  details: Record<string, unknown>;
  raisedAt: Date;
};

/** Rows per INSERT: one statement per scrape round, split only for very large fleets. */
const INSERT_CHUNK = 1_000;
/** Advisory lock namespace for alarm transitions ("pkzn"; audit uses "pkza", migrations "pkzm"). */
const ALARM_LOCK_NAMESPACE = 0x706b7a6e;

@Injectable()
export class NetworkHealthRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  async insertKpiSamples(rows: readonly KpiSampleRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK)
      await this.database.db.insert(kpiSamples).values(rows.slice(i, i + INSERT_CHUNK));
  }

  /**
   * Deletes samples older than `before`: per (nf, kpi) when given, so each DELETE walks the
   * (nf, kpi, at) index; without pairs, one sweep over the whole table (for NFs no longer configured).
   */
  async pruneKpiSamples(before: Date, pairs?: readonly { nf: string; kpi: string }[]): Promise<number> {
    const where = (extra?: SQL) => and(extra, lt(kpiSamples.at, before));
    if (!pairs) return this.countDeleted(where());
    let total = 0;
    for (const p of pairs)
      total += await this.countDeleted(where(and(eq(kpiSamples.nf, p.nf), eq(kpiSamples.kpi, p.kpi))));
    return total;
  }

  private async countDeleted(where: SQL | undefined): Promise<number> {
    const rows = await this.database.db.delete(kpiSamples).where(where).returning({ at: kpiSamples.at });
    return rows.length;
  }

  /** Newest first. */
  kpiHistory(q: {
    nf?: string | undefined;
    kpi?: string | undefined;
    since?: Date | undefined;
    limit: number;
  }): Promise<KpiSampleRow[]> {
    const where = and(
      q.nf === undefined ? undefined : eq(kpiSamples.nf, q.nf),
      q.kpi === undefined ? undefined : eq(kpiSamples.kpi, q.kpi),
      q.since === undefined ? undefined : gte(kpiSamples.at, q.since),
    );
    return this.database.db
      .select()
      .from(kpiSamples)
      .where(where)
      .orderBy(desc(kpiSamples.at))
      .limit(q.limit);
  }

  listAlarms(q: { state: 'open' | 'all'; limit: number }): Promise<AlarmRow[]> {
    return this.database.db
      .select()
      .from(alarms)
      .where(q.state === 'open' ? isNull(alarms.clearedAt) : undefined)
      .orderBy(desc(alarms.raisedAt), desc(alarms.id))
      .limit(q.limit);
  }

  async findAlarm(id: string, tx: Db = this.database.db): Promise<AlarmRow | undefined> {
    return (await tx.select().from(alarms).where(eq(alarms.id, id)).limit(1))[0];
  }

  /** Opens an alarm unless one of this kind is already open for this NF; returns the new row, or null. */
  openAlarm(alarm: NewAlarm): Promise<AlarmRow | null> {
    return this.database.db.transaction(async (tx) => {
      await this.lockAlarm(tx, alarm.kind, alarm.nf);
      const open = await tx
        .select({ id: alarms.id })
        .from(alarms)
        .where(and(eq(alarms.kind, alarm.kind), eq(alarms.nf, alarm.nf), isNull(alarms.clearedAt)))
        .limit(1);
      if (open.length > 0) return null;
      const [row] = await tx
        .insert(alarms)
        .values({ id: randomUUID(), ...alarm })
        .returning();
      return row ?? null;
    });
  }

  /** Clears the open alarm of this kind for this NF, recording why in its details; null when none was open. */
  async clearAlarm(
    kind: AlarmKind,
    nf: string,
    at: Date,
    clear: Record<string, unknown>,
  ): Promise<AlarmRow | null> {
    const [row] = await this.database.db
      .update(alarms)
      .set({ clearedAt: at, details: sql`${alarms.details} || ${JSON.stringify({ clear })}::jsonb` })
      .where(and(eq(alarms.kind, kind), eq(alarms.nf, nf), isNull(alarms.clearedAt)))
      .returning();
    return row ?? null;
  }

  /** Sets the acknowledgement once; returns the row only when this call acknowledged it. */
  async acknowledge(id: string, by: string, at: Date, tx: Db): Promise<AlarmRow | null> {
    const [row] = await tx
      .update(alarms)
      .set({ acknowledgedBy: by, acknowledgedAt: at })
      .where(and(eq(alarms.id, id), isNull(alarms.acknowledgedAt)))
      .returning();
    return row ?? null;
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.database.db.transaction(fn);
  }

  /**
   * Serialises transitions of one (kind, nf) across nodes, so two monitors never both open the alarm: the
   * table has no unique index for "one open alarm per kind and NF". PGlite has one connection already.
   */
  private async lockAlarm(tx: Db, kind: string, nf: string): Promise<void> {
    if (this.database.mode !== 'postgresql') return;
    await tx.execute(
      sql`select pg_advisory_xact_lock(${ALARM_LOCK_NAMESPACE}, hashtext(${`${kind}:${nf}`}))`,
    );
  }
}
