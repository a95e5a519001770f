import { lt, sql } from 'drizzle-orm';
import { doublePrecision, index, text, timestamp, type PgSchema } from 'drizzle-orm/pg-core';
import type { DatabaseHandle } from '../db/database.js';
import { retryAfterSeconds, TokenBuckets, type RateDecision } from './token-buckets.js';

/** How often a node sweeps the buckets that have refilled (each node: at most once a minute). */
const SWEEP_EVERY_MS = 60_000;

/**
 * A deployment-wide budget's table, in the domain's own schema: one token bucket per key. A row whose bucket
 * has refilled carries nothing and is swept.
 */
export function sharedBudgetTable(schema: PgSchema, name: string) {
  return schema.table(
    name,
    {
      /** Whose budget, e.g. `official:<id>` or a bot's device id. */
      key: text('key').primaryKey(),
      tokens: doublePrecision('tokens').notNull(),
      /** When `tokens` was last computed, on the database's clock (one clock for every node). */
      at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    },
    (t) => [index(`${name}_at_idx`).on(t.at)],
  );
}
export type SharedBudgetTable = ReturnType<typeof sharedBudgetTable>;

/**
 * A budget counted for the whole deployment, not per node: a token bucket of `perMinute` a minute (bursts of
 * `burst`) refilled and taken in one upsert on the database's clock, whichever node is asked. The node's own
 * bucket of the same size is asked first: a key that spent its budget on this node alone is refused without a
 * database write (a flood costs memory, not statements); it is never laxer than the shared one, which counts
 * every node. Each node sweeps the refilled rows at most once a minute.
 */
export class SharedBudget {
  private readonly local: TokenBuckets;
  private lastSweep = 0;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly table: SharedBudgetTable,
    private readonly rate: { readonly perMinute: number; readonly burst: number },
  ) {
    this.local = new TokenBuckets(rate.perMinute, rate.burst);
  }

  /** Takes one token from `key`'s budget. */
  async take(key: string, nowMs = Date.now()): Promise<RateDecision> {
    const local = this.local.take(key, nowMs);
    if (!local.allowed) return local;
    const { perMinute, burst } = this.rate;
    const t = this.table;
    const db = this.database.db;
    // Refilled since `at` (never negative: another node's transaction may have started a moment later).
    const elapsed = sql`greatest(0, extract(epoch from now() - ${t.at}))`;
    const level = sql`least(${burst}::float8, ${t.tokens} + ${elapsed} * ${perMinute}::float8 / 60)`;
    const taken = await db
      .insert(t)
      .values({ key, tokens: burst - 1, at: sql`now()` })
      .onConflictDoUpdate({
        target: t.key,
        // now() is the transaction's start: one that waited for the row lock must not move `at` back.
        set: { tokens: sql`${level} - 1`, at: sql`greatest(${t.at}, now())` },
        setWhere: sql`${level} >= 1`,
      })
      .returning({ tokens: t.tokens });
    if (nowMs - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = nowMs;
      // A bucket untouched for as long as it takes to refill from empty is full: nothing to keep.
      const refillSeconds = (burst * 60) / perMinute;
      void db
        .delete(t)
        .where(lt(t.at, sql`now() - ${refillSeconds}::float8 * interval '1 second'`))
        .catch(() => undefined);
    }
    if (taken.length === 1) return { allowed: true };
    // Refused (the rare path): when the next token comes, from the stored level.
    const [row] = await db
      .select({ level: sql<number>`${level}` })
      .from(t)
      .where(sql`${t.key} = ${key}`);
    return { allowed: false, retryAfterSeconds: retryAfterSeconds(Number(row?.level ?? 0), perMinute) };
  }
}
