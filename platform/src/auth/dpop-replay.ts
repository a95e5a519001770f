import { createHash } from 'node:crypto';
import { lt, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { dpopSpentProofs } from './dpop-replay.schema.js';
import type { DpopProof } from './dpop.js';

/** Where accepted DPoP proofs are spent: false when the proof (its key and jti) was spent before. */
export type DpopReplay = {
  spend(proof: Pick<DpopProof, 'jkt' | 'jti' | 'expiresAtMs'>, nowMs?: number): Promise<boolean>;
};

/** What the guard and the chat socket check DPoP proofs with (PlatformModule provides it). */
export type DpopSettings = {
  replay: DpopReplay;
  /**
   * The origins `htu` may name (RFC 9449 §4.3): PAKAWAAZ_PUBLIC_ORIGINS, else those the server derives from
   * its own listeners and certificates once they are bound (server/src/http/public-origins.ts) — never the
   * request's Host header. Empty until then: every proof is refused.
   */
  origins: readonly string[];
};
export const DPOP_SETTINGS = Symbol.for('pakawaaz.DpopSettings');

const spentKey = (p: Pick<DpopProof, 'jkt' | 'jti'>) =>
  createHash('sha256').update(`${p.jkt}.${p.jti}`, 'utf8').digest('base64url');

/** One process's memory (tests, a node without a database): bounded, the oldest go first under a flood. */
export class MemoryDpopReplay implements DpopReplay {
  private readonly seen = new Map<string, number>();
  constructor(private readonly max = 100_000) {}

  spend(proof: Pick<DpopProof, 'jkt' | 'jti' | 'expiresAtMs'>, nowMs = Date.now()): Promise<boolean> {
    for (const [k, until] of this.seen) {
      if (until > nowMs && this.seen.size < this.max) break;
      this.seen.delete(k);
    }
    const key = spentKey(proof);
    if ((this.seen.get(key) ?? 0) > nowMs) return Promise.resolve(false);
    this.seen.delete(key);
    this.seen.set(key, proof.expiresAtMs);
    return Promise.resolve(true);
  }
}

/** How far apart the nodes' clocks may be: a spent proof is kept this much longer than its own expiry. */
export const DPOP_CLOCK_SKEW_MS = 60_000;

/**
 * The deployment's spent proofs in `platform.dpop_spent_proofs`, so a proof serves once whichever node it
 * reaches: one insert per spend (an expired row of the same key is taken over), a sweep at most every minute.
 * Each node judges expiry on its own clock, so a row lives DPOP_CLOCK_SKEW_MS past the proof's expiry: a node
 * whose clock runs ahead does not forget a proof that a node whose clock runs behind would still accept.
 */
export class DatabaseDpopReplay implements DpopReplay {
  private lastSweep = 0;
  constructor(
    private readonly db: Db,
    private readonly sweepEveryMs = 60_000,
  ) {}

  async spend(proof: Pick<DpopProof, 'jkt' | 'jti' | 'expiresAtMs'>, nowMs = Date.now()): Promise<boolean> {
    const now = new Date(nowMs);
    const rows = await this.db
      .insert(dpopSpentProofs)
      .values({ jtiHash: spentKey(proof), expiresAt: new Date(proof.expiresAtMs + DPOP_CLOCK_SKEW_MS) })
      .onConflictDoUpdate({
        target: dpopSpentProofs.jtiHash,
        set: { expiresAt: sql`excluded.expires_at` },
        setWhere: lt(dpopSpentProofs.expiresAt, now),
      })
      .returning({ jtiHash: dpopSpentProofs.jtiHash });
    if (nowMs - this.lastSweep > this.sweepEveryMs) {
      this.lastSweep = nowMs;
      void this.db
        .delete(dpopSpentProofs)
        .where(lt(dpopSpentProofs.expiresAt, now))
        .catch(() => undefined);
    }
    return rows.length === 1;
  }
}
