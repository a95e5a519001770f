import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { groupMembers, keyPackages } from '../delivery/delivery.schema.js';
import { externalProposals, removedDevices, type RemovalReason } from './removals.schema.js';

/** The devices taken out of chat, and the groups a device sits in. */
@Injectable()
export class RemovalsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Db {
    return this.database.db;
  }

  /**
   * A device already recorded keeps its row, but a lasting reason (wiped, lost, retired) replaces
   * 'user_disabled': the official's re-enabling lifts only what their disabling caused, never a lost handset.
   */
  async record(deviceId: string, userId: string | null, reason: RemovalReason, tx: Db): Promise<void> {
    await tx
      .insert(removedDevices)
      .values({ deviceId, userId, reason })
      .onConflictDoUpdate({
        target: removedDevices.deviceId,
        set: { reason: sql`excluded.reason` },
        setWhere: sql`excluded.reason <> 'user_disabled'`,
      });
  }

  /** A Remove proposal the server sent to a group's members for this epoch (they commit it by reference). */
  async recordProposal(groupId: string, epoch: bigint, message: Uint8Array, tx: Db): Promise<void> {
    await tx.insert(externalProposals).values({ groupId, epoch, message: Buffer.from(message) });
  }

  /**
   * The server's proposals for the group's epoch, oldest first (what a commit may name by reference). Kept past
   * their epoch until the retention sweep (purgeStaleProposals): a commit checked while another member's lands
   * still finds its epoch's proposals, and is then refused as stale under the group's lock (409, rebase).
   */
  async proposalsOf(groupId: string, epoch: bigint, tx: Db = this.db): Promise<Uint8Array[]> {
    const rows = await tx
      .select({ message: externalProposals.message })
      .from(externalProposals)
      .where(and(eq(externalProposals.groupId, groupId), eq(externalProposals.epoch, epoch)))
      .orderBy(externalProposals.createdAt);
    return rows.map((r) => new Uint8Array(r.message));
  }

  /** Which of these devices were removed. */
  async removedAmong(deviceIds: readonly string[], tx: Db = this.db): Promise<Set<string>> {
    if (deviceIds.length === 0) return new Set();
    const rows = await tx
      .select({ deviceId: removedDevices.deviceId })
      .from(removedDevices)
      .where(inArray(removedDevices.deviceId, [...deviceIds]));
    return new Set(rows.map((r) => r.deviceId));
  }

  /** The groups the device is a member of, sorted (the order their rows are locked in). */
  async groupsOf(deviceId: string, tx: Db): Promise<string[]> {
    const rows = await tx
      .selectDistinct({ groupId: groupMembers.groupId })
      .from(groupMembers)
      .where(eq(groupMembers.deviceId, deviceId));
    return rows.map((r) => r.groupId).sort();
  }

  /** Every device chat knows of an official: in a group, or with KeyPackages published. */
  async devicesOfUser(userId: string): Promise<string[]> {
    const [inGroups, published] = await Promise.all([
      this.db
        .selectDistinct({ deviceId: groupMembers.deviceId })
        .from(groupMembers)
        .where(eq(groupMembers.userId, userId)),
      this.db
        .selectDistinct({ deviceId: keyPackages.deviceId })
        .from(keyPackages)
        .where(eq(keyPackages.userId, userId)),
    ]);
    return [...new Set([...inGroups, ...published].map((r) => r.deviceId))].sort();
  }

  /** An official enabled again: the removals their disabling caused are lifted. */
  async liftUserDisabled(userId: string): Promise<number> {
    const gone = await this.db
      .delete(removedDevices)
      .where(and(eq(removedDevices.userId, userId), eq(removedDevices.reason, 'user_disabled')))
      .returning({ deviceId: removedDevices.deviceId });
    return gone.length;
  }
}
