import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, count, eq, inArray, isNull, lte, ne, or, sql } from 'drizzle-orm';
import { deviceQueue } from '../delivery/delivery.schema.js';
import { chatBots, type ChatBotRow } from './bots.schema.js';

export type NewBot = typeof chatBots.$inferInsert;

@Injectable()
export class BotsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  async insert(row: NewBot): Promise<ChatBotRow> {
    const [created] = await this.database.db.insert(chatBots).values(row).returning();
    return created!;
  }

  /**
   * Inserts a bot unless its institution has `max` bots that are not disabled already (null then). The count and
   * the insert hold the institution's advisory lock: two registrations at once cannot both take the last place.
   */
  async insertWithin(row: NewBot, max: number): Promise<ChatBotRow | null> {
    return this.database.db.transaction(async (tx) => {
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${`bots:${row.institutionId}`}, 0))`,
      );
      const [held] = await tx
        .select({ n: count() })
        .from(chatBots)
        .where(and(eq(chatBots.institutionId, row.institutionId), ne(chatBots.state, 'disabled')));
      if ((held?.n ?? 0) >= max) return null;
      const [created] = await tx.insert(chatBots).values(row).returning();
      return created!;
    });
  }

  async byId(id: string, tx?: Db): Promise<ChatBotRow | null> {
    const [row] = await (tx ?? this.database.db).select().from(chatBots).where(eq(chatBots.id, id)).limit(1);
    return row ?? null;
  }

  /** Bots of these institutions (all of them when null), by name. */
  async list(institutionIds: readonly string[] | null): Promise<ChatBotRow[]> {
    return this.database.db
      .select()
      .from(chatBots)
      .where(institutionIds ? inArray(chatBots.institutionId, [...institutionIds]) : undefined)
      .orderBy(asc(chatBots.name), asc(chatBots.id))
      .limit(1000);
  }

  /** Spends the enrolment secret of a pending bot (exactly once: the row is locked). */
  async lockPending(id: string, tx: Db): Promise<ChatBotRow | null> {
    const [row] = await tx
      .select()
      .from(chatBots)
      .where(and(eq(chatBots.id, id), eq(chatBots.state, 'pending')))
      .for('update')
      .limit(1);
    return row ?? null;
  }

  async update(id: string, set: Partial<NewBot>, tx?: Db): Promise<void> {
    await (tx ?? this.database.db).update(chatBots).set(set).where(eq(chatBots.id, id));
  }

  /**
   * Replaces the webhook secret under the bot's row lock (no rotation at once loses a secret, and the check
   * below cannot race another rotation). `overlapMs` > 0: the one it replaces is kept as the previous until
   * `overlapMs` from now (the database's clock) — refused (`{ overlapUntil }`, nothing changed) while an
   * earlier rotation's overlap still runs, since replacing that previous secret would drop it at once;
   * 0: every old secret is dropped now (always allowed). The row, or null when there is no such bot.
   */
  async rotateSecret(
    id: string,
    sealed: string,
    overlapMs: number,
  ): Promise<{ row: ChatBotRow } | { overlapUntil: Date } | null> {
    return this.database.db.transaction(async (tx) => {
      const [current] = await tx
        .select({
          running: sql<boolean>`${chatBots.previousSecretUntil} > now()`,
          until: chatBots.previousSecretUntil,
        })
        .from(chatBots)
        .where(eq(chatBots.id, id))
        .for('update');
      if (!current) return null;
      if (overlapMs > 0 && current.running && current.until) return { overlapUntil: current.until };
      const [row] = await tx
        .update(chatBots)
        .set(
          overlapMs > 0
            ? {
                previousWebhookSecret: sql`${chatBots.webhookSecret}`,
                previousSecretUntil: sql`now() + ${overlapMs}::bigint * interval '1 millisecond'`,
                webhookSecret: sealed,
              }
            : { previousWebhookSecret: null, previousSecretUntil: null, webhookSecret: sealed },
        )
        .where(eq(chatBots.id, id))
        .returning();
      return row ? { row } : null;
    });
  }

  async activeIds(): Promise<string[]> {
    const rows = await this.database.db
      .select({ id: chatBots.id })
      .from(chatBots)
      .where(eq(chatBots.state, 'active'));
    return rows.map((r) => r.id);
  }

  /**
   * Active bots with something in their queue that no live lease is draining and whose next attempt is due
   * within `aheadMs` (the dispatcher's sweep, `aheadMs` its interval), each with the milliseconds until that
   * attempt (0: due now), by the database's clock; the most overdue first (no back-off, then the oldest). Bots
   * backing off beyond the next sweep are left out, so they cannot fill the 1000 and starve a due one.
   */
  async activeWithQueue(aheadMs: number): Promise<{ id: string; waitMs: number }[]> {
    const rows = await this.database.db
      .select({
        id: chatBots.id,
        waitMs: sql<number>`greatest(0, ceil(extract(epoch from ${chatBots.nextAttemptAt} - now()) * 1000))`,
      })
      .from(chatBots)
      .where(
        and(
          eq(chatBots.state, 'active'),
          isNull(chatBots.disabledAt),
          or(isNull(chatBots.drainingUntil), lte(chatBots.drainingUntil, sql`now()`)),
          or(
            isNull(chatBots.nextAttemptAt),
            lte(chatBots.nextAttemptAt, sql`now() + ${aheadMs}::integer * interval '1 millisecond'`),
          ),
          sql`exists (select 1 from ${deviceQueue} q where q.device_id = ${chatBots.id})`,
        ),
      )
      .orderBy(sql`${chatBots.nextAttemptAt} asc nulls first`, asc(chatBots.id))
      .limit(1000);
    return rows.map((r) => ({ id: r.id, waitMs: Number(r.waitMs ?? 0) }));
  }

  async hasQueue(id: string): Promise<boolean> {
    const rows = await this.database.db
      .select({ one: sql`1` })
      .from(deviceQueue)
      .where(eq(deviceQueue.deviceId, id))
      .limit(1);
    return rows.length > 0;
  }

  /**
   * Claims the drain lease of an active bot for `leaseMs` under `token`, atomically: only when no live lease
   * holds it and its next attempt is due — one node delivers a bot's queue at a time, cluster-wide, and not
   * before its back-off. The row, or null when another node drains it, it backs off, or it is not active.
   */
  async claimDrain(id: string, token: string, leaseMs: number): Promise<ChatBotRow | null> {
    const [row] = await this.database.db
      .update(chatBots)
      .set({ drainingUntil: sql`now() + ${leaseMs}::integer * interval '1 millisecond'`, drainLease: token })
      .where(
        and(
          eq(chatBots.id, id),
          eq(chatBots.state, 'active'),
          or(isNull(chatBots.drainingUntil), lte(chatBots.drainingUntil, sql`now()`)),
          or(isNull(chatBots.nextAttemptAt), lte(chatBots.nextAttemptAt, sql`now()`)),
        ),
      )
      .returning();
    return row ?? null;
  }

  /** Extends the lease `token` holds; false when it holds it no more (it expired and another node claimed). */
  async renewDrain(id: string, token: string, leaseMs: number): Promise<boolean> {
    const rows = await this.database.db
      .update(chatBots)
      .set({ drainingUntil: sql`now() + ${leaseMs}::integer * interval '1 millisecond'` })
      .where(and(eq(chatBots.id, id), eq(chatBots.drainLease, token)))
      .returning({ id: chatBots.id });
    return rows.length > 0;
  }

  /** Gives the lease back (if `token` still holds it). */
  async releaseDrain(id: string, token: string): Promise<void> {
    await this.database.db
      .update(chatBots)
      .set({ drainingUntil: null, drainLease: null })
      .where(and(eq(chatBots.id, id), eq(chatBots.drainLease, token)));
  }

  /**
   * Records a delivered batch (no failures, no back-off) if `token` still holds the lease; false when it holds it
   * no more: the node that claimed it since owns the row's delivery state, and a late 2xx must not overwrite it.
   */
  async delivered(id: string, token: string): Promise<boolean> {
    const rows = await this.database.db
      .update(chatBots)
      .set({ failures: 0, lastDeliveryAt: new Date(), lastError: null, nextAttemptAt: null })
      .where(and(eq(chatBots.id, id), eq(chatBots.drainLease, token)))
      .returning({ id: chatBots.id });
    return rows.length > 0;
  }

  /**
   * Records a failed delivery if `token` still holds the lease: the next attempt `waitMs` from now (the
   * database's clock); returns its time, or null when the lease was lost (a late failure — the POST outlived the
   * lease — must not back off a bot another node has since delivered to).
   */
  async backOff(
    id: string,
    token: string,
    failures: number,
    lastError: string,
    waitMs: number,
  ): Promise<Date | null> {
    const [row] = await this.database.db
      .update(chatBots)
      .set({ failures, lastError, nextAttemptAt: sql`now() + ${waitMs}::integer * interval '1 millisecond'` })
      .where(and(eq(chatBots.id, id), eq(chatBots.drainLease, token)))
      .returning({ at: chatBots.nextAttemptAt });
    return row ? (row.at ?? new Date(Date.now() + waitMs)) : null;
  }
}
