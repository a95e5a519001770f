import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle } from '@pakawaaz/platform';
import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import { callInvitees, callParticipants, calls, mediaHosts } from '../calls.schema.js';

export type HistoryFilter = {
  /** Institutions the reader may see (null: all). */
  scope: readonly string[] | null;
  from?: Date;
  to?: Date;
  outcome?: string;
  userId?: string;
  institution?: string;
  before?: { startedAt: Date; id: string };
  limit: number;
};

/** Call records for operators: the calls, their host, counts of joined and rung devices, who joined. */
@Injectable()
export class CallHistoryRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  page(f: HistoryFilter) {
    const where: (SQL | undefined)[] = [
      f.scope
        ? sql`${calls.institutions} && array[${sql.join(
            f.scope.map((s) => sql`${s}`),
            sql`, `,
          )}]::text[]`
        : undefined,
      f.institution ? sql`${f.institution} = any(${calls.institutions})` : undefined,
      f.from && gte(calls.startedAt, f.from),
      f.to && lt(calls.startedAt, f.to),
      f.outcome ? eq(calls.outcome, f.outcome as 'answered') : undefined,
      f.userId
        ? or(
            eq(calls.startedByUser, f.userId),
            sql`exists (select 1 from ${callParticipants} p where p.call_id = ${calls.id} and p.user_id = ${f.userId})`,
            sql`exists (select 1 from ${callInvitees} i where i.call_id = ${calls.id} and i.user_id = ${f.userId})`,
          )
        : undefined,
      f.before &&
        or(
          lt(calls.startedAt, f.before.startedAt),
          and(eq(calls.startedAt, f.before.startedAt), lt(calls.id, f.before.id)),
        ),
    ];
    if (f.scope?.length === 0) return Promise.resolve([]);
    return this.database.db
      .select({
        call: calls,
        host: mediaHosts.name,
        participants: sql<number>`(select count(*)::int from ${callParticipants} p where p.call_id = ${calls.id})`,
        rang: sql<number>`(select count(*)::int from ${callInvitees} i where i.call_id = ${calls.id})`,
        people: sql<
          string[]
        >`array(select distinct p.user_id from ${callParticipants} p where p.call_id = ${calls.id})`,
      })
      .from(calls)
      .leftJoin(mediaHosts, eq(mediaHosts.id, calls.hostId))
      .where(and(...where))
      .orderBy(desc(calls.startedAt), desc(calls.id))
      .limit(f.limit);
  }
}
