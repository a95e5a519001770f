import { Inject, Injectable } from '@nestjs/common';
import {
  DATABASE,
  scopeCondition,
  type DatabaseHandle,
  type Db,
  type Principal,
  isUuid,
} from '@pakawaaz/platform';
import { and, asc, eq, ilike, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { users } from './users.schema.js';

export type UserRow = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type UserKind = UserRow['kind'];
export type UserListQuery = {
  search?: string | undefined;
  kind?: UserKind | undefined;
  status?: UserRow['status'] | undefined;
  /** One institution (a filter, inside any scope). */
  institutionId?: string | undefined;
  /** Accounts whose password step closed after the guess limit (under attack), or the others. */
  passwordClosed?: boolean | undefined;
  limit: number;
  offset: number;
};

/** `%` and `_` typed by a user are literal characters, not wildcards. */
export const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
/** Text that starts with `text` (wildcards typed by a user stay literal). */
export const prefixPattern = (text: string) => likePattern(text).slice(1);

@Injectable()
export class UsersRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private byId: ReturnType<typeof this.prepareById> | undefined;

  private prepareById() {
    return this.db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .limit(1)
      .prepare('identity_user_by_id');
  }

  get db(): Db {
    return this.database.db;
  }

  async findByUsername(username: string, tx: Db = this.db): Promise<UserRow | undefined> {
    const [row] = await tx.select().from(users).where(eq(users.username, username.toLowerCase())).limit(1);
    return row;
  }

  async findById(id: string, tx?: Db): Promise<UserRow | undefined> {
    if (!isUuid(id)) return undefined;
    if (tx) return (await tx.select().from(users).where(eq(users.id, id)).limit(1))[0];
    // A prepared statement: every RADIUS authentication and sign-in step looks a user up by id.
    this.byId ??= this.prepareById();
    return (await this.byId.execute({ id }))[0];
  }

  async findByIds(ids: readonly string[]): Promise<UserRow[]> {
    const valid = ids.filter((id) => isUuid(id));
    return valid.length ? this.db.select().from(users).where(inArray(users.id, valid)) : [];
  }

  async count(tx: Db = this.db, kind?: UserKind): Promise<number> {
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(users)
      .where(kind ? eq(users.kind, kind) : undefined);
    return row?.n ?? 0;
  }

  async countInInstitution(institutionId: string, tx: Db = this.db): Promise<number> {
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(users)
      .where(eq(users.institutionId, institutionId));
    return row?.n ?? 0;
  }

  async insert(row: NewUser, tx: Db = this.db): Promise<UserRow> {
    const [inserted] = await tx
      .insert(users)
      .values({ ...row, username: row.username.toLowerCase() })
      .returning();
    if (!inserted) throw new Error('insert returned no row');
    return inserted;
  }

  async update(id: string, values: Partial<NewUser>, tx: Db = this.db): Promise<UserRow | undefined> {
    const [row] = await tx
      .update(users)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(users.id, id))
      .returning();
    return row;
  }

  /** Users matching the query inside the caller's scope (an institution's caller: its institutions only). */
  async list(
    q: UserListQuery,
    caller: Pick<Principal, 'scope'>,
  ): Promise<{ rows: UserRow[]; total: number }> {
    const where = and(this.filter(q), scopeCondition(caller, users.institutionId));
    const [rows, [total]] = await Promise.all([
      this.db.select().from(users).where(where).orderBy(asc(users.username)).limit(q.limit).offset(q.offset),
      this.db
        .select({ n: sql<number>`count(*)::int` })
        .from(users)
        .where(where),
    ]);
    return { rows, total: total?.n ?? 0 };
  }

  private filter(q: UserListQuery): SQL | undefined {
    const conditions: (SQL | undefined)[] = [
      q.kind ? eq(users.kind, q.kind) : undefined,
      q.status ? eq(users.status, q.status) : undefined,
      q.institutionId ? eq(users.institutionId, q.institutionId) : undefined,
      q.passwordClosed === undefined
        ? undefined
        : q.passwordClosed
          ? isNotNull(users.passwordClosedAt)
          : isNull(users.passwordClosedAt),
      q.search
        ? or(
            ilike(users.username, likePattern(q.search)),
            ilike(users.displayName, likePattern(q.search)),
            ilike(users.designation, likePattern(q.search)),
          )
        : undefined,
    ];
    return and(...conditions);
  }

  /**
   * Counts one failed sign-in atomically and closes the password step when the count reaches `limit`.
   * `closedNow` is true for the one failure that closed it. `updated_at` is left alone: it versions login
   * tickets, and an attacker's failures must not end the owner's sign-in in progress.
   */
  async recordFailure(
    id: string,
    limit: number,
    now: Date,
  ): Promise<{ failures: number; closedNow: boolean }> {
    const [row] = await this.db
      .update(users)
      .set({
        failedLogins: sql`${users.failedLogins} + 1`,
        passwordClosedAt: sql`case when ${users.passwordClosedAt} is null and ${users.failedLogins} + 1 >= ${limit} then ${now.toISOString()}::timestamptz else ${users.passwordClosedAt} end`,
      })
      .where(eq(users.id, id))
      .returning({ failures: users.failedLogins, closedAt: users.passwordClosedAt });
    return { failures: row?.failures ?? 0, closedNow: row?.closedAt?.getTime() === now.getTime() };
  }

  /** A completed sign-in: the consecutive-failure count starts again from `failures` (0, or the limit while closed). */
  async recordSuccess(id: string, now: Date, failures = 0): Promise<void> {
    await this.db.update(users).set({ failedLogins: failures, lastLoginAt: now }).where(eq(users.id, id));
  }
}
