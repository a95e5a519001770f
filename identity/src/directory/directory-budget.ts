import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle } from '@pakawaaz/platform';
import { lt, sql } from 'drizzle-orm';
import { RateLimiter, type RateDecision } from '../auth/rate-limiter.js';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { directoryBudgets } from './directory-budget.schema.js';

/** How often a node sweeps the buckets that have refilled (each node: at most once a minute). */
const SWEEP_EVERY_MS = 60_000;

/**
 * Directory searches per caller, counted for the whole deployment (`identity.directory_budgets`), as spent
 * DPoP proofs are: a token bucket of PAKAWAAZ_DIRECTORY_RATE a minute (bursts of the same) refilled and taken
 * in one upsert on the database's clock, whichever node the search reaches. The node's own bucket of the same
 * size is asked first: a caller that spent its budget on this node alone is refused without a database write
 * (a flood costs memory, not statements); it is never laxer than the shared one, which counts every node.
 */
@Injectable()
export class DirectoryBudget {
  private readonly local: RateLimiter;
  private readonly perMinute: number;
  private lastSweep = 0;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(IDENTITY_CONFIG) config: Pick<IdentityConfig, 'directoryRate'>,
  ) {
    this.perMinute = config.directoryRate;
    this.local = new RateLimiter(config.directoryRate);
  }

  /** Takes one search from `key`'s budget. */
  async take(key: string, nowMs = Date.now()): Promise<RateDecision> {
    const local = this.local.take(key, nowMs);
    if (!local.allowed) return local;
    const db = this.database.db;
    const cap = sql`${this.perMinute}::float8`;
    // Refilled since `at` (never negative: another node's transaction may have started a moment later).
    const elapsed = sql`greatest(0, extract(epoch from now() - ${directoryBudgets.at}))`;
    const level = sql`least(${cap}, ${directoryBudgets.tokens} + ${elapsed} * ${cap} / 60)`;
    const taken = await db
      .insert(directoryBudgets)
      .values({ key, tokens: this.perMinute - 1, at: sql`now()` })
      .onConflictDoUpdate({
        target: directoryBudgets.key,
        set: { tokens: sql`${level} - 1`, at: sql`now()` },
        setWhere: sql`${level} >= 1`,
      })
      .returning({ tokens: directoryBudgets.tokens });
    if (nowMs - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = nowMs;
      void db
        .delete(directoryBudgets)
        .where(lt(directoryBudgets.at, sql`now() - interval '1 minute'`))
        .catch(() => undefined);
    }
    if (taken.length === 1) return { allowed: true };
    // Refused (the rare path): when the next token comes, from the stored level.
    const [row] = await db
      .select({ level: sql<number>`${level}` })
      .from(directoryBudgets)
      .where(sql`${directoryBudgets.key} = ${key}`);
    const missing = Math.max(0, 1 - Number(row?.level ?? 0));
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((missing * 60) / this.perMinute)) };
  }
}
