import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  AuditService,
  blockImportInterrupted,
  commitBlocksInOrder,
  DATABASE,
  JOB_LEASE_OPTIONS,
  LeasedJobs,
  LOGGER,
  DataKeyService,
  WorkerPool,
  type DatabaseHandle,
  type JobLeaseOptions,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import { CORE_NETWORK_CONFIG, type CoreNetworkConfig } from '../core-network.config.js';
import { sealImportBlock, simSecretsFingerprint } from '../crypto/sim-keys.js';
import { coreNetworkError } from '../core-network.errors.js';
import type { SimCsvBlock, SimImportLimits } from './sim-csv-reader.js';
import { readUpload, uploadError } from './sim-import-upload.js';
import { commitChunk, IMPORT_CHUNK_ROWS, splitIntoChunks, type SealedSimRow } from './sim-import-chunks.js';
import type { SimBlockResult, SimBlockTask } from './sim-import.worker.js';
import {
  SimInventoryRepository,
  type SimImportBlockRow,
  type SimImportJobRow,
} from './sim-inventory.repository.js';
import type { RowProblem } from './sim-csv.js';
import { simImportJobs } from './sims.schema.js';

/** A line longer than this is not a SIM row (a row is ~150 bytes); it stops a file without line breaks early. */
export const SIM_IMPORT_MAX_LINE_BYTES = 1_024;
/** Failed runs of one job (a runner that died counts) before it is failed for good instead of resumed. */
export const SIM_IMPORT_MAX_ATTEMPTS = 3;
/** An upload's blocks without a job after this long were cut off by a crash. */
const ABANDONED_UPLOAD_MS = 60 * 60 * 1000;

/**
 * Bulk SIM import jobs. The upload is read as a stream, limits checked as it arrives, and stored encrypted in
 * blocks of whole lines; a job then runs in the background: a worker-thread pool parses, validates and seals
 * each block, and chunks commit all-or-nothing together with the job's progress, so an interrupted job resumes
 * where it stopped. The event loop only moves bytes and runs SQL. A job runs in one process at a time across
 * the nodes: its lease (LeasedJobs) fences every write, and a job whose runner died is taken over.
 */
