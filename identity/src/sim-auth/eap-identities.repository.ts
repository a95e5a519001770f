import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { eapIdentities } from './eap-identities.schema.js';

export type EapIdentityRow = typeof eapIdentities.$inferSelect;
export type EapIdentityInsert = typeof eapIdentities.$inferInsert;

/** Thrown inside `replace` to roll back when the identity to consume is gone. */
class IdentityGone extends Error {}

const SWEEP_BATCH = 200;

@Injectable()
export class EapIdentitiesRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Db {
    return this.database.db;
  }

  async live(key: string, kind: EapIdentityRow['kind'], method: EapIdentityRow['method'], now: Date) {
    const [row] = await this.db
      .select()
      .from(eapIdentities)
      .where(
        and(
          eq(eapIdentities.key, key),
          eq(eapIdentities.kind, kind),
          eq(eapIdentities.method, method),
          gt(eapIdentities.expiresAt, now),
        ),
      )
      .limit(1);
    return row;
  }

  /**
   * In one transaction: deletes `used` (only as it was read: same subscriber, counter, unexpired — so two
   * nodes finishing with the same identity cannot both succeed), then the subscriber's older identities of
   * `replaces` kinds, and inserts `rows`. False, and nothing changed, when `used` was gone.
   */
  async replace(input: {
    readonly used: { key: string; counter: number } | null;
    readonly imsi: string;
    readonly method: EapIdentityRow['method'];
    readonly replaces: readonly EapIdentityRow['kind'][];
    readonly rows: readonly EapIdentityInsert[];
    readonly now: Date;
  }): Promise<boolean> {
    const { used, imsi, method, now } = input;
    try {
      await this.db.transaction(async (tx) => {
        if (used) {
          const deleted = await tx
            .delete(eapIdentities)
            .where(
              and(
                eq(eapIdentities.key, used.key),
                eq(eapIdentities.imsi, imsi),
                eq(eapIdentities.method, method),
                eq(eapIdentities.counter, used.counter),
                gt(eapIdentities.expiresAt, now),
              ),
            )
            .returning({ key: eapIdentities.key });
          if (deleted.length === 0) throw new IdentityGone();
        }
        if (input.replaces.length > 0)
          await tx
            .delete(eapIdentities)
            .where(
              and(
                eq(eapIdentities.imsi, imsi),
                eq(eapIdentities.method, method),
                inArray(eapIdentities.kind, [...input.replaces]),
              ),
            );
        if (input.rows.length > 0) await tx.insert(eapIdentities).values([...input.rows]);
      });
      return true;
    } catch (err) {
      if (err instanceof IdentityGone) return false;
      throw err;
    }
  }

  /** Removes a batch of expired identities (called now and then; expiry is enforced on read anyway). */
  async sweep(now: Date): Promise<void> {
    const expired = this.db
      .select({ key: eapIdentities.key })
      .from(eapIdentities)
      .where(lt(eapIdentities.expiresAt, now))
      .limit(SWEEP_BATCH);
    await this.db.delete(eapIdentities).where(inArray(eapIdentities.key, expired));
  }

  /** For tests and operators: how many live identities a subscriber has. */
  async countFor(imsi: string): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(eapIdentities)
      .where(eq(eapIdentities.imsi, imsi));
    return row?.n ?? 0;
  }
}
