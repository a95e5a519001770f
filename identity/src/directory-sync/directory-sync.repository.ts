import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db, isUuid } from '@pakawaaz/platform';
import { and, asc, eq, inArray, isNotNull, isNull, lt, notExists, or, sql } from 'drizzle-orm';
import { userImportJobs } from '../onboarding/onboarding.schema.js';
import { DIRECTORY_SYNC_JOBS } from '../onboarding/user-imports.repository.js';
import { users } from '../users/users.schema.js';
import { directoryLinks, directorySyncs } from './directory-sync.schema.js';

export type DirectorySyncRow = typeof directorySyncs.$inferSelect;

@Injectable()
export class DirectorySyncRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Db {
    return this.database.db;
  }

  async insert(row: typeof directorySyncs.$inferInsert, tx: Db = this.db): Promise<DirectorySyncRow> {
    const [inserted] = await tx.insert(directorySyncs).values(row).returning();
    return inserted!;
  }

  async find(idOrName: string): Promise<DirectorySyncRow | undefined> {
    const byId = isUuid(idOrName) ? eq(directorySyncs.id, idOrName) : undefined;
    const [row] = await this.db
      .select()
      .from(directorySyncs)
      .where(or(byId, eq(directorySyncs.name, idOrName)))
      .limit(1);
    return row;
  }

  list(): Promise<DirectorySyncRow[]> {
    return this.db.select().from(directorySyncs).orderBy(asc(directorySyncs.name));
  }

  async update(
    id: string,
    values: Partial<typeof directorySyncs.$inferInsert>,
    tx: Db = this.db,
  ): Promise<void> {
    await tx.update(directorySyncs).set(values).where(eq(directorySyncs.id, id));
  }

  /**
   * Claims a scheduled sync that is due (atomically: on several nodes, one wins), setting its last run to now.
   * A sync whose last run is still queued or running is not due: it is claimed once that run has ended.
   */
  async claimDue(now: Date): Promise<DirectorySyncRow[]> {
    return this.db
      .update(directorySyncs)
      .set({ lastRunAt: now })
      .where(
        and(
          isNotNull(directorySyncs.intervalMinutes),
          or(
            isNull(directorySyncs.lastRunAt),
            lt(
              directorySyncs.lastRunAt,
              sql`${now.toISOString()}::timestamptz - make_interval(mins => ${directorySyncs.intervalMinutes})`,
            ),
          ),
          notExists(
            this.db
              .select({ id: userImportJobs.id })
              .from(userImportJobs)
              .where(
                and(
                  DIRECTORY_SYNC_JOBS,
                  eq(userImportJobs.filename, sql`'directory:' || ${directorySyncs.name}`), // syncJobFilename
                  inArray(userImportJobs.status, ['queued', 'running']),
                ),
              ),
          ),
        ),
      )
      .returning();
  }

  /** Links the named users to the sync (those it created; the plan refuses any it does not manage), keeping the first link. */
  async link(tx: Db, syncId: string, entries: readonly { username: string; dn: string }[]): Promise<void> {
    if (!entries.length) return;
    const dn = new Map(entries.map((e) => [e.username, e.dn]));
    const rows = await tx
      .select({ id: users.id, username: users.username })
      .from(users)
      .where(inArray(users.username, [...dn.keys()]));
    if (!rows.length) return;
    await tx
      .insert(directoryLinks)
      .values(rows.map((r) => ({ syncId, userId: r.id, dn: dn.get(r.username)! })))
      .onConflictDoNothing();
  }

  /** Links one user; false when a sync (this or another) manages them already (the unique user index). */
  async linkOne(tx: Db, syncId: string, userId: string, dn: string): Promise<boolean> {
    const inserted = await tx
      .insert(directoryLinks)
      .values({ syncId, userId, dn })
      .onConflictDoNothing()
      .returning({ userId: directoryLinks.userId });
    return inserted.length === 1;
  }

  /** The sync that manages this user, if any. */
  async linkOf(userId: string): Promise<{ syncId: string; syncName: string } | undefined> {
    const [row] = await this.db
      .select({ syncId: directoryLinks.syncId, syncName: directorySyncs.name })
      .from(directoryLinks)
      .innerJoin(directorySyncs, eq(directorySyncs.id, directoryLinks.syncId))
      .where(eq(directoryLinks.userId, userId))
      .limit(1);
    return row;
  }

  /** The users linked to the sync, with their current username and status. */
  linked(syncId: string): Promise<{ userId: string; username: string; status: 'active' | 'disabled' }[]> {
    return this.db
      .select({ userId: users.id, username: users.username, status: users.status })
      .from(directoryLinks)
      .innerJoin(users, eq(users.id, directoryLinks.userId))
      .where(eq(directoryLinks.syncId, syncId));
  }

  async disable(tx: Db, userIds: readonly string[], reason: string): Promise<void> {
    if (!userIds.length) return;
    await tx
      .update(users)
      .set({ status: 'disabled', statusReason: reason, updatedAt: new Date() })
      .where(and(inArray(users.id, [...userIds]), eq(users.status, 'active')));
  }
}
