import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { OsUpdateSeen } from './os-update-step.js';
import { deviceOsUpdates, osUpdateEvents, type OsUpdateState } from './os-updates.schema.js';

export type OsUpdateRow = typeof deviceOsUpdates.$inferSelect;
export type OsUpdateEventRow = typeof osUpdateEvents.$inferSelect;

/** The newest rollout row of a device as JSON, for the check-in's read statement (no second query). */
export const newestOsUpdateOf = (deviceIdColumn: unknown) => sql<OsUpdateSeen>`(select json_build_object(
    'rolloutId', u.rollout_id, 'buildId', u.build_id, 'state', u.state)
  from ${deviceOsUpdates} u where u.device_id = ${deviceIdColumn}
  order by u.offered_at desc limit 1)`;

@Injectable()
export class OsUpdatesRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  async newest(deviceId: string, tx: Db = this.database.db): Promise<OsUpdateSeen> {
    const rows = await tx
      .select({
        rolloutId: deviceOsUpdates.rolloutId,
        buildId: deviceOsUpdates.buildId,
        state: deviceOsUpdates.state,
      })
      .from(deviceOsUpdates)
      .where(eq(deviceOsUpdates.deviceId, deviceId))
      .orderBy(desc(deviceOsUpdates.offeredAt))
      .limit(1);
    return rows[0] ?? null;
  }

  async find(
    deviceId: string,
    rolloutId: string,
    tx: Db = this.database.db,
  ): Promise<OsUpdateRow | undefined> {
    const rows = await tx
      .select()
      .from(deviceOsUpdates)
      .where(and(eq(deviceOsUpdates.deviceId, deviceId), eq(deviceOsUpdates.rolloutId, rolloutId)))
      .limit(1);
    return rows[0];
  }

  /** The new row, or undefined when the device was already offered this rollout (a concurrent check-in won). */
  async offer(row: typeof deviceOsUpdates.$inferInsert, tx: Db): Promise<OsUpdateRow | undefined> {
    const rows = await tx.insert(deviceOsUpdates).values(row).onConflictDoNothing().returning();
    return rows[0];
  }

  async linkCommand(deviceId: string, rolloutId: string, commandId: string, tx: Db): Promise<void> {
    await tx
      .update(deviceOsUpdates)
      .set({ commandId })
      .where(and(eq(deviceOsUpdates.deviceId, deviceId), eq(deviceOsUpdates.rolloutId, rolloutId)));
  }

  /** Moves the row from one of `from` to `to`; undefined when it was not in one of them (someone else moved it). */
  async move(
    deviceId: string,
    rolloutId: string | null,
    from: readonly OsUpdateState[],
    to: OsUpdateState,
    detail: string | null,
    now: Date,
    tx: Db,
  ): Promise<OsUpdateRow | undefined> {
    const rows = await tx
      .update(deviceOsUpdates)
      .set({ state: to, detail, changedAt: now })
      .where(
        and(
          eq(deviceOsUpdates.deviceId, deviceId),
          rolloutId === null ? undefined : eq(deviceOsUpdates.rolloutId, rolloutId),
          inArray(deviceOsUpdates.state, [...from]),
        ),
      )
      .returning();
    return rows[0];
  }

  /** The event's id, or undefined when this outcome was already recorded for the device and rollout. */
  async addEvent(row: typeof osUpdateEvents.$inferInsert, tx: Db): Promise<string | undefined> {
    const rows = await tx
      .insert(osUpdateEvents)
      .values(row)
      .onConflictDoNothing()
      .returning({ id: osUpdateEvents.id });
    return rows[0]?.id;
  }

  async unpublished(
    ids: readonly string[] | null,
    olderThan: Date,
    limit: number,
  ): Promise<OsUpdateEventRow[]> {
    return this.database.db
      .select()
      .from(osUpdateEvents)
      .where(
        and(
          isNull(osUpdateEvents.publishedAt),
          ids === null ? lt(osUpdateEvents.createdAt, olderThan) : inArray(osUpdateEvents.id, [...ids]),
        ),
      )
      .orderBy(asc(osUpdateEvents.createdAt))
      .limit(limit);
  }

  async markPublished(id: string, now: Date): Promise<void> {
    await this.database.db.update(osUpdateEvents).set({ publishedAt: now }).where(eq(osUpdateEvents.id, id));
  }
}
