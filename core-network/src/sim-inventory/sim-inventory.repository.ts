import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, desc, eq, gt, ilike, inArray, lt, notExists, or, sql, type SQL } from 'drizzle-orm';
import { networkSpecs } from '../network-spec/network-specs.schema.js';
import { subscribers } from '../subscribers/subscribers.schema.js';
import { simCards, simImportBlocks, simImportJobs } from './sims.schema.js';

export type SimCardRow = typeof simCards.$inferSelect;
export type NewSimCard = typeof simCards.$inferInsert;
export type SimImportJobRow = typeof simImportJobs.$inferSelect;
export type SimImportBlockRow = typeof simImportBlocks.$inferSelect;

export type SimListQuery = {
  search?: string | undefined;
  status?: SimCardRow['status'] | undefined;
  batch?: string | undefined;
  limit: number;
  after?: string | undefined;
};

@Injectable()
export class SimInventoryRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /** The PLMN of the current network spec, which every imported IMSI must belong to. */
  async currentPlmn(): Promise<{ mcc: string; mnc: string } | undefined> {
    const [row] = await this.database.db
      .select({ spec: networkSpecs.spec })
      .from(networkSpecs)
      .orderBy(desc(networkSpecs.version))
      .limit(1);
    const plmn = (row?.spec as { plmn?: { mcc?: unknown; mnc?: unknown } } | undefined)?.plmn;
    return typeof plmn?.mcc === 'string' && typeof plmn.mnc === 'string'
      ? { mcc: plmn.mcc, mnc: plmn.mnc }
      : undefined;
  }

  existingByImsi(tx: Db, imsis: string[]): Promise<SimCardRow[]> {
    return imsis.length
      ? tx.select().from(simCards).where(inArray(simCards.imsi, imsis))
      : Promise.resolve([]);
  }

  /** What duplicate/conflict detection needs of stored SIMs (not their sealed secrets). */
  knownSims(
    tx: Db,
    imsis: string[],
  ): Promise<Pick<SimCardRow, 'imsi' | 'iccid' | 'msisdn' | 'secretsMac'>[]> {
    return imsis.length
      ? tx
          .select({
            imsi: simCards.imsi,
            iccid: simCards.iccid,
            msisdn: simCards.msisdn,
            secretsMac: simCards.secretsMac,
          })
          .from(simCards)
          .where(inArray(simCards.imsi, imsis))
      : Promise.resolve([]);
  }

  existingByIccid(tx: Db, iccids: string[]): Promise<Pick<SimCardRow, 'imsi' | 'iccid'>[]> {
    return iccids.length
      ? tx
          .select({ imsi: simCards.imsi, iccid: simCards.iccid })
          .from(simCards)
          .where(inArray(simCards.iccid, iccids))
      : Promise.resolve([]);
  }

  async insertSims(tx: Db, rows: NewSimCard[]): Promise<void> {
    if (rows.length) await tx.insert(simCards).values(rows);
  }

  async insertJob(tx: Db, row: typeof simImportJobs.$inferInsert): Promise<void> {
    await tx.insert(simImportJobs).values(row);
  }

  async insertBlock(row: typeof simImportBlocks.$inferInsert): Promise<void> {
    await this.database.db.insert(simImportBlocks).values(row);
  }

  /** The next stored block of a job after `afterSeq` that still has lines past `committedLines`. */
  async nextBlock(
    jobId: string,
    afterSeq: number,
    committedLines: number,
  ): Promise<SimImportBlockRow | undefined> {
    const [row] = await this.database.db
      .select()
      .from(simImportBlocks)
      .where(
        and(
          eq(simImportBlocks.jobId, jobId),
          gt(simImportBlocks.seq, afterSeq),
          gt(simImportBlocks.lastLine, committedLines),
        ),
      )
      .orderBy(asc(simImportBlocks.seq))
      .limit(1);
    return row;
  }

  async deleteBlocks(jobId: string, tx: Db = this.database.db): Promise<void> {
    await tx.delete(simImportBlocks).where(eq(simImportBlocks.jobId, jobId));
  }

  /** Blocks of uploads cut off by a crash (no job row) older than `before`: an upload in progress is younger. */
  async deleteAbandonedBlocks(before: Date): Promise<void> {
    await this.database.db
      .delete(simImportBlocks)
      .where(
        and(
          lt(simImportBlocks.createdAt, before),
          notExists(
            this.database.db
              .select({ id: simImportJobs.id })
              .from(simImportJobs)
              .where(eq(simImportJobs.id, simImportBlocks.jobId)),
          ),
        ),
      );
  }

  async job(id: string, tx: Db = this.database.db): Promise<SimImportJobRow | undefined> {
    const [row] = await tx.select().from(simImportJobs).where(eq(simImportJobs.id, id)).limit(1);
    return row;
  }

  /** A job's counters and errors, without the (large) encrypted source: read once per committed chunk. */
  async jobProgress(
    id: string,
    tx: Db,
  ): Promise<
    Pick<SimImportJobRow, 'imported' | 'duplicates' | 'conflicts' | 'invalid' | 'errors'> | undefined
  > {
    const [row] = await tx
      .select({
        imported: simImportJobs.imported,
        duplicates: simImportJobs.duplicates,
        conflicts: simImportJobs.conflicts,
        invalid: simImportJobs.invalid,
        errors: simImportJobs.errors,
      })
      .from(simImportJobs)
      .where(eq(simImportJobs.id, id))
      .limit(1);
    return row;
  }

  async updateJob(tx: Db, id: string, values: Partial<typeof simImportJobs.$inferInsert>): Promise<void> {
    await tx.update(simImportJobs).set(values).where(eq(simImportJobs.id, id));
  }

  listJobs(limit: number): Promise<SimImportJobRow[]> {
    return this.database.db.select().from(simImportJobs).orderBy(desc(simImportJobs.createdAt)).limit(limit);
  }

  /** Keyset pagination by IMSI; search matches IMSI, ICCID or MSISDN prefixes. */
  listSims(
    q: SimListQuery,
  ): Promise<Pick<SimCardRow, 'imsi' | 'iccid' | 'msisdn' | 'batch' | 'status' | 'createdAt'>[]> {
    const where: SQL[] = [];
    if (q.search) {
      const p = `${q.search.replace(/[%_\\]/g, '')}%`;
      where.push(or(ilike(simCards.imsi, p), ilike(simCards.iccid, p), ilike(simCards.msisdn, p))!);
    }
    if (q.status) where.push(eq(simCards.status, q.status));
    if (q.batch) where.push(eq(simCards.batch, q.batch));
    if (q.after) where.push(sql`${simCards.imsi} > ${q.after}`);
    return this.database.db
      .select({
        imsi: simCards.imsi,
        iccid: simCards.iccid,
        msisdn: simCards.msisdn,
        batch: simCards.batch,
        status: simCards.status,
        createdAt: simCards.createdAt,
      })
      .from(simCards)
      .where(where.length ? and(...where) : undefined)
      .orderBy(simCards.imsi)
      .limit(q.limit);
  }

  async counts(): Promise<Record<SimCardRow['status'], number>> {
    const rows = await this.database.db
      .select({ status: simCards.status, n: sql<number>`count(*)::int` })
      .from(simCards)
      .groupBy(simCards.status);
    return { available: 0, assigned: 0, retired: 0, ...Object.fromEntries(rows.map((r) => [r.status, r.n])) };
  }

  /** Claims the next SQN SEQ for a SIM atomically (vector generation on several nodes never reuses one). */
  /**
   * The AKA vector hot path in one statement: claims the next SEQ of a SIM whose subscriber is active and
   * returns the row with its sealed secrets; nothing for an unknown, unassigned or barred SIM.
   */
  async claimSqnSeqIfActive(imsi: string): Promise<SimCardRow | undefined> {
    this.claim ??= this.prepareClaim();
    return (await this.claim.execute({ imsi }))[0];
  }

  private claim: ReturnType<typeof this.prepareClaim> | undefined;

  private prepareClaim() {
    const imsi = sql.placeholder('imsi');
    return this.database.db
      .update(simCards)
      .set({ sqnSeq: sql`${simCards.sqnSeq} + 1` })
      .where(
        and(
          eq(simCards.imsi, imsi),
          sql`exists (select 1 from ${subscribers} where ${subscribers.imsi} = ${imsi} and ${subscribers.status} = 'active')`,
        ),
      )
      .returning()
      .prepare('core_network_claim_sqn_seq');
  }

  async setSqnSeq(imsi: string, seq: number): Promise<void> {
    await this.database.db.update(simCards).set({ sqnSeq: seq }).where(eq(simCards.imsi, imsi));
  }

  async secretsRows(imsis: readonly string[]): Promise<SimCardRow[]> {
    return imsis.length
      ? this.database.db
          .select()
          .from(simCards)
          .where(inArray(simCards.imsi, [...imsis]))
      : [];
  }

  async setStatus(tx: Db, imsi: string, status: SimCardRow['status']): Promise<boolean> {
    const rows = await tx
      .update(simCards)
      .set({ status, updatedAt: new Date() })
      .where(eq(simCards.imsi, imsi))
      .returning({ imsi: simCards.imsi });
    return rows.length > 0;
  }
}
