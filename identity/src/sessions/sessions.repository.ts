import { Inject, Injectable } from '@nestjs/common';
import {
  DATABASE,
  scopeCondition,
  type DatabaseHandle,
  type Db,
  type Principal,
  isUuid,
} from '@pakawaaz/platform';
import { and, desc, eq, gt, inArray, isNull, ne } from 'drizzle-orm';
import { users } from '../users/users.schema.js';
import { refreshTokens, sessions } from './sessions.schema.js';

export type SessionRow = typeof sessions.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

@Injectable()
export class SessionsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Db {
    return this.database.db;
  }

  async insert(row: typeof sessions.$inferInsert, tx: Db = this.db): Promise<void> {
    await tx.insert(sessions).values(row);
  }

  async find(id: string, tx: Db = this.db): Promise<SessionRow | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await tx.select().from(sessions).where(eq(sessions.id, id)).limit(1);
    return row;
  }

  /**
   * The session, its row locked until `tx` ends (SELECT … FOR UPDATE): a refresh and a DPoP bind of one
   * session take turns, so the binding a refresh reads is the one in force when its tokens are issued.
   */
  async lock(id: string, tx: Db): Promise<SessionRow | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await tx.select().from(sessions).where(eq(sessions.id, id)).for('update').limit(1);
    return row;
  }

  /**
   * Live (not revoked, not past the absolute limit) sessions, newest first, of users in the caller's scope;
   * idle ones are filtered by the caller.
   */
  async live(now: Date, caller: Pick<Principal, 'scope'>, userId?: string): Promise<SessionRow[]> {
    const inScope = scopeCondition(caller, users.institutionId);
    return this.db
      .select()
      .from(sessions)
      .where(
        and(
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, now),
          userId ? eq(sessions.userId, userId) : undefined,
          inScope
            ? inArray(sessions.userId, this.db.select({ id: users.id }).from(users).where(inScope))
            : undefined,
        ),
      )
      .orderBy(desc(sessions.lastSeenAt))
      .limit(1000);
  }

  async touch(id: string, at: Date, tx: Db = this.db): Promise<void> {
    await tx.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, id));
  }

  /** Revokes one session; false when it was already revoked or does not exist. */
  async revoke(id: string, reason: string, at: Date, tx: Db = this.db): Promise<boolean> {
    const rows = await tx
      .update(sessions)
      .set({ revokedAt: at, revokedReason: reason })
      .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    return rows.length === 1;
  }

  /** Revokes every live session of a user but `except` (the caller's own, when they changed their password). */
  async revokeAllOf(
    userId: string,
    reason: string,
    at: Date,
    tx: Db = this.db,
    except?: string,
  ): Promise<string[]> {
    const rows = await tx
      .update(sessions)
      .set({ revokedAt: at, revokedReason: reason })
      .where(
        and(
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          except ? ne(sessions.id, except) : undefined,
        ),
      )
      .returning({ id: sessions.id });
    return rows.map((r) => r.id);
  }

  async insertRefreshToken(row: typeof refreshTokens.$inferInsert, tx: Db = this.db): Promise<void> {
    await tx.insert(refreshTokens).values(row);
  }

  async findRefreshToken(secretHash: string, tx: Db = this.db): Promise<RefreshTokenRow | undefined> {
    const [row] = await tx
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.secretHash, secretHash))
      .limit(1);
    return row;
  }

  /**
   * Binds a session to a DPoP key (RFC 9449 §5), its row locked (`lock`) so that no refresh of it runs
   * between; false when it is gone, revoked or bound to another key already.
   */
  async bindDpop(id: string, jkt: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const row = await this.lock(id, tx);
      if (!row || row.revokedAt || (row.dpopJkt !== null && row.dpopJkt !== jkt)) return false;
      if (row.dpopJkt === null) await tx.update(sessions).set({ dpopJkt: jkt }).where(eq(sessions.id, id));
      return true;
    });
  }

  /** Marks a refresh token used; false when it was used already (possibly by a concurrent request). */
  async useRefreshToken(id: string, at: Date, tx: Db = this.db): Promise<boolean> {
    const rows = await tx
      .update(refreshTokens)
      .set({ usedAt: at })
      .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.usedAt)))
      .returning({ id: refreshTokens.id });
    return rows.length === 1;
  }
}
