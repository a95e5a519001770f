import { randomUUID } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { DatabaseHandle, Db } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import { JOB_LEASE_MS, JobLease, JobLeaseLostError, type LeasedJobColumns } from './job-lease.js';

/** Injection token of a service's lease settings (tests make the lease short). */
export const JOB_LEASE_OPTIONS = Symbol('JOB_LEASE_OPTIONS');
export type JobLeaseOptions = {
  readonly leaseMs: number;
  /**
   * Take over, at start, the jobs left running whatever their lease: their runner is known dead. By default
   * on the embedded database (PGlite), which serves one process only (its data folder is locked), so a job it
   * finds running was this process's before a crash and resumes at once, not a lease period later.
   */
  readonly takeOverAtStart?: boolean;
};

/** A leased job's table: the lease's columns, and when each job was created (the oldest is claimed first). */
export type LeasedJobTable = PgTable & LeasedJobColumns & { createdAt: PgColumn };

/**
 * Runs one claimed job; `lost` aborts when the lease was taken over, and the run must then stop; `halt`
 * aborts with it and when this instance stops (the server shuts down): the run stops between its writes and
 * hands the job back (handBack).
 */
export type LeasedJobRun = (id: string, lost: AbortSignal, halt: AbortSignal) => Promise<void>;

/**
 * The long jobs of one service instance, each run by exactly one process at a time across every node on the
 * database: a job runs here only once this instance (`runner`, a random id) claimed its lease. The lease is
 * renewed on a timer while the job runs (chunk commits renew it too, through hold()); watch() claims, now and
 * every lease period, the unfinished jobs no live lease holds — queued ones, and those whose runner died.
 */
export class LeasedJobs {
  readonly runner = randomUUID();
  private readonly running = new Map<string, Promise<void>>();
  private readonly lease: JobLease;
  private readonly createdAt: PgColumn;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | null = null;
  private readonly stopping = new AbortController();
  private readonly takeOverAtStart: boolean;

  constructor(
    private readonly database: DatabaseHandle,
    table: LeasedJobTable,
    options: (Partial<JobLeaseOptions> & { readonly only?: SQL }) | undefined,
    private readonly logger: Logger,
    private readonly run: LeasedJobRun,
  ) {
    this.lease = new JobLease(table, table, options?.leaseMs ?? JOB_LEASE_MS, options?.only);
    this.takeOverAtStart = options?.takeOverAtStart ?? database.mode === 'embedded';
    this.createdAt = table.createdAt;
  }

  /** Claims what is claimable now (with takeOverAtStart, every unfinished job), then every lease period. */
  async watch(): Promise<void> {
    this.sweeper ??= setInterval(() => {
      this.sweep().catch((err: unknown) => this.logger.warn({ err }, 'claiming leased jobs failed'));
    }, this.lease.leaseMs).unref();
    await this.sweep(this.takeOverAtStart);
  }

  /** Starts job `id` here if this instance can claim it (a no-op when it runs here already, or stopped). */
  launch(id: string, anyRunning = false): void {
    if (this.stopping.signal.aborted || this.running.has(id)) return;
    const run = this.claimAndRun(id, anyRunning)
      .catch((err: unknown) => this.logger.warn({ err, jobId: id }, 'claiming a job failed'))
      .finally(() => this.running.delete(id));
    this.running.set(id, run);
  }

  /** Renews the lease and locks the job for `tx`, or throws JobLeaseLostError: first in every write. */
  hold(tx: Db, id: string): Promise<void> {
    return this.lease.hold(tx, id, this.runner);
  }

  /**
   * Gives job `id` back, queued, for any process to claim — if this instance still holds it (else
   * JobLeaseLostError); `also` writes more in the same transaction (an attempt counted, the failure).
   */
  giveBack(id: string, also?: (tx: Db) => Promise<void>): Promise<void> {
    return this.database.db.transaction(async (tx) => {
      await this.lease.hold(tx, id, this.runner);
      await also?.(tx);
      await this.lease.release(tx, id);
    });
  }

  /**
   * After a run that halted before its end: JobLeaseLostError when its lease was lost (it writes nothing more;
   * another process runs the job), else the job is given back, queued, for the next process (this one stops).
   */
  async handBack(id: string, lost: AbortSignal): Promise<void> {
    if (lost.aborted) throw new JobLeaseLostError(id);
    await this.giveBack(id);
  }

  /** Resolves when job `id` has stopped running in this instance. */
  async settled(id: string): Promise<void> {
    await this.running.get(id);
  }

  /** No more claims (a sweep under way finishes first); resolves when the jobs running here have stopped. */
  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.sweeping?.catch(() => undefined);
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private sweep(anyRunning = false): Promise<void> {
    this.sweeping ??= this.lease
      .claimableIds(this.database.db, this.createdAt, anyRunning)
      .then((ids) => ids.forEach((id) => this.launch(id, anyRunning)))
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async claimAndRun(id: string, anyRunning: boolean): Promise<void> {
    // Claimed as stop() began: it runs, and the service's own stop hands it back like any job under way.
    if (!(await this.lease.claim(this.database.db, id, this.runner, anyRunning))) return;
    const lost = new AbortController();
    const renew = async () => {
      if (!(await this.lease.renew(this.database.db, id, this.runner))) lost.abort();
    };
    const renewer = setInterval(() => {
      renew().catch((err: unknown) => this.logger.warn({ err, jobId: id }, 'renewing a job lease failed'));
    }, this.lease.leaseMs / 3).unref();
    try {
      await this.run(id, lost.signal, AbortSignal.any([lost.signal, this.stopping.signal]));
    } finally {
      clearInterval(renewer);
    }
  }
}
