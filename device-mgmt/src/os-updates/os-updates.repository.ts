import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { deviceCommands } from '../commands/device-commands.schema.js';
import { ROLLOUTS_SEEN, type OsUpdateSeen } from './os-update-step.js';
import { deviceOsUpdates, osUpdateEvents, type OsUpdateState } from './os-updates.schema.js';

export type OsUpdateRow = typeof deviceOsUpdates.$inferSelect;
export type OsUpdateEventRow = typeof osUpdateEvents.$inferSelect;

/**
 * The newest rollout row of a device as JSON, for the check-in's read statement (no second query): with its
 * command's state and expiry and the rollouts the device has rows for (primary-key lookups only).
 */
export const newestOsUpdateOf = (deviceIdColumn: unknown) => sql<OsUpdateSeen>`(select json_build_object(
    'rolloutId', u.rollout_id, 'buildId', u.build_id, 'state', u.state,
    'command', (select json_build_object('id', c.id, 'state', c.state, 'expiresAt', c.expires_at)
      from ${deviceCommands} c where c.id = u.command_id),
    'rollouts', (select json_agg(r.rollout_id) from (select o.rollout_id from ${deviceOsUpdates} o
      where o.device_id = u.device_id order by o.offered_at desc limit ${sql.raw(String(ROLLOUTS_SEEN))}) r))
  from ${deviceOsUpdates} u where u.device_id = ${deviceIdColumn}
  order by u.offered_at desc limit 1)`;

@Injectable()
export class OsUpdatesRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  async newest(deviceId: string, tx: Db = this.database.db): Promise<OsUpdateSeen> {
    const rows = await tx
      .select({ seen: newestOsUpdateOf(sql`${deviceId}::uuid`) })
      .from(deviceOsUpdates)
      .where(eq(deviceOsUpdates.deviceId, deviceId))
      .limit(1);
    return rows[0]?.seen ?? null;
  }

  /**
   * Moves an offered row whose command (`expiredCommandId`) expired onto a new command: undefined when it is
   * no longer offered with that command (a result arrived, or a concurrent check-in renewed it first).
   */
  async renew(
    deviceId: string,
    rolloutId: string,
    expiredCommandId: string,
    now: Date,
    tx: Db,
  ): Promise<OsUpdateRow | undefined> {
    const rows = await tx
      .update(deviceOsUpdates)
      .set({ changedAt: now, detail: 'offered again: the previous update_os command expired unacknowledged' })
      .where(
        and(
          eq(deviceOsUpdates.deviceId, deviceId),
          eq(deviceOsUpdates.rolloutId, rolloutId),
          eq(deviceOsUpdates.state, 'offered'),
          eq(deviceOsUpdates.commandId, expiredCommandId),
        ),
      )
      .returning();
    return rows[0];
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
