import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { groupMembers, keyPackages } from '../delivery/delivery.schema.js';
import {
  disabledOfficials,
  externalProposals,
  removedDevices,
  type RemovalReason,
} from './removals.schema.js';

/** A device and its official, as a leaf or a caller names them. */
export type DeviceOf = { readonly deviceId: string; readonly userId: string };

/**
 * Classes of this module's advisory locks (pg_advisory_xact_lock(class, hashtext(id))): a removal holds its
 * device's (or its official's) exclusively while it records the removal; a commit holds those of the devices it
 * adds, shared, until it ends. A hash collision only makes two unrelated devices wait for each other.
 */
const DEVICE_LOCKS = 0x63680001;
const OFFICIAL_LOCKS = 0x63680002;

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

  /**
   * Which of these devices are out of chat: removed, or of an official disabled (whether or not chat knew the
   * device). A primary-key probe of each table.
   */
  async refusedAmong(devices: readonly DeviceOf[], tx: Db = this.db): Promise<Set<string>> {
    if (devices.length === 0) return new Set();
    const removed = await this.removedAmong(
      devices.map((d) => d.deviceId),
      tx,
    );
    const users = [...new Set(devices.map((d) => d.userId))];
    const disabled = await tx
      .select({ userId: disabledOfficials.userId })
      .from(disabledOfficials)
      .where(inArray(disabledOfficials.userId, users));
    const off = new Set(disabled.map((r) => r.userId));
    for (const d of devices) if (off.has(d.userId)) removed.add(d.deviceId);
    return removed;
  }

  /**
   * A commit's shared locks on the devices it adds and on their officials, taken before the group's row lock
   * (see lockDevice for why that order cannot deadlock). Held to the end of the transaction.
   */
  async lockJoining(devices: readonly DeviceOf[], tx: Db): Promise<void> {
    if (devices.length === 0) return;
    const keys = [
      ...[...new Set(devices.map((d) => d.userId))].map((k) => [OFFICIAL_LOCKS, k] as const),
      ...[...new Set(devices.map((d) => d.deviceId))].map((k) => [DEVICE_LOCKS, k] as const),
    ];
    await tx.execute(sql`select count(pg_advisory_xact_lock_shared(k.c, hashtext(k.id)))
      from json_to_recordset(${JSON.stringify(keys.map(([c, id]) => ({ c, id })))}::json) as k(c int, id text)`);
  }

  /**
   * A removal's exclusive lock on its device, first of all its locks: it waits for every commit adding the
   * device to end (so the removal's reads see it a member), and a later commit adding it waits for the removal
   * (and then sees it removed). No deadlock: a commit takes these locks before its group's row lock and never
   * one of them after it, and a removal holds this one lock before the group rows it locks (in id order) — so
   * every transaction takes advisory locks before row locks, and a removal, the only exclusive holder, holds
   * one advisory lock. On PGlite (one connection, transactions one at a time) the locks are always free.
   */
  async lockDevice(deviceId: string, tx: Db): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(${DEVICE_LOCKS}::int, hashtext(${deviceId}))`);
  }

  /** An official's disabling: the exclusive lock on the official (as lockDevice), and the row. */
  async recordDisabled(userId: string, tx: Db): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(${OFFICIAL_LOCKS}::int, hashtext(${userId}))`);
    await tx.insert(disabledOfficials).values({ userId }).onConflictDoNothing();
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

  /** An official enabled again: the removals their disabling caused are lifted (how many devices). */
  liftUserDisabled(userId: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.delete(disabledOfficials).where(eq(disabledOfficials.userId, userId));
      const gone = await tx
        .delete(removedDevices)
        .where(and(eq(removedDevices.userId, userId), eq(removedDevices.reason, 'user_disabled')))
        .returning({ deviceId: removedDevices.deviceId });
      return gone.length;
    });
  }
}
