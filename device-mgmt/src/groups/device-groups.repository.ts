import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { devices } from '../devices/devices.schema.js';
import { deviceGroups } from './device-groups.schema.js';

export type GroupRow = typeof deviceGroups.$inferSelect;
export type MemberRow = Pick<
  typeof devices.$inferSelect,
  'id' | 'userId' | 'institutionId' | 'groupId' | 'model' | 'imei' | 'state' | 'compliance'
>;

const memberColumns = {
  id: devices.id,
  userId: devices.userId,
  institutionId: devices.institutionId,
  groupId: devices.groupId,
  model: devices.model,
  imei: devices.imei,
  state: devices.state,
  compliance: devices.compliance,
};

/** A write refused by the unique name index (two operators creating the same name at once). */
export const isNameTaken = (err: unknown): boolean => {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, constraint_name: constraint } = e as { code?: unknown; constraint_name?: unknown };
    if (code === '23505' && (constraint === undefined || constraint === 'device_groups_name_idx'))
      return true;
  }
  return false;
};

/** Device groups and their members (the `group_id` of devices). */
@Injectable()
export class DeviceGroupsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.database.db.transaction(work);
  }

  /** Groups in scope (undefined: all), by institution then name, with their member counts. */
  async list(scope: SQL | undefined): Promise<(GroupRow & { members: number })[]> {
    const rows = await this.database.db
      .select({ group: deviceGroups, members: count(devices.id) })
      .from(deviceGroups)
      .leftJoin(devices, eq(devices.groupId, deviceGroups.id))
      .where(scope)
      .groupBy(deviceGroups.id)
      .orderBy(asc(deviceGroups.institutionId), asc(sql`lower(${deviceGroups.name})`));
    return rows.map((r) => ({ ...r.group, members: Number(r.members) }));
  }

  async byId(id: string, tx: Db = this.database.db): Promise<GroupRow | undefined> {
    const rows = await tx.select().from(deviceGroups).where(eq(deviceGroups.id, id)).limit(1);
    return rows[0];
  }

  async byName(institutionId: string, name: string, tx: Db): Promise<GroupRow | undefined> {
    const rows = await tx
      .select()
      .from(deviceGroups)
      .where(
        and(eq(deviceGroups.institutionId, institutionId), sql`lower(${deviceGroups.name}) = lower(${name})`),
      )
      .limit(1);
    return rows[0];
  }

  async insert(institutionId: string, name: string, tx: Db): Promise<GroupRow> {
    const rows = await tx.insert(deviceGroups).values({ institutionId, name }).returning();
    return rows[0]!;
  }

  async rename(id: string, name: string, tx: Db): Promise<GroupRow | undefined> {
    const rows = await tx
      .update(deviceGroups)
      .set({ name, updatedAt: new Date() })
      .where(eq(deviceGroups.id, id))
      .returning();
    return rows[0];
  }

  /** Members leave the group first (their row changes, so their next check-in reads the policy again). */
  async delete(id: string, tx: Db): Promise<number> {
    const left = await tx
      .update(devices)
      .set({ groupId: null, updatedAt: new Date() })
      .where(eq(devices.groupId, id))
      .returning({ id: devices.id });
    await tx.delete(deviceGroups).where(eq(deviceGroups.id, id));
    return left.length;
  }

  async members(groupId: string, tx: Db = this.database.db): Promise<MemberRow[]> {
    return tx
      .select(memberColumns)
      .from(devices)
      .where(eq(devices.groupId, groupId))
      .orderBy(asc(devices.id));
  }

  /** Devices by id (any institution: the service keeps to the group's). */
  async devicesByIds(ids: readonly string[], tx: Db): Promise<MemberRow[]> {
    if (ids.length === 0) return [];
    return tx
      .select(memberColumns)
      .from(devices)
      .where(inArray(devices.id, [...ids]));
  }

  /** The live (active or lost) handsets of these officials. */
  async devicesOfUsers(userIds: readonly string[], tx: Db): Promise<MemberRow[]> {
    if (userIds.length === 0) return [];
    return tx
      .select(memberColumns)
      .from(devices)
      .where(and(inArray(devices.userId, [...userIds]), inArray(devices.state, ['active', 'lost'])));
  }

  /** Sets the group of these devices (null: none); a device's row changes, so its check-in reads again. */
  async setGroup(deviceIds: readonly string[], groupId: string | null, tx: Db): Promise<void> {
    if (deviceIds.length === 0) return;
    await tx
      .update(devices)
      .set({ groupId, updatedAt: new Date() })
      .where(inArray(devices.id, [...deviceIds]));
  }
}
