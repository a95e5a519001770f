import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import { deviceCommands, type CommandState } from './device-commands.schema.js';

export type CommandRow = typeof deviceCommands.$inferSelect;
export type NewCommandRow = typeof deviceCommands.$inferInsert;

/** Not yet acknowledged, cancelled or expired: what a check-in delivers. */
const OPEN: CommandState[] = ['queued', 'delivered'];
/** Most commands one check-in carries; the rest follow at the next (nextCheckInSeconds is shortened). */
export const MAX_COMMANDS_PER_CHECK_IN = 20;

@Injectable()
export class CommandsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /** The new command, or undefined when the device already has one with this idempotency key. */
  async insert(row: NewCommandRow, tx: Db = this.database.db): Promise<CommandRow | undefined> {
    const rows = await tx.insert(deviceCommands).values(row).onConflictDoNothing().returning();
    return rows[0];
  }

  async byKey(deviceId: string, key: string, tx: Db = this.database.db): Promise<CommandRow | undefined> {
    const rows = await tx
      .select()
      .from(deviceCommands)
      .where(and(eq(deviceCommands.deviceId, deviceId), eq(deviceCommands.idempotencyKey, key)))
      .limit(1);
    return rows[0];
  }

  async find(deviceId: string, id: string, tx: Db = this.database.db): Promise<CommandRow | undefined> {
    const rows = await tx
      .select()
      .from(deviceCommands)
      .where(and(eq(deviceCommands.deviceId, deviceId), eq(deviceCommands.id, id)))
      .limit(1);
    return rows[0];
  }

  async list(deviceId: string, limit: number, tx: Db = this.database.db): Promise<CommandRow[]> {
    return tx
      .select()
      .from(deviceCommands)
      .where(eq(deviceCommands.deviceId, deviceId))
      .orderBy(desc(deviceCommands.createdAt), desc(deviceCommands.id))
      .limit(limit);
  }

  /**
   * Marks the device's open, unexpired commands delivered and returns them, oldest first, in one statement.
   * Delivered-but-unacknowledged ones come again (the reply carrying them may have been lost).
   */
  async deliver(deviceId: string, now: Date, tx: Db = this.database.db): Promise<CommandRow[]> {
    const open = tx
      .select({ id: deviceCommands.id })
      .from(deviceCommands)
      .where(
        and(
          eq(deviceCommands.deviceId, deviceId),
          inArray(deviceCommands.state, OPEN),
          gt(deviceCommands.expiresAt, now),
        ),
      )
      .orderBy(asc(deviceCommands.createdAt))
      .limit(MAX_COMMANDS_PER_CHECK_IN);
    const rows = await tx
      .update(deviceCommands)
      .set({ state: 'delivered', deliveredAt: sql`coalesce(${deviceCommands.deliveredAt}, ${now})` })
      // The state again on the target row: an acknowledgement or a cancel committed meanwhile is not undone.
      .where(and(inArray(deviceCommands.id, open), inArray(deviceCommands.state, OPEN)))
      .returning();
    return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  /**
   * Records the outcome of a delivered command once: the first acknowledgement wins. Undefined when the
   * command was never delivered or is already acknowledged (the caller tells which).
   */
  async acknowledge(
    deviceId: string,
    id: string,
    outcome: { state: 'succeeded' | 'failed'; detail?: string | undefined },
    now: Date,
    tx: Db = this.database.db,
  ): Promise<CommandRow | undefined> {
    const rows = await tx
      .update(deviceCommands)
      .set({
        state: outcome.state,
        acknowledgedAt: now,
        result: outcome.detail === undefined ? {} : { detail: outcome.detail },
      })
      .where(
        and(
          eq(deviceCommands.deviceId, deviceId),
          eq(deviceCommands.id, id),
          isNotNull(deviceCommands.deliveredAt),
          isNull(deviceCommands.acknowledgedAt),
        ),
      )
      .returning();
    return rows[0];
  }

  async cancel(deviceId: string, id: string, tx: Db = this.database.db): Promise<CommandRow | undefined> {
    const rows = await tx
      .update(deviceCommands)
      .set({ state: 'cancelled' })
      .where(
        and(
          eq(deviceCommands.deviceId, deviceId),
          eq(deviceCommands.id, id),
          inArray(deviceCommands.state, OPEN),
        ),
      )
      .returning();
    return rows[0];
  }

  /** Open commands past their expiry become `expired` (of one device, or of all). */
  async expire(now: Date, deviceId?: string, tx: Db = this.database.db): Promise<number> {
    const rows = await tx
      .update(deviceCommands)
      .set({ state: 'expired' })
      .where(
        and(
          deviceId === undefined ? undefined : eq(deviceCommands.deviceId, deviceId),
          inArray(deviceCommands.state, OPEN),
          lte(deviceCommands.expiresAt, now),
        ),
      )
      .returning({ id: deviceCommands.id });
    return rows.length;
  }

  /** Whether a locate command is out for the device (delivered, neither acknowledged nor expired). */
  async locateOutstanding(deviceId: string, now: Date, tx: Db = this.database.db): Promise<boolean> {
    const rows = await tx
      .select({ id: deviceCommands.id })
      .from(deviceCommands)
      .where(
        and(
          eq(deviceCommands.deviceId, deviceId),
          eq(deviceCommands.type, 'locate'),
          eq(deviceCommands.state, 'delivered'),
          gt(deviceCommands.expiresAt, now),
        ),
      )
      .limit(1);
    return rows.length > 0;
  }
}
