import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import {
  chatGroups,
  chatSends,
  deviceQueue,
  deviceSeq,
  groupMembers,
  type QueueKind,
} from './delivery.schema.js';

export type Envelope = {
  readonly groupId: string;
  readonly senderDevice: string | null;
  readonly kind: QueueKind;
  readonly body: Buffer;
};
export type Member = { leafIndex: number; deviceId: string; userId: string };
/** A member as stored: with its official's institution when the caller knows it (leaves do). */
export type StoredMember = Member & { institutionId?: string | null };

/** Groups, their members, the per-device queues and the sends already accepted. */
@Injectable()
export class DeliveryRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): DatabaseHandle['db'] {
    return this.database.db;
  }

  /** The group, its row locked until the transaction ends (commits to one group are serialised on it). */
  async lockGroup(groupId: string, tx: Db) {
    const [row] = await tx.select().from(chatGroups).where(eq(chatGroups.groupId, groupId)).for('update');
    return row ?? null;
  }

  /** The group, share-locked: messages pass each other, a commit waits for them and they for it. */
  async shareGroup(groupId: string, tx: Db) {
    const [row] = await tx.select().from(chatGroups).where(eq(chatGroups.groupId, groupId)).for('share');
    return row ?? null;
  }

  async group(groupId: string, tx: Db = this.db) {
    const [row] = await tx.select().from(chatGroups).where(eq(chatGroups.groupId, groupId));
    return row ?? null;
  }

  /** Inserts the group; false when the id is taken. */
  async insertGroup(row: typeof chatGroups.$inferInsert, tx: Db): Promise<boolean> {
    const inserted = await tx
      .insert(chatGroups)
      .values(row)
      .onConflictDoNothing()
      .returning({ id: chatGroups.groupId });
    return inserted.length === 1;
  }

  async advanceGroup(groupId: string, epoch: bigint, groupInfo: Buffer, tx: Db): Promise<void> {
    await tx
      .update(chatGroups)
      .set({ epoch, groupInfo, updatedAt: new Date() })
      .where(eq(chatGroups.groupId, groupId));
  }

  async members(groupId: string, tx: Db = this.db): Promise<Member[]> {
    return tx
      .select({
        leafIndex: groupMembers.leafIndex,
        deviceId: groupMembers.deviceId,
        userId: groupMembers.userId,
      })
      .from(groupMembers)
      .where(eq(groupMembers.groupId, groupId))
      .orderBy(asc(groupMembers.leafIndex));
  }

  async replaceMembers(groupId: string, members: readonly StoredMember[], tx: Db): Promise<void> {
    await tx.delete(groupMembers).where(eq(groupMembers.groupId, groupId));
    if (members.length)
      await tx.insert(groupMembers).values(
        members.map((m) => ({
          groupId,
          leafIndex: m.leafIndex,
          deviceId: m.deviceId,
          userId: m.userId,
          institutionId: m.institutionId ?? null,
        })),
      );
  }

  /** Removes a device from every group's member list; the groups it was in. */
  async dropDevice(deviceId: string, tx: Db): Promise<string[]> {
    const gone = await tx
      .delete(groupMembers)
      .where(eq(groupMembers.deviceId, deviceId))
      .returning({ groupId: groupMembers.groupId });
    await tx.delete(deviceQueue).where(eq(deviceQueue.deviceId, deviceId));
    return [...new Set(gone.map((g) => g.groupId))].sort();
  }

  /**
   * Appends one envelope to each device's queue; the seqs given, by device. The devices' seq rows are taken in
   * id order so two fan-outs that share devices cannot deadlock.
   */
  async enqueue(deviceIds: readonly string[], envelope: Envelope, tx: Db): Promise<Map<string, number>> {
    const seqs = new Map<string, number>();
    for (const deviceId of [...new Set(deviceIds)].sort()) {
      const [row] = await tx
        .insert(deviceSeq)
        .values({ deviceId, lastSeq: 1 })
        .onConflictDoUpdate({ target: deviceSeq.deviceId, set: { lastSeq: sql`${deviceSeq.lastSeq} + 1` } })
        .returning({ seq: deviceSeq.lastSeq });
      seqs.set(deviceId, row!.seq);
    }
    if (seqs.size)
      await tx
        .insert(deviceQueue)
        .values([...seqs].map(([deviceId, seq]) => ({ deviceId, seq, ...envelope })));
    return seqs;
  }

  /** The device's queue after `after`, in order. */
  async inbox(deviceId: string, after: number, limit: number) {
    return this.db
      .select({
        seq: deviceQueue.seq,
        groupId: deviceQueue.groupId,
        senderDevice: deviceQueue.senderDevice,
        kind: deviceQueue.kind,
        body: deviceQueue.body,
        createdAt: deviceQueue.createdAt,
      })
      .from(deviceQueue)
      .where(and(eq(deviceQueue.deviceId, deviceId), gt(deviceQueue.seq, after)))
      .orderBy(asc(deviceQueue.seq))
      .limit(limit);
  }

  /** Deletes the device's queue up to `upTo`; how many envelopes went. */
  async ack(deviceId: string, upTo: number): Promise<number> {
    const gone = await this.db
      .delete(deviceQueue)
      .where(and(eq(deviceQueue.deviceId, deviceId), lte(deviceQueue.seq, upTo)))
      .returning({ seq: deviceQueue.seq });
    return gone.length;
  }

  async pending(deviceIds: readonly string[]): Promise<Map<string, number>> {
    if (!deviceIds.length) return new Map();
    const rows = await this.db
      .select({ deviceId: deviceQueue.deviceId, n: sql<number>`count(*)::int` })
      .from(deviceQueue)
      .where(inArray(deviceQueue.deviceId, [...deviceIds]))
      .groupBy(deviceQueue.deviceId);
    return new Map(rows.map((r) => [r.deviceId, r.n]));
  }

  /**
   * Claims (device, clientId) for this send inside its transaction: null when it is new (the caller goes on
   * and stores its result with `recordSend`), else the first send's result. A concurrent retry waits on the
   * first one's row and then sees it.
   */
  async previousSend(deviceId: string, clientId: string, tx: Db): Promise<Record<string, unknown> | null> {
    const inserted = await tx
      .insert(chatSends)
      .values({ deviceId, clientId, result: {} })
      .onConflictDoNothing()
      .returning({ clientId: chatSends.clientId });
    if (inserted.length === 1) return null;
    const [row] = await tx
      .select({ result: chatSends.result })
      .from(chatSends)
      .where(and(eq(chatSends.deviceId, deviceId), eq(chatSends.clientId, clientId)));
    return row?.result ?? {};
  }

  async recordSend(deviceId: string, clientId: string, result: Record<string, unknown>, tx: Db) {
    await tx
      .update(chatSends)
      .set({ result })
      .where(and(eq(chatSends.deviceId, deviceId), eq(chatSends.clientId, clientId)));
  }
}
