import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, isUuid } from '@pakawaaz/platform';
import { and, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { authEvents, type AuthEventRow, type NewAuthEvent } from './auth-events.schema.js';

export type AuthEventFilter = {
  readonly channel?: string | undefined;
  readonly result?: string | undefined;
  readonly reason?: string | undefined;
  /** A user name (as typed, case-insensitive) or a user id. */
  readonly user?: string | undefined;
  /** A NAS client's name or id. */
  readonly nas?: string | undefined;
  readonly imsi?: string | undefined;
  readonly since?: Date | undefined;
  readonly until?: Date | undefined;
  readonly limit: number;
};

export type NasCounter = { clientId: string | null; result: string; reason: string; count: number };

/** The auth_events table: batch inserts, filtered reads (newest first), per-NAS counts, bounded pruning. */
@Injectable()
export class AuthEventsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  async insert(rows: readonly NewAuthEvent[]): Promise<void> {
    if (rows.length) await this.database.db.insert(authEvents).values([...rows]);
  }

  list(filter: AuthEventFilter, scope: SQL | undefined): Promise<AuthEventRow[]> {
    return this.database.db
      .select()
      .from(authEvents)
      .where(and(scope, ...conditions(filter)))
      .orderBy(desc(authEvents.at), desc(authEvents.id))
      .limit(filter.limit);
  }

  async nasCounters(since: Date): Promise<NasCounter[]> {
    const rows = await this.database.db
      .select({
        clientId: authEvents.clientId,
        result: authEvents.result,
        reason: authEvents.reason,
        count: sql<string>`sum(${authEvents.count})`,
      })
      .from(authEvents)
      .where(and(eq(authEvents.channel, 'radius'), gte(authEvents.at, since)))
      .groupBy(authEvents.clientId, authEvents.result, authEvents.reason);
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  /** Deletes at most `batch` events older than `before`; returns how many. */
  async pruneBatch(before: Date, batch: number): Promise<number> {
    const db = this.database.db;
    const oldest = db
      .select({ id: authEvents.id })
      .from(authEvents)
      .where(lt(authEvents.at, before))
      .limit(batch);
    const gone = await db
      .delete(authEvents)
      .where(inArray(authEvents.id, oldest))
      .returning({ id: authEvents.id });
    return gone.length;
  }
}

function conditions(f: AuthEventFilter): (SQL | undefined)[] {
  const user = f.user?.trim().toLowerCase();
  const nas = f.nas?.trim();
  return [
    f.channel ? eq(authEvents.channel, f.channel as 'http' | 'radius') : undefined,
    f.result ? eq(authEvents.result, f.result as 'accept' | 'reject' | 'drop') : undefined,
    f.reason ? eq(authEvents.reason, f.reason) : undefined,
    user
      ? isUuid(user)
        ? or(eq(authEvents.userId, user), eq(sql`lower(${authEvents.username})`, user))
        : eq(sql`lower(${authEvents.username})`, user)
      : undefined,
    nas ? (isUuid(nas) ? eq(authEvents.clientId, nas) : eq(authEvents.clientName, nas)) : undefined,
    f.imsi ? eq(authEvents.imsi, f.imsi) : undefined,
    f.since ? gte(authEvents.at, f.since) : undefined,
    f.until ? lte(authEvents.at, f.until) : undefined,
  ];
}
