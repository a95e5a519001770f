import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db, isUuid } from '@pakawaaz/platform';
import { and, asc, desc, eq, gt, inArray, isNull, lt, lte, ne, notInArray, sql } from 'drizzle-orm';
import { users } from '../users/users.schema.js';
import type { NewUser, UserRow } from '../users/users.repository.js';
import {
  DIRECTORY_SYNC_SOURCE,
  userEnrolments,
  userImportBlocks,
  userImportCodes,
  userImportJobs,
} from './onboarding.schema.js';

export type UserImportJobRow = typeof userImportJobs.$inferSelect;
export type UserImportBlockRow = typeof userImportBlocks.$inferSelect;
export type EnrolmentRow = typeof userEnrolments.$inferSelect;

/**
 * The jobs of file imports, which UserImportService runs, and of directory syncs, which DirectorySyncJobs
 * runs: they share the table, and each runs its own under its own lease (the two filters are complementary).
 */
export const FILE_IMPORT_JOBS = ne(userImportJobs.sourceHeader, DIRECTORY_SYNC_SOURCE);
export const DIRECTORY_SYNC_JOBS = eq(userImportJobs.sourceHeader, DIRECTORY_SYNC_SOURCE);

/** The second unfinished job of a directory sync, refused by the one-run-a-sync index (see userImportJobs). */
export function isSyncRunConflict(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; constraint?: unknown; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  )
    if (e.code === '23505' && e.constraint === 'user_import_jobs_one_sync_run_idx') return true;
  return false;
}

/** Onboarding's tables: import jobs, their stored upload and sealed codes, and enrolment codes. */
@Injectable()
export class UserImportsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Db {
    return this.database.db;
  }

  async insertJob(tx: Db, row: typeof userImportJobs.$inferInsert): Promise<void> {
    await tx.insert(userImportJobs).values(row);
  }

  /** The id of the queued or running job of a directory sync (by its job's `filename`), if any. */
  async unfinishedJobOf(tx: Db, filename: string): Promise<string | undefined> {
    const [row] = await tx
      .select({ id: userImportJobs.id })
      .from(userImportJobs)
      .where(
        and(
          DIRECTORY_SYNC_JOBS,
          eq(userImportJobs.filename, filename),
          inArray(userImportJobs.status, ['queued', 'running']),
        ),
      )
      .limit(1);
    return row?.id;
  }

  async job(id: string, tx: Db = this.db): Promise<UserImportJobRow | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await tx.select().from(userImportJobs).where(eq(userImportJobs.id, id)).limit(1);
    return row;
  }

  /** The newest jobs; only `createdBy`'s when given (an institution's officer sees their own). */
  listJobs(limit: number, createdBy?: string): Promise<UserImportJobRow[]> {
    return this.db
      .select()
      .from(userImportJobs)
      .where(createdBy === undefined ? undefined : eq(userImportJobs.createdBy, createdBy))
      .orderBy(desc(userImportJobs.createdAt))
      .limit(limit);
  }

  async updateJob(tx: Db, id: string, values: Partial<typeof userImportJobs.$inferInsert>): Promise<void> {
    await tx.update(userImportJobs).set(values).where(eq(userImportJobs.id, id));
  }

  async insertBlock(row: typeof userImportBlocks.$inferInsert): Promise<void> {
    await this.db.insert(userImportBlocks).values(row);
  }

  async nextBlock(
    jobId: string,
    afterSeq: number,
    committedLines: number,
  ): Promise<UserImportBlockRow | undefined> {
    const [row] = await this.db
      .select()
      .from(userImportBlocks)
      .where(
        and(
          eq(userImportBlocks.jobId, jobId),
          gt(userImportBlocks.seq, afterSeq),
          gt(userImportBlocks.lastLine, committedLines),
        ),
      )
      .orderBy(asc(userImportBlocks.seq))
      .limit(1);
    return row;
  }

  async deleteBlocks(jobId: string, tx: Db = this.db): Promise<void> {
    await tx.delete(userImportBlocks).where(eq(userImportBlocks.jobId, jobId));
  }

  /** Blocks of uploads cut off by a crash (no job row) once surely abandoned. */
  async deleteAbandonedBlocks(before: Date): Promise<void> {
    await this.db
      .delete(userImportBlocks)
      .where(
        and(
          lt(userImportBlocks.createdAt, before),
          notInArray(userImportBlocks.jobId, this.db.select({ id: userImportJobs.id }).from(userImportJobs)),
        ),
      );
  }

  usersByUsername(tx: Db, usernames: readonly string[]): Promise<UserRow[]> {
    return usernames.length
      ? tx
          .select()
          .from(users)
          .where(inArray(users.username, [...usernames]))
      : Promise.resolve([]);
  }

  async insertUsers(tx: Db, rows: NewUser[]): Promise<void> {
    if (rows.length) await tx.insert(users).values(rows);
  }

  async updateUser(tx: Db, id: string, values: Partial<NewUser>): Promise<UserRow | undefined> {
    const [row] = await tx
      .update(users)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(users.id, id))
      .returning();
    return row;
  }

  async insertEnrolments(tx: Db, rows: (typeof userEnrolments.$inferInsert)[]): Promise<void> {
    if (!rows.length) return;
    // A user's older open code makes way (at most one open code a user).
    await tx
      .update(userEnrolments)
      .set({ usedAt: new Date() })
      .where(
        and(
          inArray(
            userEnrolments.userId,
            rows.map((r) => r.userId),
          ),
          isNull(userEnrolments.usedAt),
        ),
      );
    await tx.insert(userEnrolments).values(rows);
  }

  async insertCodes(tx: Db, row: typeof userImportCodes.$inferInsert): Promise<void> {
    await tx.insert(userImportCodes).values(row);
  }

  /** The sealed code chunks of a job, deleted in the same transaction (they are handed out once). */
  async takeCodes(tx: Db, jobId: string): Promise<string[]> {
    const rows = await tx
      .delete(userImportCodes)
      .where(eq(userImportCodes.jobId, jobId))
      .returning({ lastLine: userImportCodes.lastLine, sealed: userImportCodes.sealed });
    return rows.sort((a, b) => a.lastLine - b.lastLine).map((r) => r.sealed);
  }

  /** The open, unexpired enrolment with this code hash, locked for the redemption's transaction. */
  async openEnrolment(tx: Db, codeHash: string, now: Date): Promise<EnrolmentRow | undefined> {
    const [row] = await tx
      .select()
      .from(userEnrolments)
      .where(
        and(
          eq(userEnrolments.codeHash, codeHash),
          isNull(userEnrolments.usedAt),
          gt(userEnrolments.expiresAt, now),
        ),
      )
      .for('update')
      .limit(1);
    return row;
  }

  async useEnrolment(tx: Db, id: string, now: Date): Promise<void> {
    await tx.update(userEnrolments).set({ usedAt: now }).where(eq(userEnrolments.id, id));
  }

  /** Enrolments past their expiry are dropped (the code is useless anyway); used ones are kept as a record. */
  async deleteExpired(now: Date): Promise<void> {
    await this.db
      .delete(userEnrolments)
      .where(and(isNull(userEnrolments.usedAt), lte(userEnrolments.expiresAt, now)));
  }

  async countOpen(userId: string): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(userEnrolments)
      .where(and(eq(userEnrolments.userId, userId), isNull(userEnrolments.usedAt)));
    return row?.n ?? 0;
  }
}
