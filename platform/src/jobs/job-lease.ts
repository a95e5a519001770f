import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { timestamp, uuid, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/database.js';
import { rowsOf } from '../db/migrate.js';

/**
 * How long a job's lease lasts unrenewed. Its runner renews it with every committed chunk and on a timer, so
 * only a dead runner lets it lapse: its job is taken over one to two lease periods later.
 */
export const JOB_LEASE_MS = 60_000;

/** A long job's lease, for its table: which service instance runs it, and until when (the database's clock). */
export function jobLeaseColumns() {
  return {
    /** The service instance (a random id per process) that runs the job; null while none does. */
    runner: uuid('runner'),
    /** Until when `runner` holds the job, on the database's clock (one clock for every node). */
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
  };
}

/** The columns a leased job's table has (status 'queued' | 'running' | a finished one). */
export type LeasedJobColumns = {
  id: PgColumn;
  status: PgColumn;
  attempts: PgColumn;
  runner: PgColumn;
  leaseUntil: PgColumn;
};

/** The runner's lease was taken over (it lapsed and another node claimed the job): it must write nothing more. */
export class JobLeaseLostError extends Error {
  constructor(jobId: string) {
    super(`the lease on job ${jobId} was lost to another runner`);
  }
}

/**
 * The statements of a job lease, on the database's clock. A job is claimed in one atomic UPDATE: a queued one,
 * or a running one whose lease lapsed — its runner died, so that run counts as a failed attempt. Only the
 * holder renews it, and every write of the runner is fenced by it (see hold()).
 */
export class JobLease {
  /** `only`: which of the table's jobs this lease runs (another service may run the others its own way). */
  constructor(
    private readonly table: PgTable,
    private readonly c: LeasedJobColumns,
    readonly leaseMs: number,
    private readonly only: SQL = sql`true`,
  ) {}

  private get until(): SQL {
    return sql`now() + ${this.leaseMs}::integer * interval '1 millisecond'`;
  }

  /** `anyRunning`: a running job is claimable whatever its lease (its runner is known dead). */
  private claimable(anyRunning = false): SQL {
    const { status, leaseUntil } = this.c;
    const lapsed = anyRunning ? sql`true` : sql`(${leaseUntil} is null or ${leaseUntil} < now())`;
    return sql`(${status} = 'queued' or (${status} = 'running' and ${lapsed})) and ${this.only}`;
  }

  private col(column: PgColumn): SQLWrapper {
    return sql.identifier(column.name);
  }

  /**
   * Claims job `id` for `runner`; false when it is finished or another runner's lease on it is live (any lease,
   * with `anyRunning`: a single-process database at start, where no other runner can be alive).
   */
  async claim(db: Db, id: string, runner: string, anyRunning = false): Promise<boolean> {
    const { c } = this;
    const result = await db.execute(sql`update ${this.table} set
      ${this.col(c.runner)} = ${runner}, ${this.col(c.leaseUntil)} = ${this.until},
      ${this.col(c.status)} = 'running',
      ${this.col(c.attempts)} = ${c.attempts} + case when ${c.status} = 'running' then 1 else 0 end
      where ${c.id} = ${id} and ${this.claimable(anyRunning)} returning ${c.id}`);
    return rowsOf(result).length > 0;
  }

  /** Extends `runner`'s lease on job `id`; false when it holds it no more. */
  async renew(db: Db, id: string, runner: string): Promise<boolean> {
    const { c } = this;
    const result = await db.execute(sql`update ${this.table} set ${this.col(c.leaseUntil)} = ${this.until}
      where ${c.id} = ${id} and ${c.runner} = ${runner} and ${c.status} = 'running' returning ${c.id}`);
    return rowsOf(result).length > 0;
  }

  /** Gives job `id` back, queued and unleased, for any process to claim (after hold(), in its transaction). */
  async release(tx: Db, id: string): Promise<void> {
    const { c } = this;
    await tx.execute(sql`update ${this.table} set ${this.col(c.status)} = 'queued',
      ${this.col(c.runner)} = null, ${this.col(c.leaseUntil)} = null where ${c.id} = ${id}`);
  }

  /**
   * The fence of a runner's write, first in its transaction: renews the lease and locks the job's row until the
   * transaction ends (a claim by another node waits, then finds the lease live), or throws JobLeaseLostError —
   * the transaction rolls back, and nothing of a lost run lands.
   */
  async hold(tx: Db, id: string, runner: string): Promise<void> {
    if (!(await this.renew(tx, id, runner))) throw new JobLeaseLostError(id);
  }

  /** Unfinished jobs no live lease holds (or any unfinished one, with `anyRunning`), oldest first. */
  async claimableIds(db: Db, createdAt: PgColumn, anyRunning = false): Promise<string[]> {
    const result = await db.execute(
      sql`select ${this.c.id} as id from ${this.table} where ${this.claimable(anyRunning)} order by ${createdAt}`,
    );
    return rowsOf<{ id: string }>(result).map((r) => r.id);
  }
}