@Injectable()
export class SimImportService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly jobs: LeasedJobs;
  private pool: WorkerPool<SimBlockTask, SimBlockResult> | undefined;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(CORE_NETWORK_CONFIG) private readonly config: CoreNetworkConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly repo: SimInventoryRepository,
    private readonly keys: DataKeyService,
    private readonly audit: AuditService,
    @Optional() @Inject(JOB_LEASE_OPTIONS) lease?: JobLeaseOptions,
  ) {
    const run = (id: string, lost: AbortSignal, halt: AbortSignal) =>
      this.process(id, lost, halt).catch((err: unknown) => this.interrupted(id, err));
    this.jobs = new LeasedJobs(database, simImportJobs, lease, logger, run);
  }

  /**
   * Queued jobs, and those whose runner died (its lease lapsed), resume at start-up and are looked for every
   * lease period after (a bounded number of times); a job another process runs is left to it.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.repo.deleteAbandonedBlocks(new Date(Date.now() - ABANDONED_UPLOAD_MS));
    await this.jobs.watch();
  }

  async onModuleDestroy(): Promise<void> {
    await this.jobs.stop();
    await this.pool?.close();
    this.pool = undefined;
  }

  get limits(): SimImportLimits {
    return {
      maxBytes: this.config.simImportMaxBytes,
      maxRows: this.config.simImportMaxRows,
      maxLineBytes: SIM_IMPORT_MAX_LINE_BYTES,
    };
  }

  /**
   * Reads an upload into a new job and starts it. Fails fast, before the job exists, when a limit is crossed
   * (413 for size and rows, 400 for a line) or the header is not a SIM batch's (400).
   */
  async start(
    upload: Readable,
    declaredBytes: number | undefined,
    filename: string,
    by: Principal,
    requestId: string | null,
  ): Promise<SimImportJobRow> {
    if (declaredBytes !== undefined && declaredBytes > this.config.simImportMaxBytes)
      throw coreNetworkError(
        'sim_import_too_large',
        `The file is larger than ${this.config.simImportMaxBytes} bytes (SIM_IMPORT_MAX_BYTES): split it into several imports.`,
      );
    if (!(await this.repo.currentPlmn()))
      throw coreNetworkError(
        'network_spec_missing',
        'Apply a network spec first (pakawaaz network apply): IMSIs are checked against its PLMN.',
      );
    const id = randomUUID();
    // In a transaction: the shared rotation lock must be held until the wrapped key is stored.
    const dek = await this.database.db.transaction((tx) => this.keys.create('sim-import', tx));
    const store = async (b: SimCsvBlock) =>
      this.repo.insertBlock({
        jobId: id,
        seq: b.seq,
        firstLine: b.firstLine,
        lastLine: b.lastLine,
        dataEnc: sealImportBlock(dek, id, b.seq, b.bytes),
      });
    const read = await readUpload(upload, this.limits, store).catch(async (err: unknown) => {
      await this.repo.deleteBlocks(id).catch(() => undefined);
      throw uploadError(err);
    });
    await this.database.db.transaction(async (tx) => {
      await this.repo.insertJob(tx, {
        id,
        filename,
        status: 'queued',
        sourceSha256: read.sha256,
        sourceHeader: read.header,
        totalRows: read.rows,
        dataKeyId: dek.id,
        createdBy: `${by.actor.type}:${by.actor.id}`,
      });
      await this.audit.record(
        {
          actor: by.actor,
          action: 'core-network.sim-import.started',
          target: `sim-import:${id}`,
          details: { filename, sha256: read.sha256, bytes: read.bytes, rows: read.rows },
          requestId,
        },
        tx,
      );
    });
    this.jobs.launch(id);
    return (await this.repo.job(id))!;
  }

  job(id: string): Promise<SimImportJobRow | undefined> {
    return this.repo.job(id);
  }

  /** Resolves when the job has stopped running in this process (tests, CLI in-process). */
  async settled(id: string): Promise<void> {
    await this.jobs.settled(id);
  }

  /** Runs a job this process claimed (its attempts already count a run whose runner died). */
  private async process(id: string, lost: AbortSignal, halt: AbortSignal): Promise<void> {
    const job = (await this.repo.job(id))!;
    if (!job.sourceHeader)
      return this.finish(
        job,
        'failed',
        'uploaded by an earlier version whose stored form is no longer read: upload the file again (SIMs already imported count as duplicates)',
      );
    const { attempts } = job;
    if (attempts >= SIM_IMPORT_MAX_ATTEMPTS)
      return this.finish(
        job,
        'failed',
        `stopped after ${attempts} failed attempts; the last: ${job.failure ?? 'the server stopped while it ran'}`,
      );
    const key = await this.keys.get(job.dataKeyId);
    const plmn = (await this.repo.currentPlmn()) ?? { mcc: '', mnc: '' };
    const task = (b: SimImportBlockRow): SimBlockTask => ({
      jobId: id,
      seq: b.seq,
      sealed: b.dataEnc,
      dataKeyId: job.dataKeyId,
      key,
      header: job.sourceHeader!,
      firstLine: b.firstLine,
      fromLine: job.committedLines + 1,
      plmn,
    });
    const pool = (this.pool ??= this.createPool());
    const run = await commitBlocksInOrder(this.database, halt, {
      next: (afterSeq) => this.repo.nextBlock(id, afterSeq, job.committedLines),
      parse: (block) => pool.run(task(block)),
      chunks: async ({ rows, problems }) =>
        splitIntoChunks(
          { rows: await this.fingerprinted(rows), problems },
          IMPORT_CHUNK_ROWS[this.database.mode],
        ),
      commit: (chunk) => this.commitChunk(job, chunk.rows, chunk.problems, chunk.lastLine),
    });
    if (run === 'halted') await this.jobs.handBack(id, lost);
    else await this.finish((await this.repo.job(id))!, 'completed', null);
  }

  /** The worker threads that parse and seal blocks (started with the first job; a seam for tests). */
  protected createPool(): WorkerPool<SimBlockTask, SimBlockResult> {
    return new WorkerPool(import.meta.url, 'sim-import.worker', {
      name: 'sim-import',
      priority: 'background',
    });
  }

  /**
   * The keyed fingerprint of each row's K‖OPc, for duplicate detection. Its key is the KEK set's MAC key, which
   * never leaves the key backend (an HSM, possibly): one HMAC a row here, and the clear K and OPc are dropped.
   */
  private async fingerprinted(rows: SimBlockResult['rows']): Promise<SealedSimRow[]> {
    const out: SealedSimRow[] = [];
    for (const { k, opc, ...row } of rows)
      out.push({
        ...row,
        secretsMac: await simSecretsFingerprint(this.keys, Buffer.from(k), Buffer.from(opc)),
      });
    return out;
  }

  /** One chunk, all-or-nothing with the job's progress (a seam for the resume test). */
  protected async commitChunk(
    job: SimImportJobRow,
    rows: SealedSimRow[],
    problems: RowProblem[],
    lastLine: number,
  ): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      await this.jobs.hold(tx, job.id);
      await commitChunk(tx, this.repo, job, rows, problems, lastLine);
    });
  }

  /** A run that stopped on an error: a dead worker thread fails it, saying what was committed and what to do. */
  private interrupted(id: string, err: unknown): Promise<void> {
    return blockImportInterrupted(this.jobs, this.logger, id, err, {
      what: 'SIM import',
      job: () => this.repo.job(id),
      failure: (job, errorId, crashed) => {
        const done = job.imported + job.duplicates + job.conflicts + job.invalid;
        return crashed
          ? `${crashed.message} (error id ${errorId}) after ${done} of ${job.totalRows} rows; upload the file again to import the rest (SIMs already imported count as duplicates)`
          : `interrupted (error id ${errorId}) after ${done} of ${job.totalRows} rows; it resumes shortly (attempt ${job.attempts + 1} of ${SIM_IMPORT_MAX_ATTEMPTS})`;
      },
      fail: (job, failure) => this.finish(job, 'failed', failure),
      update: (tx, values) => this.repo.updateJob(tx, id, values),
    });
  }

  /** The encrypted source is dropped once the job is finished: nothing resumes from it any more. */
  private async finish(
    job: SimImportJobRow,
    status: 'completed' | 'failed',
    failure: string | null,
  ): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      await this.jobs.hold(tx, job.id);
      const finished = { status, failure, sourceEnc: null, finishedAt: new Date() };
      await this.repo.updateJob(tx, job.id, { ...finished, leaseUntil: null });
      await this.repo.deleteBlocks(job.id, tx);
      const details = {
        imported: job.imported,
        duplicates: job.duplicates,
        conflicts: job.conflicts,
        invalid: job.invalid,
        failure,
      };
      await this.audit.record(
        {
          actor: { type: 'system', id: 'sim-import' },
          action: `core-network.sim-import.${status}`,
          target: `sim-import:${job.id}`,
          details,
        },
        tx,
      );
    });
  }
}
