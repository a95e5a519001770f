import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { chatGroups, chatSends, deviceQueue, groupMembers } from './delivery.schema.js';
import { ENQUEUE, enqueueParams, seqsGiven, type EnqueueBatch } from './enqueue.js';
import { runPrepared } from './prepared.js';
import { INBOX_BYTES } from './envelope-bytes.js';
import { QueueBatches, type QueuePage, type QueueRow } from './queue-batches.js';
import {
  ackBatching,
  commitLinger,
  SECURE_CHAT_CONFIG,
  type SecureChatConfig,
} from '../secure-chat.config.js';

export type { Envelope } from './enqueue.js';
export type Member = { leafIndex: number; deviceId: string; userId: string };
/** A member as stored: with its official's institution when the caller knows it (leaves do). */
export type StoredMember = Member & { institutionId?: string | null };

/** Groups, their members, the per-device queues and the sends already accepted. */
@Injectable()
export class DeliveryRepository implements OnApplicationShutdown {
  private readonly queues: QueueBatches;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Optional()
    @Inject(SECURE_CHAT_CONFIG)
    config?: Pick<SecureChatConfig, 'commitLingerMs' | 'commitGatherMs' | 'ackGatherMs'> | null,
  ) {
    this.queues = new QueueBatches(
      database,
      commitLinger(config, database.mode),
      ackBatching(config, database.mode),
    );
  }

  /** The reads and acks still waiting (a gathering ack) go out before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    await this.queues.drain();
  }

  /** For tests and the bench: the queue reads' and acks' batching (QueueBatches.stats). */
  queueStats(): ReturnType<QueueBatches['stats']> {
    return this.queues.stats();
  }

  get db(): DatabaseHandle['db'] {
    return this.database.db;
  }

  /** The group, its row locked until the transaction ends (commits to one group are serialised on it). */
  async lockGroup(groupId: string, tx: Db) {
    const [row] = await tx.select().from(chatGroups).where(eq(chatGroups.groupId, groupId)).for('update');
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
    this.queues.forget(deviceId);
    return [...new Set(gone.map((g) => g.groupId))].sort();
  }

  /**
   * Appends envelopes to devices' queues in one pass (a commit and its Welcome; the Remove proposals of one
   * revocation): each device's seq row is taken once, all of them in one statement and in id order, so two
   * transactions that share devices cannot deadlock on them. A device's envelopes keep the order given.
   * The seqs given, by device, per batch.
   */
  async enqueueAll(batches: readonly EnqueueBatch[], tx: Db): Promise<Map<string, number>[]> {
    const { targets, count, params } = enqueueParams(batches);
    if (count === 0) return targets.map(() => new Map());
    return seqsGiven(targets, await runPrepared<{ d: string; l: string; n: number }>(tx, ENQUEUE, params));
  }

  /** The device's queue after `after`, in order (the reads of devices woken together are one statement). */
  async inbox(deviceId: string, after: number, limit: number, bytes = INBOX_BYTES): Promise<QueueRow[]> {
    return (await this.inboxPage(deviceId, after, limit, bytes)).rows;
  }

  /** `inbox`, and whether more follows: at most `limit` rows and `bytes` bytes of envelopes, but one row. */
  inboxPage(deviceId: string, after: number, limit: number, bytes = INBOX_BYTES): Promise<QueuePage> {
    return this.queues.inbox(deviceId, { after, limit, bytes });
  }

  /** Deletes the device's queue up to `upTo`; how many envelopes went (acks arriving together: one statement). */
  async ack(deviceId: string, upTo: number): Promise<number> {
    return this.queues.deleteUpTo(deviceId, upTo);
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
