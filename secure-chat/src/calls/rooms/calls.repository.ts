import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, count, eq, inArray, lt, sql } from 'drizzle-orm';
import { groupMembers } from '../../delivery/delivery.schema.js';
import { callInvitees, callParticipants, calls, mediaHosts } from '../calls.schema.js';

export type CallRow = typeof calls.$inferSelect;
export type ParticipantRow = typeof callParticipants.$inferSelect;

/** A call ended while it still rang (nobody answered, not settled): the ringing was cancelled. */
const stillRinging = sql`coalesce(${calls.outcome}, case when ${calls.ringUntil} is not null then 'cancelled' end)`;

/** Calls and their participants. */
@Injectable()
export class CallsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): DatabaseHandle['db'] {
    return this.database.db;
  }

  async call(id: string, tx: Db = this.db): Promise<CallRow | null> {
    const [row] = await tx.select().from(calls).where(eq(calls.id, id));
    return row ?? null;
  }

  async lockCall(id: string, tx: Db): Promise<CallRow | null> {
    const [row] = await tx.select().from(calls).where(eq(calls.id, id)).for('update');
    return row ?? null;
  }

  async liveCallOfGroup(groupId: string, tx: Db = this.db): Promise<CallRow | null> {
    const [row] = await tx
      .select()
      .from(calls)
      .where(and(eq(calls.groupId, groupId), eq(calls.state, 'live')));
    return row ?? null;
  }

  /**
   * The live calls of the groups this device is a member of (one per group at most), or of one of them:
   * what a device that was never rung (offline through the ring, added later, reloaded) may join.
   */
  async liveCallsOfMember(deviceId: string, groupId?: string): Promise<CallRow[]> {
    return this.db
      .select({ call: calls })
      .from(calls)
      .innerJoin(groupMembers, eq(groupMembers.groupId, calls.groupId))
      .where(
        and(
          eq(groupMembers.deviceId, deviceId),
          eq(calls.state, 'live'),
          groupId === undefined ? undefined : eq(calls.groupId, groupId),
        ),
      )
      .orderBy(asc(calls.startedAt))
      .then((rows) => rows.map((r) => r.call));
  }

  /** Live calls a device started (the per-device cap on calls it holds open). */
  async liveCallsStartedBy(deviceId: string, tx: Db = this.db): Promise<number> {
    const [row] = await tx
      .select({ n: count() })
      .from(calls)
      .where(and(eq(calls.startedByDevice, deviceId), eq(calls.state, 'live')));
    return row?.n ?? 0;
  }

  /** Live calls started before `before` (the reaper's candidates). */
  liveCallsStartedBefore(before: Date, tx: Db = this.db): Promise<CallRow[]> {
    return tx
      .select()
      .from(calls)
      .where(and(eq(calls.state, 'live'), lt(calls.startedAt, before)));
  }

  /** The room ids of a host's live calls (what its Janus may hold; anything else there is an orphan). */
  async liveRoomIds(hostId: string, tx: Db = this.db): Promise<Set<number>> {
    const rows = await tx
      .select({ roomId: calls.roomId })
      .from(calls)
      .where(and(eq(calls.hostId, hostId), eq(calls.state, 'live')));
    return new Set(rows.map((r) => Number(r.roomId)));
  }

  async insertCall(row: typeof calls.$inferInsert, tx: Db): Promise<void> {
    await tx.insert(calls).values(row);
  }

  async endCall(id: string, reason: string, at: Date, tx: Db = this.db): Promise<void> {
    await tx
      .update(calls)
      .set({ state: 'ended', endedAt: at, endReason: reason, outcome: stillRinging })
      .where(and(eq(calls.id, id), eq(calls.state, 'live')));
    await this.closeCalls([id], at, tx);
  }

  /** Participants still joined have left; devices still ringing stop (the call is over). */
  private async closeCalls(ids: string[], at: Date, tx: Db): Promise<void> {
    await tx
      .update(callParticipants)
      .set({ state: 'left', leftAt: at })
      .where(and(inArray(callParticipants.callId, ids), eq(callParticipants.state, 'joined')));
    await tx
      .update(callInvitees)
      .set({ state: 'cancelled', at })
      .where(and(inArray(callInvitees.callId, ids), eq(callInvitees.state, 'ringing')));
  }

  /** Records an institution the call involves (a joining device's official's). */
  async addInstitution(id: string, institutionId: string | null, tx: Db): Promise<void> {
    if (!institutionId) return;
    await tx
      .update(calls)
      .set({ institutions: sql`array_append(${calls.institutions}, ${institutionId})` })
      .where(and(eq(calls.id, id), sql`not (${institutionId} = any(${calls.institutions}))`));
  }

  participants(callId: string, tx: Db = this.db): Promise<ParticipantRow[]> {
    return tx
      .select()
      .from(callParticipants)
      .where(eq(callParticipants.callId, callId))
      .orderBy(asc(callParticipants.joinedAt));
  }

  async upsertParticipant(row: typeof callParticipants.$inferInsert, tx: Db): Promise<void> {
    await tx
      .insert(callParticipants)
      .values(row)
      .onConflictDoUpdate({
        target: [callParticipants.callId, callParticipants.deviceId],
        set: { state: 'joined', joinedAt: row.joinedAt, leftAt: null },
      });
  }

  async setParticipantState(
    callId: string,
    deviceId: string,
    state: 'left' | 'removed',
    at: Date,
    tx: Db = this.db,
  ): Promise<void> {
    await tx
      .update(callParticipants)
      .set({ state, leftAt: at })
      .where(and(eq(callParticipants.callId, callId), eq(callParticipants.deviceId, deviceId)));
  }

  /** Live calls a device (or an official's devices) is joined to, with the host each runs on. */
  liveParticipations(
    by: { deviceId: string } | { userId: string } | { groupId: string; deviceIds: readonly string[] },
    tx: Db = this.db,
  ) {
    const who =
      'groupId' in by
        ? and(eq(calls.groupId, by.groupId), inArray(callParticipants.deviceId, [...by.deviceIds]))
        : 'deviceId' in by
          ? eq(callParticipants.deviceId, by.deviceId)
          : eq(callParticipants.userId, by.userId);
    return tx
      .select({ call: calls, participant: callParticipants, host: mediaHosts })
      .from(callParticipants)
      .innerJoin(calls, eq(calls.id, callParticipants.callId))
      .innerJoin(mediaHosts, eq(mediaHosts.id, calls.hostId))
      .where(and(who, eq(callParticipants.state, 'joined'), eq(calls.state, 'live')));
  }

  /** A host went down: its live calls are over (their rooms died with it). */
  async endCallsOnHost(hostId: string, at: Date, tx: Db = this.db): Promise<CallRow[]> {
    const live = await tx
      .select()
      .from(calls)
      .where(and(eq(calls.hostId, hostId), eq(calls.state, 'live')));
    const ids = live.map((c) => c.id);
    if (ids.length === 0) return [];
    await tx
      .update(calls)
      .set({ state: 'ended', endedAt: at, endReason: 'media_host_down', outcome: stillRinging })
      .where(inArray(calls.id, ids));
    await this.closeCalls(ids, at, tx);
    return live;
  }
}
