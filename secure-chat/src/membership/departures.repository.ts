import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, eq, inArray, notInArray } from 'drizzle-orm';
import { groupMembers } from '../delivery/delivery.schema.js';
import { groupDepartures } from './departures.schema.js';

export type Departure = { deviceId: string; leafIndex: number };

/** Devices whose official left a group, until a commit drops their leaves (and after, for a repeated leave). */
@Injectable()
export class DeparturesRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Db {
    return this.database.db;
  }

  /** Records the devices that left (settled at once when nobody is left to commit their Removes). */
  async record(
    groupId: string,
    epoch: bigint,
    leaving: readonly { deviceId: string; userId: string; leafIndex: number }[],
    settled: boolean,
    tx: Db,
  ): Promise<void> {
    if (leaving.length === 0) return;
    await tx
      .insert(groupDepartures)
      .values(leaving.map((l) => ({ groupId, epoch, settled, ...l })))
      .onConflictDoNothing();
  }

  /** The official's devices that left this group (a repeated leave's answer), by leaf. */
  async ofOfficial(groupId: string, userId: string, tx: Db = this.db): Promise<Departure[]> {
    return tx
      .select({ deviceId: groupDepartures.deviceId, leafIndex: groupDepartures.leafIndex })
      .from(groupDepartures)
      .where(and(eq(groupDepartures.groupId, groupId), eq(groupDepartures.userId, userId)))
      .orderBy(asc(groupDepartures.leafIndex));
  }

  /** Whether this device left the group (its repeated leave is answered, not refused). */
  async departed(groupId: string, deviceId: string, tx: Db = this.db): Promise<boolean> {
    const [row] = await tx
      .select({ deviceId: groupDepartures.deviceId })
      .from(groupDepartures)
      .where(and(eq(groupDepartures.groupId, groupId), eq(groupDepartures.deviceId, deviceId)));
    return row !== undefined;
  }

  /** Removes the devices' member rows of this group: nothing sent to the group from now on reaches them. */
  async dropMembers(groupId: string, deviceIds: readonly string[], tx: Db): Promise<void> {
    if (deviceIds.length === 0) return;
    await tx
      .delete(groupMembers)
      .where(and(eq(groupMembers.groupId, groupId), inArray(groupMembers.deviceId, [...deviceIds])));
  }

  /** Which of these devices left the group and still wait for a commit of their Remove. */
  async pendingAmong(groupId: string, deviceIds: readonly string[], tx: Db): Promise<Set<string>> {
    if (deviceIds.length === 0) return new Set();
    const rows = await tx
      .select({ deviceId: groupDepartures.deviceId })
      .from(groupDepartures)
      .where(
        and(
          eq(groupDepartures.groupId, groupId),
          eq(groupDepartures.settled, false),
          inArray(groupDepartures.deviceId, [...deviceIds]),
        ),
      );
    return new Set(rows.map((r) => r.deviceId));
  }

  /**
   * A commit was accepted with these devices in its tree: a departed device no longer in it is settled (its
   * Remove committed); one in it again was added anew (a pending one would have been refused), so its row goes.
   */
  async settle(groupId: string, inTree: readonly string[], tx: Db): Promise<void> {
    const ofGroup = eq(groupDepartures.groupId, groupId);
    if (inTree.length > 0)
      await tx.delete(groupDepartures).where(and(ofGroup, inArray(groupDepartures.deviceId, [...inTree])));
    await tx
      .update(groupDepartures)
      .set({ settled: true })
      .where(
        and(
          ofGroup,
          eq(groupDepartures.settled, false),
          ...(inTree.length > 0 ? [notInArray(groupDepartures.deviceId, [...inTree])] : []),
        ),
      );
  }
}
