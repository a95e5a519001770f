import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { chatFiles, chatFileUsage } from './files.schema.js';

export type FileRow = typeof chatFiles.$inferSelect;

/** fileCharge in SQL: what a row's reservation charged (none recorded: its size). */
const charged = sql`coalesce(${chatFiles.chargedBytes}, ${chatFiles.sizeBytes})`;
export type UsageRow = typeof chatFileUsage.$inferSelect;

/** The rows of secure_chat.chat_files and chat_file_usage; only FilesService and the sweep use it. */
@Injectable()
export class FilesRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db(): Db {
    return this.database.db;
  }

  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /**
   * Adds `bytes` to the institution's usage if it stays within its quota (its own, else `defaultQuota`);
   * one conditional UPDATE, so concurrent reservations never overrun together. Null when refused.
   */
  async reserve(
    institutionId: string,
    bytes: number,
    defaultQuota: number,
    tx: Db,
  ): Promise<UsageRow | null> {
    await tx.insert(chatFileUsage).values({ institutionId, usedBytes: 0 }).onConflictDoNothing();
    const rows = await tx
      .update(chatFileUsage)
      .set({ usedBytes: sql`${chatFileUsage.usedBytes} + ${bytes}`, updatedAt: new Date() })
      .where(
        and(
          eq(chatFileUsage.institutionId, institutionId),
          sql`${chatFileUsage.usedBytes} + ${bytes} <= coalesce(${chatFileUsage.quotaBytes}, ${defaultQuota})`,
        ),
      )
      .returning();
    return rows[0] ?? null;
  }

  /**
   * What one uploader holds in the institution: the bytes its uploads in progress and complete files were
   * charged (fileCharge: each at least MIN_CHARGE_BYTES since that minimum came in), and how many uploads it
   * has in progress; its handset's, or an official's token's. Called after `reserve` in the same transaction:
   * the institution's usage row is locked then, so two creations by the same uploader count each other.
   */
  async uploaderHoldings(
    institutionId: string,
    who: { userId: string; deviceId: string | null },
    tx: Db,
  ): Promise<{ bytes: number; uploading: number }> {
    const [row] = await tx
      .select({
        bytes: sql<number>`coalesce(sum(${charged}), 0)::float8`,
        uploading: sql<number>`count(*) filter (where ${chatFiles.state} = 'uploading')::int`,
      })
      .from(chatFiles)
      .where(
        and(
          eq(chatFiles.institutionId, institutionId),
          inArray(chatFiles.state, ['uploading', 'complete']),
          who.deviceId === null
            ? and(eq(chatFiles.uploaderUserId, who.userId), isNull(chatFiles.uploaderDeviceId))
            : eq(chatFiles.uploaderDeviceId, who.deviceId),
        ),
      );
    return { bytes: Number(row?.bytes ?? 0), uploading: Number(row?.uploading ?? 0) };
  }

  async release(institutionId: string, bytes: number, tx: Db = this.db): Promise<void> {
    await tx
      .update(chatFileUsage)
      .set({ usedBytes: sql`greatest(0, ${chatFileUsage.usedBytes} - ${bytes})`, updatedAt: new Date() })
      .where(eq(chatFileUsage.institutionId, institutionId));
  }

  /** Institutions with a usage row, in id order after `after` (null: from the first), at most `limit`. */
  async usageInstitutions(after: string | null, limit: number): Promise<string[]> {
    const rows = await this.db
      .select({ id: chatFileUsage.institutionId })
      .from(chatFileUsage)
      .where(after === null ? undefined : gt(chatFileUsage.institutionId, after))
      .orderBy(chatFileUsage.institutionId)
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /**
   * The institution's recorded usage, its row locked until the transaction ends: the lock `reserve` and
   * `release` take, so no reservation or deletion of the institution is half-way (file row changed, usage
   * not yet) once this returns. Null when it has no usage row.
   */
  async lockUsage(institutionId: string, tx: Db): Promise<number | null> {
    const [row] = await tx
      .select({ usedBytes: chatFileUsage.usedBytes })
      .from(chatFileUsage)
      .where(eq(chatFileUsage.institutionId, institutionId))
      .for('update');
    return row ? row.usedBytes : null;
  }

  /** What the institution's files hold: the charges (fileCharge) of its uploads in progress and complete files. */
  async heldBytes(institutionId: string, tx: Db): Promise<number> {
    const [row] = await this.heldQuery(institutionId, tx);
    return Number(row?.bytes ?? 0);
  }

  /**
   * The institution's recorded usage and what its files hold (as heldBytes), read together in one statement
   * without any lock: one snapshot, so a reservation or deletion committed in it counts in both or in
   * neither. Null when it has no usage row.
   */
  async usageAndHeld(institutionId: string): Promise<{ recorded: number; held: number } | null> {
    const [row] = await this.db
      .select({
        recorded: chatFileUsage.usedBytes,
        held: sql<number>`(${this.heldQuery(institutionId, this.db)})`,
      })
      .from(chatFileUsage)
      .where(eq(chatFileUsage.institutionId, institutionId));
    return row ? { recorded: row.recorded, held: Number(row.held) } : null;
  }

  private heldQuery(institutionId: string, tx: Db) {
    return tx
      .select({ bytes: sql<number>`coalesce(sum(${charged}), 0)::float8` })
      .from(chatFiles)
      .where(
        and(eq(chatFiles.institutionId, institutionId), inArray(chatFiles.state, ['uploading', 'complete'])),
      );
  }

  async setUsed(institutionId: string, usedBytes: number, tx: Db): Promise<void> {
    await tx
      .update(chatFileUsage)
      .set({ usedBytes, updatedAt: new Date() })
      .where(eq(chatFileUsage.institutionId, institutionId));
  }

  async usage(institutionIds: readonly string[] | null, tx: Db = this.db): Promise<UsageRow[]> {
    const q = tx.select().from(chatFileUsage);
    return institutionIds === null
      ? q.orderBy(chatFileUsage.institutionId)
      : q
          .where(inArray(chatFileUsage.institutionId, [...institutionIds]))
          .orderBy(chatFileUsage.institutionId);
  }

  async insert(row: typeof chatFiles.$inferInsert, tx: Db): Promise<FileRow> {
    return (await tx.insert(chatFiles).values(row).returning())[0]!;
  }

  async byId(id: string, tx: Db = this.db, lock = false): Promise<FileRow | undefined> {
    const q = tx.select().from(chatFiles).where(eq(chatFiles.id, id));
    return (await (lock ? q.for('update') : q))[0];
  }

  async byTokenHash(tokenHash: string): Promise<FileRow | undefined> {
    return (await this.db.select().from(chatFiles).where(eq(chatFiles.tokenHash, tokenHash)))[0];
  }

  /**
   * Takes the upload's lease if no live PATCH holds it (one conditional UPDATE: of two concurrent PATCHes one
   * gets the row). Returns the row as it was before, with the new lease, or null when held or not uploading.
   */
  async lease(id: string, leaseId: string, until: Date, now: Date): Promise<FileRow | null> {
    const rows = await this.db
      .update(chatFiles)
      .set({ leaseId, leaseUntil: until, updatedAt: now })
      .where(
        and(
          eq(chatFiles.id, id),
          eq(chatFiles.state, 'uploading'),
          or(isNull(chatFiles.leaseUntil), lt(chatFiles.leaseUntil, now)),
        ),
      )
      .returning();
    return rows[0] ?? null;
  }

  /** Extends a lease this PATCH still holds (false when it lost it). */
  async renew(id: string, leaseId: string, until: Date): Promise<boolean> {
    const rows = await this.db
      .update(chatFiles)
      .set({ leaseUntil: until })
      .where(and(eq(chatFiles.id, id), eq(chatFiles.leaseId, leaseId)))
      .returning({ id: chatFiles.id });
    return rows.length > 0;
  }

  /** Records where the upload stands and frees the lease, if this PATCH still holds it. */
  async settle(id: string, leaseId: string, offset: number, now: Date): Promise<boolean> {
    const rows = await this.db
      .update(chatFiles)
      .set({ offsetBytes: offset, leaseId: null, leaseUntil: null, updatedAt: now })
      .where(and(eq(chatFiles.id, id), eq(chatFiles.leaseId, leaseId)))
      .returning({ id: chatFiles.id });
    return rows.length > 0;
  }

  async update(id: string, set: Partial<typeof chatFiles.$inferInsert>, tx: Db = this.db): Promise<FileRow> {
    return (await tx.update(chatFiles).set(set).where(eq(chatFiles.id, id)).returning())[0]!;
  }

  /**
   * Seals an upload only if it is still `uploading` under `leaseId` (a delete while its last chunk was being
   * hashed leaves it deleted); the sealed row, or undefined when it was not.
   */
  async sealIfUploading(
    id: string,
    leaseId: string | null,
    set: Partial<typeof chatFiles.$inferInsert>,
  ): Promise<FileRow | undefined> {
    const rows = await this.db
      .update(chatFiles)
      .set(set)
      .where(
        and(
          eq(chatFiles.id, id),
          eq(chatFiles.state, 'uploading'),
          leaseId === null ? isNull(chatFiles.leaseId) : eq(chatFiles.leaseId, leaseId),
        ),
      )
      .returning();
    return rows[0];
  }

  /** Ids of files past their time (complete: expired; uploading: abandoned), oldest first, at most `limit`. */
  async expired(now: Date, limit: number): Promise<{ id: string }[]> {
    return this.db
      .select({ id: chatFiles.id })
      .from(chatFiles)
      .where(
        and(
          inArray(chatFiles.state, ['uploading', 'complete']),
          lt(chatFiles.expiresAt, now),
          // An upload a PATCH is streaming into right now waits for the next run.
          or(isNull(chatFiles.leaseUntil), lt(chatFiles.leaseUntil, now)),
        ),
      )
      .orderBy(chatFiles.expiresAt)
      .limit(limit);
  }

  /** Deletes tombstones deleted before `before`; returns how many. */
  async purgeTombstones(before: Date, limit: number): Promise<number> {
    const rows = await this.db
      .delete(chatFiles)
      .where(
        inArray(
          chatFiles.id,
          this.db
            .select({ id: chatFiles.id })
            .from(chatFiles)
            .where(and(eq(chatFiles.state, 'deleted'), lt(chatFiles.deletedAt, before)))
            .limit(limit),
        ),
      )
      .returning({ id: chatFiles.id });
    return rows.length;
  }
}
