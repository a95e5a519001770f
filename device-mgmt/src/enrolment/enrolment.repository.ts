import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import {
  and,
  desc,
  eq,
  gt,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  notInArray,
  sql,
  type SQL,
} from 'drizzle-orm';
import { devices } from '../devices/devices.schema.js';
import { VERSION_LOCK_KEY } from '../policies/policies.repository.js';
import { attestationChallenges, enrolmentTokens, renewalAttempts } from './enrolment.schema.js';

/** Unused challenges kept per enrolment token or device: asking for another supersedes the oldest. */
export const OPEN_CHALLENGES_PER_OWNER = 4;

export type EnrolmentTokenRow = typeof enrolmentTokens.$inferSelect;
export type ChallengeRow = typeof attestationChallenges.$inferSelect;
export type DeviceRow = typeof devices.$inferSelect;

@Injectable()
export class EnrolmentRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.database.db.transaction(fn);
  }

  /** Until `tx` ends no device policy change commits (it holds the same lock exclusively while it stores). */
  async holdPolicyVersions(tx: Db): Promise<void> {
    if (this.database.mode === 'postgresql')
      await tx.execute(sql`select pg_advisory_xact_lock_shared(${VERSION_LOCK_KEY})`);
  }

  /**
   * The device's kept renewal attempts, locked while `decide` answers the times to keep (one transaction, so
   * two nodes counting the same device's attempts at once take turns).
   */
  async withRenewalAttempts<T>(
    deviceId: string,
    decide: (attempts: readonly number[]) => { keep: number[]; result: T },
  ): Promise<T> {
    return this.database.db.transaction(async (tx) => {
      await tx.insert(renewalAttempts).values({ deviceId, attempts: [] }).onConflictDoNothing();
      const [row] = await tx
        .select({ attempts: renewalAttempts.attempts })
        .from(renewalAttempts)
        .where(eq(renewalAttempts.deviceId, deviceId))
        .for('update');
      const { keep, result } = decide(row?.attempts ?? []);
      await tx.update(renewalAttempts).set({ attempts: keep }).where(eq(renewalAttempts.deviceId, deviceId));
      return result;
    });
  }

  async insertToken(row: typeof enrolmentTokens.$inferInsert): Promise<EnrolmentTokenRow> {
    const [r] = await this.database.db.insert(enrolmentTokens).values(row).returning();
    return r!;
  }

  /** The condition for tokens in a state at `now` (the same rule as tokenState). */
  private stateCondition(state: 'pending' | 'used' | 'revoked' | 'expired', now: Date): SQL | undefined {
    const t = enrolmentTokens;
    switch (state) {
      case 'revoked':
        return isNotNull(t.revokedAt);
      case 'used':
        return and(isNull(t.revokedAt), isNotNull(t.usedAt));
      case 'expired':
        return and(isNull(t.revokedAt), isNull(t.usedAt), lte(t.expiresAt, now));
      case 'pending':
        return and(isNull(t.revokedAt), isNull(t.usedAt), gt(t.expiresAt, now));
    }
  }

  /** The newest tokens in `scope`, in `state` at `now` when given (filtered here, not after a fixed cap). */
  async tokens(
    scope: SQL | undefined,
    state: 'pending' | 'used' | 'revoked' | 'expired' | undefined,
    now: Date,
    limit: number,
  ): Promise<EnrolmentTokenRow[]> {
    return this.database.db
      .select()
      .from(enrolmentTokens)
      .where(and(scope, state ? this.stateCondition(state, now) : undefined))
      .orderBy(desc(enrolmentTokens.createdAt))
      .limit(limit);
  }

  async tokenById(id: string): Promise<EnrolmentTokenRow | null> {
    const [r] = await this.database.db.select().from(enrolmentTokens).where(eq(enrolmentTokens.id, id));
    return r ?? null;
  }

  /** A token that may still enrol: unused, not revoked, not expired. */
  async usableToken(hash: string, now: Date, tx?: Db): Promise<EnrolmentTokenRow | null> {
    const [r] = await (tx ?? this.database.db)
      .select()
      .from(enrolmentTokens)
      .where(
        and(
          eq(enrolmentTokens.tokenHash, hash),
          isNull(enrolmentTokens.usedAt),
          isNull(enrolmentTokens.revokedAt),
          gt(enrolmentTokens.expiresAt, now),
        ),
      );
    return r ?? null;
  }

  async revokeToken(id: string, now: Date): Promise<boolean> {
    const rows = await this.database.db
      .update(enrolmentTokens)
      .set({ revokedAt: now })
      .where(
        and(eq(enrolmentTokens.id, id), isNull(enrolmentTokens.usedAt), isNull(enrolmentTokens.revokedAt)),
      )
      .returning({ id: enrolmentTokens.id });
    return rows.length > 0;
  }

  /** Marks the token used (only if still usable): false when another enrolment won the race. */
  async consumeToken(id: string, deviceId: string, now: Date, tx: Db): Promise<boolean> {
    const rows = await tx
      .update(enrolmentTokens)
      .set({ usedAt: now, deviceId })
      .where(
        and(eq(enrolmentTokens.id, id), isNull(enrolmentTokens.usedAt), isNull(enrolmentTokens.revokedAt)),
      )
      .returning({ id: enrolmentTokens.id });
    return rows.length > 0;
  }

  /**
   * Stores a new challenge; its token's (or device's) unused challenges beyond the newest
   * OPEN_CHALLENGES_PER_OWNER go, so that asking again and again — a leaked QR code, a looping handset — keeps
   * a bounded number of rows, not one per request until the pruner catches up.
   */
  async insertChallenge(row: typeof attestationChallenges.$inferInsert): Promise<ChallengeRow> {
    return this.database.db.transaction(async (tx) => {
      const [r] = await tx.insert(attestationChallenges).values(row).returning();
      const owner = row.tokenId
        ? eq(attestationChallenges.tokenId, row.tokenId)
        : eq(attestationChallenges.deviceId, row.deviceId!);
      const newest = tx
        .select({ id: attestationChallenges.id })
        .from(attestationChallenges)
        .where(and(owner, isNull(attestationChallenges.usedAt)))
        .orderBy(desc(attestationChallenges.createdAt), desc(attestationChallenges.id))
        .limit(OPEN_CHALLENGES_PER_OWNER);
      await tx
        .delete(attestationChallenges)
        .where(
          and(owner, isNull(attestationChallenges.usedAt), notInArray(attestationChallenges.id, newest)),
        );
      return r!;
    });
  }

  /**
   * Consumes a challenge in one statement, whatever comes next: a challenge is tried once, so a replay — or a
   * second try after a refusal — finds it used. Returns it only if it was unused and unexpired.
   */
  async consumeChallenge(id: string, now: Date): Promise<ChallengeRow | null> {
    const [r] = await this.database.db
      .update(attestationChallenges)
      .set({ usedAt: now })
      .where(and(eq(attestationChallenges.id, id), isNull(attestationChallenges.usedAt)))
      .returning();
    return r && r.expiresAt > now ? r : null;
  }

  /**
   * Deletes up to `limit` challenges that expired before `before` (used or not: a used one is dead already,
   * an expired one can no longer be consumed). Bounded, so one statement never holds many row locks or a long
   * transaction; returns how many it deleted.
   */
  async pruneChallenges(before: Date, limit: number): Promise<number> {
    const t = attestationChallenges;
    const batch = this.database.db.select({ id: t.id }).from(t).where(lt(t.expiresAt, before)).limit(limit);
    const gone = await this.database.db.delete(t).where(inArray(t.id, batch)).returning({ id: t.id });
    return gone.length;
  }

  /** The official's live desktop devices (active or lost), counted under a lock on their rows. */
  async liveDesktops(userId: string, tx: Db): Promise<number> {
    const rows = await tx
      .select({ id: devices.id })
      .from(devices)
      .where(
        and(
          eq(devices.userId, userId),
          eq(devices.kind, 'desktop'),
          inArray(devices.state, ['active', 'lost']),
        ),
      )
      .for('update');
    return rows.length;
  }

  async insertDevice(row: typeof devices.$inferInsert, tx: Db): Promise<DeviceRow> {
    const [r] = await tx.insert(devices).values(row).returning();
    return r!;
  }

  async updateAttestation(
    deviceId: string,
    set: Partial<
      Pick<
        DeviceRow,
        'attestation' | 'lastAttestedAt' | 'compliance' | 'complianceReasons' | 'nonCompliantSince'
      >
    >,
    tx?: Db,
  ): Promise<void> {
    await (tx ?? this.database.db)
      .update(devices)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(devices.id, deviceId));
  }

  /** The device row, locked until the transaction ends (a renewal against an operator's loss or wipe). */
  async lockDevice(id: string, tx: Db): Promise<DeviceRow | null> {
    const [r] = await tx.select().from(devices).where(eq(devices.id, id)).for('update');
    return r ?? null;
  }

  async device(id: string): Promise<DeviceRow | null> {
    const [r] = await this.database.db.select().from(devices).where(eq(devices.id, id));
    return r ?? null;
  }
}
