import { randomUUID } from 'node:crypto';
import type { DatabaseHandle, Db } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import { WorkerCrashedError } from '../workers/worker-pool.js';
import { JobLeaseLostError } from './job-lease.js';
import type { LeasedJobs } from './leased-jobs.js';

/** Blocks parsed ahead of the commits: bounds memory, and makes the reader wait when the database lags. */
export const BLOCKS_IN_FLIGHT = 3;

/**
 * The domain parts of a bulk import's run over its stored blocks (an upload stored in blocks of whole lines,
 * numbered by `seq`): how the next block is read, parsed (off the event loop) and committed, chunk by chunk.
 */
export type BlockImportSteps<B extends { readonly seq: number }, R, C> = {
  /** The first stored block after `afterSeq` (-1: the first of all) still to commit; undefined after the last. */
  readonly next: (afterSeq: number) => Promise<B | undefined>;
  /** Parses one block (a worker pool's task); the result waits for its block's turn to commit. */
  readonly parse: (block: B) => Promise<R>;
  /** The chunks a parsed block commits in, in order (each all-or-nothing with the job's progress). */
  readonly chunks: (parsed: R) => Iterable<C> | Promise<Iterable<C>>;
  /** Commits one chunk: called one at a time, in the blocks' and chunks' order. */
  readonly commit: (chunk: C) => Promise<void>;
};

/**
 * Runs an import's blocks: up to `inFlight` blocks are parsed ahead (in parallel, on a worker pool) while the
 * earlier ones commit, in order, chunk by chunk, each chunk after a background turn (requests go first). The
 * blocks are read one at a time, so neither the file nor more than `inFlight` parsed blocks are ever in
 * memory, and a lagging database makes the reading wait. A parse that failed throws when its block's turn to
 * commit comes (the failures of blocks parsed ahead are marked handled meanwhile). Once `halt` aborts, nothing
 * more is read or committed (blocks parsed ahead are dropped): the result says whether every block was
 * committed ('done') or the run halted ('halted': hand the job back).
 */
export async function commitBlocksInOrder<B extends { readonly seq: number }, R, C>(
  database: Pick<DatabaseHandle, 'backgroundTurn'>,
  halt: AbortSignal,
  steps: BlockImportSteps<B, R, C>,
  inFlight = BLOCKS_IN_FLIGHT,
): Promise<'done' | 'halted'> {
  const ahead: Promise<R>[] = [];
  const commitNext = async () => {
    const parsed = await ahead.shift()!;
    if (halt.aborted) return;
    for (const chunk of await steps.chunks(parsed)) {
      if (halt.aborted) return;
      await database.backgroundTurn();
      await steps.commit(chunk);
    }
  };
  for (let seq = -1; !halt.aborted;) {
    const block = await steps.next(seq);
    if (!block || halt.aborted) break; // a block read while the run halted is not parsed
    seq = block.seq;
    const parsed = steps.parse(block);
    parsed.catch(() => undefined); // awaited in commitNext, in order; this only marks it handled meanwhile
    ahead.push(parsed);
    if (ahead.length >= inFlight) await commitNext();
  }
  while (ahead.length > 0 && !halt.aborted) await commitNext();
  return halt.aborted ? 'halted' : 'done';
}

/** The domain parts of what follows a bulk import's run that stopped on an error. */
export type BlockImportFailure<J extends { readonly attempts: number }> = {
  /** The job as the logs name it ('SIM import'). */
  readonly what: string;
  /** The job as stored now (undefined when gone). */
  readonly job: () => Promise<J | undefined>;
  /**
   * The failure the job shows (its viewers read it: a fixed text with the error id, never the error's own, as
   * a database error can carry query parameters). `crashed`: a worker thread died, and the job fails for good.
   */
  readonly failure: (job: J, errorId: string, crashed: WorkerCrashedError | undefined) => string;
  /** Fails the job for good (a worker thread died: the same block would kill the next one too). */
  readonly fail: (job: J, failure: string) => Promise<void>;
  /** Writes the job's attempts and failure, in the transaction that gives it back. */
  readonly update: (tx: Db, values: { attempts: number; failure: string }) => Promise<void>;
};

/**
 * A bulk import's run that stopped on an error (`err`). A run that lost its lease writes nothing (the job is
 * another process's now). Else the error is logged with a new error id, and the job fails at once when a
 * worker thread died (WorkerCrashedError); any other error gives it back, queued, its attempt counted, to be
 * claimed again (the service fails it after a bounded number of attempts). Never throws.
 */
export async function blockImportInterrupted<J extends { readonly attempts: number }>(
  jobs: Pick<LeasedJobs, 'giveBack'>,
  logger: Logger,
  id: string,
  err: unknown,
  on: BlockImportFailure<J>,
): Promise<void> {
  if (err instanceof JobLeaseLostError)
    return logger.warn({ jobId: id }, `${on.what} job lost its lease; another process runs it`);
  const errorId = randomUUID();
  logger.error({ err, jobId: id, errorId }, `${on.what} job stopped`);
  const job = await on.job().catch(() => undefined);
  if (!job) return;
  const crashed = err instanceof WorkerCrashedError ? err : undefined;
  const failure = on.failure(job, errorId, crashed);
  if (crashed) await on.fail(job, failure).catch(() => undefined);
  else
    await jobs
      .giveBack(id, (tx) => on.update(tx, { attempts: job.attempts + 1, failure }))
      .catch(() => undefined);
}
