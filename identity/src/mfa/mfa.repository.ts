import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { passkeys, recoveryCodes, totpFactors, webauthnChallenges } from './mfa.schema.js';

export type TotpRow = typeof totpFactors.$inferSelect;
export type PasskeyRow = typeof passkeys.$inferSelect;
export type RecoveryCodeRow = typeof recoveryCodes.$inferSelect;
export type FactorSummary = {
  totp: 'none' | 'pending' | 'active';
  passkeys: number;
  recoveryCodesLeft: number;
};

/** Second factors: TOTP authenticators, recovery codes, passkeys and their one-time WebAuthn challenges. */
@Injectable()
export class MfaRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Db {
    return this.database.db;
  }

  async totp(userId: string, tx: Db = this.db): Promise<TotpRow | undefined> {
    const [row] = await tx.select().from(totpFactors).where(eq(totpFactors.userId, userId)).limit(1);
    return row;
  }

  async putTotp(row: typeof totpFactors.$inferInsert, tx: Db = this.db): Promise<void> {
    await tx
      .insert(totpFactors)
      .values(row)
      .onConflictDoUpdate({
        target: totpFactors.userId,
        set: {
          sealedSecret: row.sealedSecret,
          status: row.status,
          lastUsedStep: null,
          confirmedAt: row.confirmedAt ?? null,
          createdAt: new Date(),
        },
      });
  }

  /**
   * Records `step` as used only if it is newer than the last used one — atomically, so the same code sent
   * twice at once is accepted once. False when another request used this step (or a newer one) first.
   */
  async claimTotpStep(userId: string, step: number, confirm: boolean, tx: Db = this.db): Promise<boolean> {
    const rows = await tx
      .update(totpFactors)
      .set({
        lastUsedStep: step,
        ...(confirm ? { status: 'active' as const, confirmedAt: new Date() } : {}),
      })
      .where(
        and(
          eq(totpFactors.userId, userId),
          or(isNull(totpFactors.lastUsedStep), lt(totpFactors.lastUsedStep, step)),
        ),
      )
      .returning({ userId: totpFactors.userId });
    return rows.length === 1;
  }

  async deleteTotp(userId: string, tx: Db = this.db): Promise<void> {
    await tx.delete(totpFactors).where(eq(totpFactors.userId, userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  }

  async replaceRecoveryCodes(userId: string, hashes: readonly string[], tx: Db): Promise<void> {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await tx.insert(recoveryCodes).values(hashes.map((hash) => ({ id: crypto.randomUUID(), userId, hash })));
  }

  async unusedRecoveryCodes(userId: string): Promise<RecoveryCodeRow[]> {
    return this.db
      .select()
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  }

  /** Marks a code used; false if a concurrent request used it first. */
  async useRecoveryCode(id: string): Promise<boolean> {
    const rows = await this.db
      .update(recoveryCodes)
      .set({ usedAt: new Date() })
      .where(and(eq(recoveryCodes.id, id), isNull(recoveryCodes.usedAt)))
      .returning({ id: recoveryCodes.id });
    return rows.length === 1;
  }

  async passkeys(userId: string): Promise<PasskeyRow[]> {
    return this.db.select().from(passkeys).where(eq(passkeys.userId, userId));
  }

  async passkey(id: string): Promise<PasskeyRow | undefined> {
    const [row] = await this.db.select().from(passkeys).where(eq(passkeys.id, id)).limit(1);
    return row;
  }

  async insertPasskey(row: typeof passkeys.$inferInsert): Promise<void> {
    await this.db.insert(passkeys).values(row);
  }

  async touchPasskey(id: string, counter: number, at: Date): Promise<void> {
    await this.db.update(passkeys).set({ counter, lastUsedAt: at }).where(eq(passkeys.id, id));
  }

  async deletePasskey(userId: string, id: string): Promise<boolean> {
    const rows = await this.db
      .delete(passkeys)
      .where(and(eq(passkeys.userId, userId), eq(passkeys.id, id)))
      .returning({ id: passkeys.id });
    return rows.length === 1;
  }

  /**
   * Stores a challenge after dropping the expired ones; with `cap`, the oldest challenges of the same
   * purpose beyond it go too, so that unauthenticated requests can never grow the table without bound.
   */
  /** Every passkey of a user (an administrator's factor reset); returns how many there were. */
  async deletePasskeysOf(userId: string, tx: Db = this.db): Promise<number> {
    const rows = await tx.delete(passkeys).where(eq(passkeys.userId, userId)).returning({ id: passkeys.id });
    return rows.length;
  }

  async saveChallenge(row: typeof webauthnChallenges.$inferInsert, cap?: number): Promise<void> {
    await this.db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, new Date()));
    await this.db.insert(webauthnChallenges).values(row);
    if (cap === undefined) return;
    const beyond = this.db
      .select({ challenge: webauthnChallenges.challenge })
      .from(webauthnChallenges)
      .where(eq(webauthnChallenges.purpose, row.purpose))
      .orderBy(desc(webauthnChallenges.createdAt))
      .offset(cap);
    await this.db.delete(webauthnChallenges).where(inArray(webauthnChallenges.challenge, beyond));
  }

  /** Takes a challenge out (single use); undefined when unknown, already used or expired. */
  async takeChallenge(challenge: string, purpose: 'register' | 'authenticate', now: Date) {
    const [row] = await this.db
      .delete(webauthnChallenges)
      .where(and(eq(webauthnChallenges.challenge, challenge), eq(webauthnChallenges.purpose, purpose)))
      .returning();
    return row && row.expiresAt > now ? row : undefined;
  }

  /**
   * When the user's oldest second factor still in place was enrolled (an active TOTP's confirmation, a
   * passkey's registration), or null when they have none.
   */
  async secondFactorSince(userId: string): Promise<Date | null> {
    const [[totp], [key]] = await Promise.all([
      this.db
        .select({ at: sql<Date | null>`coalesce(${totpFactors.confirmedAt}, ${totpFactors.createdAt})` })
        .from(totpFactors)
        .where(and(eq(totpFactors.userId, userId), eq(totpFactors.status, 'active'))),
      this.db
        .select({ at: sql<Date | null>`min(${passkeys.createdAt})` })
        .from(passkeys)
        .where(eq(passkeys.userId, userId)),
    ]);
    const times = [totp?.at, key?.at].filter((t) => t != null).map((t) => new Date(t).getTime());
    return times.length ? new Date(Math.min(...times)) : null;
  }

  async summaries(userIds: readonly string[]): Promise<Map<string, FactorSummary>> {
    const out = new Map<string, FactorSummary>(
      userIds.map((id) => [id, { totp: 'none', passkeys: 0, recoveryCodesLeft: 0 }]),
    );
    if (!userIds.length) return out;
    const ids = [...userIds];
    const [totps, keys, codes] = await Promise.all([
      this.db
        .select({ userId: totpFactors.userId, status: totpFactors.status })
        .from(totpFactors)
        .where(inArray(totpFactors.userId, ids)),
      this.db
        .select({ userId: passkeys.userId, n: sql<number>`count(*)::int` })
        .from(passkeys)
        .where(inArray(passkeys.userId, ids))
        .groupBy(passkeys.userId),
      this.db
        .select({ userId: recoveryCodes.userId, n: sql<number>`count(*)::int` })
        .from(recoveryCodes)
        .where(and(inArray(recoveryCodes.userId, ids), isNull(recoveryCodes.usedAt)))
        .groupBy(recoveryCodes.userId),
    ]);
    for (const t of totps) out.get(t.userId)!.totp = t.status;
    for (const k of keys) out.get(k.userId)!.passkeys = k.n;
    for (const c of codes) out.get(c.userId)!.recoveryCodesLeft = c.n;
    return out;
  }
}
