import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { deviceCommands } from '../commands/device-commands.schema.js';
import type { NewCommandRow } from '../commands/commands.repository.js';
import { devices } from '../devices/devices.schema.js';

/** The key column in byte order: what `device_commands_key_idx` indexes, so a prefix is a range scan of it. */
const keyInByteOrder = sql`${deviceCommands.idempotencyKey} collate "C"`;

/** The fleet as the app store reads it, and its installs (AppFleetService). */
@Injectable()
export class AppFleetRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /** Active devices of an institution after `afterId`, by id: only the report's apps are read, not the whole report. */
  async activePage(institutionId: string, afterId: string | undefined, limit: number) {
    return this.database.db
      .select({
        id: devices.id,
        apps: sql<unknown>`${devices.lastReport} -> 'apps'`,
        complianceReasons: devices.complianceReasons,
      })
      .from(devices)
      .where(
        and(
          eq(devices.institutionId, institutionId),
          eq(devices.state, 'active'),
          afterId === undefined ? undefined : gt(devices.id, afterId),
        ),
      )
      .orderBy(asc(devices.id))
      .limit(limit);
  }

  /**
   * The institutions of those of these devices that are active. Not locked, as an operator's command is not:
   * one queued as the device is retired is never delivered, and locking a thousand rows would hold up their
   * check-ins.
   */
  async activeInstitutions(ids: readonly string[], tx: Db): Promise<Map<string, string | null>> {
    const rows = await tx
      .select({ id: devices.id, institutionId: devices.institutionId })
      .from(devices)
      .where(and(inArray(devices.id, [...ids]), eq(devices.state, 'active')));
    return new Map(rows.map((r) => [r.id, r.institutionId]));
  }

  /** One statement; a (device, key) the table already has is skipped. The devices of the commands inserted. */
  async insertNew(rows: readonly NewCommandRow[], tx: Db): Promise<string[]> {
    if (rows.length === 0) return [];
    const inserted = await tx
      .insert(deviceCommands)
      .values([...rows])
      .onConflictDoNothing({ target: [deviceCommands.deviceId, deviceCommands.idempotencyKey] })
      .returning({ deviceId: deviceCommands.deviceId });
    return inserted.map((r) => r.deviceId);
  }

  /**
   * Cancels the open (queued or delivered, unexpired) commands whose key is in [from, to) in byte order, with
   * `detail` as their result, in one statement on the keys' index. The number cancelled.
   */
  async cancelKeyRange(from: string, to: string | undefined, detail: string, now: Date): Promise<number> {
    const rows = await this.database.db
      .update(deviceCommands)
      .set({ state: 'cancelled', result: { detail } })
      .where(
        and(
          sql`${keyInByteOrder} >= ${from}`,
          to === undefined ? undefined : sql`${keyInByteOrder} < ${to}`,
          inArray(deviceCommands.state, ['queued', 'delivered']),
          gt(deviceCommands.expiresAt, now),
        ),
      )
      .returning({ id: deviceCommands.id });
    return rows.length;
  }

  /**
   * Commands whose key is in [from, to) in byte order (to undefined: no upper bound). The query itself (to
   * await), so a test can EXPLAIN it.
   */
  byKeyRange(from: string, to: string | undefined) {
    return this.database.db
      .select({
        deviceId: deviceCommands.deviceId,
        key: deviceCommands.idempotencyKey,
        state: deviceCommands.state,
        expiresAt: deviceCommands.expiresAt,
        result: deviceCommands.result,
      })
      .from(deviceCommands)
      .where(
        and(sql`${keyInByteOrder} >= ${from}`, to === undefined ? undefined : sql`${keyInByteOrder} < ${to}`),
      )
      .orderBy(keyInByteOrder, asc(deviceCommands.deviceId));
  }
}
