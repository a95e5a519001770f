import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, eq, gt, inArray, isNotNull, isNull, lte, ne, sql } from 'drizzle-orm';
import { callInvitees, callParticipants, calls } from '../calls.schema.js';
import type { CallKind, Invitee, Outcome } from './call-state.js';

export type CallRow = typeof calls.$inferSelect;

/** The ringing of calls: the devices each call rang and what they did, and the call's ring columns. */
@Injectable()
export class CallRingsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): DatabaseHandle['db'] {
    return this.database.db;
  }

  async invitees(callId: string, tx: Db = this.db): Promise<Invitee[]> {
    return tx
      .select({ deviceId: callInvitees.deviceId, userId: callInvitees.userId, state: callInvitees.state })
      .from(callInvitees)
      .where(eq(callInvitees.callId, callId));
  }

  async startRinging(
    callId: string,
    ring: { kind: CallKind; ringUntil: Date; institutions: string[]; outcome: Outcome | null },
    invitees: readonly Invitee[],
    tx: Db,
  ): Promise<void> {
    await tx
      .update(calls)
      .set({
        kind: ring.kind,
        ringUntil: ring.ringUntil,
        // Merged under the call's lock with what a concurrent join added (not the pre-lock read's list).
        institutions: sql`array(select distinct unnest(${calls.institutions} || array[${sql.join(
          ring.institutions.map((i) => sql`${i}`),
          sql`, `,
        )}]::text[]))`,
        outcome: ring.outcome,
      })
      .where(eq(calls.id, callId));
    const at = new Date();
    if (invitees.length) await tx.insert(callInvitees).values(invitees.map((i) => ({ callId, ...i, at })));
  }

  /** Stores a step: the invitees whose state changed, and the outcome (with the answer's time). */
  async record(
    callId: string,
    before: readonly Invitee[],
    after: readonly Invitee[],
    outcome: Outcome | null,
    tx: Db,
  ): Promise<void> {
    const at = new Date();
    for (const i of after) {
      const was = before.find((b) => b.deviceId === i.deviceId);
      // A member device the call never rang that answered it (call-state.ts, withLateCallee).
      if (!was) await tx.insert(callInvitees).values({ callId, ...i, at });
      else if (was.state !== i.state)
        await tx
          .update(callInvitees)
          .set({ state: i.state, at })
          .where(and(eq(callInvitees.callId, callId), eq(callInvitees.deviceId, i.deviceId)));
    }
    await tx
      .update(calls)
      .set({ outcome })
      .where(and(eq(calls.id, callId)));
    if (outcome === 'answered')
      await tx
        .update(calls)
        .set({ answeredAt: at })
        .where(and(eq(calls.id, callId), isNull(calls.answeredAt)));
  }

  /** Live calls ringing this device now. */
  ringingFor(deviceId: string, now: Date, tx: Db = this.db): Promise<CallRow[]> {
    return tx
      .select({ call: calls })
      .from(callInvitees)
      .innerJoin(calls, eq(calls.id, callInvitees.callId))
      .where(
        and(
          eq(callInvitees.deviceId, deviceId),
          eq(callInvitees.state, 'ringing'),
          eq(calls.state, 'live'),
          gt(calls.ringUntil, now),
        ),
      )
      .then((rows) => rows.map((r) => r.call));
  }

  /** Live calls whose ring time is over with devices still ringing, or nobody answered (the timeout's). */
  async expiredRings(now: Date, tx: Db = this.db): Promise<string[]> {
    const rows = await tx
      .selectDistinct({ id: calls.id })
      .from(calls)
      .innerJoin(callInvitees, eq(callInvitees.callId, calls.id))
      .where(
        and(
          eq(calls.state, 'live'),
          isNotNull(calls.ringUntil),
          lte(calls.ringUntil, now),
          eq(callInvitees.state, 'ringing'),
        ),
      );
    return rows.map((r) => r.id);
  }

  /** Which of these devices are joined to a live call other than `callId` (they are busy). */
  async inOtherCalls(deviceIds: readonly string[], callId: string, tx: Db = this.db): Promise<Set<string>> {
    if (deviceIds.length === 0) return new Set();
    const rows = await tx
      .selectDistinct({ deviceId: callParticipants.deviceId })
      .from(callParticipants)
      .innerJoin(calls, eq(calls.id, callParticipants.callId))
      .where(
        and(
          inArray(callParticipants.deviceId, [...deviceIds]),
          eq(callParticipants.state, 'joined'),
          eq(calls.state, 'live'),
          ne(calls.id, callId),
        ),
      );
    return new Set(rows.map((r) => r.deviceId));
  }
}
