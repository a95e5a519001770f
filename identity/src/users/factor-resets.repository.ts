import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db, isUuid } from '@pakawaaz/platform';
import { and, desc, eq, gt, inArray } from 'drizzle-orm';
import { factorResets } from './factor-resets.schema.js';

export type FactorResetRow = typeof factorResets.$inferSelect;

@Injectable()
export class FactorResetsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Db {
    return this.database.db;
  }

  async insert(row: typeof factorResets.$inferInsert, tx: Db = this.db): Promise<void> {
    await tx.insert(factorResets).values(row);
  }

  async find(id: string): Promise<FactorResetRow | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db.select().from(factorResets).where(eq(factorResets.id, id)).limit(1);
    return row;
  }

  /** The user's pending request that has not expired, if any. */
  async pendingFor(userId: string, now: Date): Promise<FactorResetRow | undefined> {
    const [row] = await this.db
      .select()
      .from(factorResets)
      .where(
        and(
          eq(factorResets.userId, userId),
          eq(factorResets.status, 'pending'),
          gt(factorResets.expiresAt, now),
        ),
      )
      .limit(1);
    return row;
  }

  /** Lets an expired pending request make room for a new one (one pending request per user). */
  async expire(userId: string, now: Date, tx: Db = this.db): Promise<void> {
    await tx
      .update(factorResets)
      .set({ status: 'rejected', decidedAt: now, decisionReason: 'expired' })
      .where(and(eq(factorResets.userId, userId), eq(factorResets.status, 'pending')));
  }

  list(statuses: readonly FactorResetRow['status'][]): Promise<FactorResetRow[]> {
    return this.db
      .select()
      .from(factorResets)
      .where(inArray(factorResets.status, [...statuses]))
      .orderBy(desc(factorResets.createdAt))
      .limit(200);
  }

  /** Decides a pending request atomically: false when someone else decided it first. */
  async decide(
    id: string,
    decision: { status: 'approved' | 'rejected'; by: string; byName: string; reason: string | null },
    now: Date,
    tx: Db = this.db,
  ): Promise<FactorResetRow | undefined> {
    const [row] = await tx
      .update(factorResets)
      .set({
        status: decision.status,
        decidedBy: decision.by,
        decidedByName: decision.byName,
        decidedAt: now,
        decisionReason: decision.reason,
      })
      .where(
        and(eq(factorResets.id, id), eq(factorResets.status, 'pending'), gt(factorResets.expiresAt, now)),
      )
      .returning();
    return row;
  }
}
