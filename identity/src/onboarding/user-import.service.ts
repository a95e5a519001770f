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
  readCsvUpload,
  requireRole,
  scopeIds,
  WorkerPool,
  type CsvBlock,
  type DatabaseHandle,
  type JobLeaseOptions,
  type Logger,
} from '@pakawaaz/platform';
import { SIM_OWNERSHIP, type SimOwnership } from '@pakawaaz/core-network';
import type { SecretBox } from '../crypto/secret-box.js';
import { InstitutionsRepository } from '../directory/institutions.repository.js';
import { identityError } from '../identity.errors.js';
import { SECRET_BOX } from '../mfa/secret-box.provider.js';
import type { Ctx } from '../users/access.js';
import type { OfficialProblem } from './official-csv.js';
import { institutionLookup, type InstitutionLookup } from './onboarding-plan.js';
import { OnboardingChanges } from './onboarding-changes.js';
import {
  commitUserChunk,
  jobActor,
  planChunk,
  simOwners,
  USER_IMPORT_CHUNK_ROWS,
} from './user-import-chunks.js';
import { officialsReader, uploadError, USER_IMPORT_LIMITS } from './user-import-upload.js';
import type { CodedOfficialRow, UserBlockResult, UserBlockTask } from './user-import.worker.js';
import { assertCodesDownloadable, blockChunks, creatorOf } from './user-import-rules.js';
import { FILE_IMPORT_JOBS, UserImportsRepository, type UserImportJobRow } from './user-imports.repository.js';
import { userImportJobs } from './onboarding.schema.js';

export const USER_IMPORT_MAX_ATTEMPTS = 3;
const ABANDONED_UPLOAD_MS = 60 * 60 * 1000;

/**
 * Bulk onboarding of officials from CSV, run like the SIM import: the upload is read as a stream (limits
 * checked as it arrives) into stored blocks of whole lines; a background job has the platform's worker
 * threads parse and validate each block, plans each row against the directory (create, update, unchanged,
 * refused) and commits chunks all-or-nothing with its progress, so an interrupted job resumes where it
 * stopped; one process at a time runs it, across the nodes (LeasedJobs). Created officials get one-time
 * enrolment codes, never passwords (see codes()).
 */
@Injectable()
export class UserImportService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly jobs: LeasedJobs;
  private pool: WorkerPool<UserBlockTask, UserBlockResult> | undefined;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly repo: UserImportsRepository,
    private readonly institutions: InstitutionsRepository,
    private readonly audit: AuditService,
    private readonly changes: OnboardingChanges,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Optional() @Inject(SIM_OWNERSHIP) private readonly sims?: SimOwnership,
    @Optional() @Inject(JOB_LEASE_OPTIONS) lease?: JobLeaseOptions,
  ) {
    const run = (id: string, lost: AbortSignal, halt: AbortSignal) =>
      this.process(id, lost, halt).catch((err: unknown) => this.interrupted(id, err));
    const only = FILE_IMPORT_JOBS; // a directory sync's jobs share the table, run by DirectorySyncJobs
    this.jobs = new LeasedJobs(database, userImportJobs, { ...lease, only }, logger, run);
  }

  /** Queued jobs and those whose runner died resume at start-up, and are looked for every lease period after. */
  async onApplicationBootstrap(): Promise<void> {
    await this.repo.deleteAbandonedBlocks(new Date(Date.now() - ABANDONED_UPLOAD_MS));
    await this.repo.deleteExpired(new Date());
    await this.jobs.watch();
  }

  async onModuleDestroy(): Promise<void> {
    await this.jobs.stop();
    await this.pool?.close();
    this.pool = undefined;
  }

  /** Reads an upload into a new job and starts it; limits and the header fail fast, before the job exists. */
  async start(
    upload: Readable,
    opts: { declaredBytes: number | undefined; filename: string; dryRun: boolean },
    ctx: Ctx,
  ): Promise<UserImportJobRow> {
    requireRole(ctx.principal, 'security-officer');
    if (opts.declaredBytes !== undefined && opts.declaredBytes > USER_IMPORT_LIMITS.maxBytes)
      throw identityError(
        'user_import_too_large',
        `The file is larger than ${USER_IMPORT_LIMITS.maxBytes} bytes: split it.`,
      );
    const id = randomUUID();
    const reader = officialsReader();
    const store = (b: CsvBlock) =>
      this.repo.insertBlock({
        jobId: id,
        seq: b.seq,
        firstLine: b.firstLine,
        lastLine: b.lastLine,
        data: b.bytes,
      });
    const read = await readCsvUpload(upload, reader, store).catch(async (err: unknown) => {
      await this.repo.deleteBlocks(id).catch(() => undefined);
      throw uploadError(err);
    });
    const { actor } = ctx.principal;
    await this.database.db.transaction(async (tx) => {
      await this.repo.insertJob(tx, {
        id,
        filename: opts.filename,
        dryRun: opts.dryRun,
        status: 'queued',
        sourceSha256: read.sha256,
        sourceHeader: read.header,
        totalRows: read.rows,
        createdBy: creatorOf(ctx.principal),
        createdByName: ctx.principal.name,
        scopeIds: scopeIds(ctx.principal) === null ? null : [...scopeIds(ctx.principal)!],
      });
      await this.audit.record(
        {
          actor,
          action: 'identity.user-import.started',
          target: `user-import:${id}`,
          details: { filename: opts.filename, dryRun: opts.dryRun, sha256: read.sha256, rows: read.rows },
          requestId: ctx.requestId,
        },
        tx,
      );
    });
    this.jobs.launch(id);
    return (await this.repo.job(id))!;
  }

  /** A job its creator (or a national security officer) may see. */
  async job(id: string, ctx: Ctx): Promise<UserImportJobRow> {
    requireRole(ctx.principal, 'security-officer');
    const job = await this.repo.job(id);
    if (!job || (scopeIds(ctx.principal) !== null && job.createdBy !== creatorOf(ctx.principal)))
      throw identityError('user_import_not_found', 'No officials import with this id.');
    return job;
  }

  async list(ctx: Ctx): Promise<UserImportJobRow[]> {
    requireRole(ctx.principal, 'security-officer');
    return this.repo.listJobs(50, scopeIds(ctx.principal) === null ? undefined : creatorOf(ctx.principal));
  }

  /**
   * The enrolment codes of a finished job as CSV (username,enrolment_code,expires_at,imsi), once, to the one
   * who started it: they are deleted as they are handed out, and the download is audited.
   */
  async codes(id: string, ctx: Ctx): Promise<string> {
    const job = await this.job(id, ctx);
    assertCodesDownloadable(job, ctx.principal);
    const parts = await this.database.db.transaction(async (tx) => {
      const sealed = await this.repo.takeCodes(tx, job.id);
      await this.repo.updateJob(tx, job.id, { codesDownloadedAt: new Date() });
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'identity.user-import.codes-downloaded',
          target: `user-import:${job.id}`,
          details: { chunks: sealed.length },
          requestId: ctx.requestId,
        },
        tx,
      );
      return Promise.all(sealed.map((s) => this.box.open('enrolment-codes', s)));
    });
    return 'username,enrolment_code,expires_at,imsi\n' + parts.map((p) => p.toString('utf8')).join('');
  }

  /** Resolves when the job has stopped running in this process (tests). */
  async settled(id: string): Promise<void> {
    await this.jobs.settled(id);
  }

  /** Runs a job this process claimed (its attempts already count a run whose runner died). */
  private async process(id: string, lost: AbortSignal, halt: AbortSignal): Promise<void> {
    const job = (await this.repo.job(id))!;
    const { attempts } = job;
    if (attempts >= USER_IMPORT_MAX_ATTEMPTS)
      return this.finish(
        job,
        'failed',
        `stopped after ${attempts} failed attempts; the last: ${job.failure ?? 'the server stopped while it ran'}`,
      );
    const lookup = institutionLookup(await this.institutions.all(), job.scopeIds);
    const pool = (this.pool ??= this.createPool());
    const seen = new Map<string, number>();
    const run = await commitBlocksInOrder(this.database, halt, {
      next: (afterSeq) => this.repo.nextBlock(id, afterSeq, job.committedLines),
      parse: ({ data, firstLine }) =>
        pool.run({ data, header: job.sourceHeader, firstLine, fromLine: job.committedLines + 1 }),
      chunks: (result) => blockChunks(result, USER_IMPORT_CHUNK_ROWS[this.database.mode]),
      commit: (c) => this.commitChunk(job, c.rows, c.problems, c.lastLine, lookup, seen),
    });
    if (run === 'halted') await this.jobs.handBack(id, lost);
    else await this.finish((await this.repo.job(id))!, 'completed', null);
  }

  protected createPool(): WorkerPool<UserBlockTask, UserBlockResult> {
    return new WorkerPool(import.meta.url, 'user-import.worker', {
      name: 'user-import',
      priority: 'background',
    });
  }

  /** Plans one chunk against the directory and commits it with the job's progress (a seam for tests). */
  protected async commitChunk(
    job: UserImportJobRow,
    rows: CodedOfficialRow[],
    problems: OfficialProblem[],
    lastLine: number,
    lookup: InstitutionLookup,
    seen: Map<string, number>,
  ): Promise<void> {
    const owners = await simOwners(this.sims, rows);
    const steps = await this.database.db.transaction(async (tx) => {
      await this.jobs.hold(tx, job.id);
      const known = await this.repo.usersByUsername(
        tx,
        rows.map((r) => r.username),
      );
      const planned = planChunk(rows, known, lookup, seen, owners);
      await commitUserChunk(
        tx,
        { repo: this.repo, audit: this.audit, box: this.box },
        job,
        planned,
        problems,
        lastLine,
      );
      return planned;
    });
    if (!job.dryRun) await this.changes.updated(steps);
  }

  private interrupted(id: string, err: unknown): Promise<void> {
    return blockImportInterrupted(this.jobs, this.logger, id, err, {
      what: 'officials import',
      job: () => this.repo.job(id),
      failure: (job, errorId, crashed) =>
        crashed
          ? `${crashed.message} (error id ${errorId}); upload the file again to import the rest (officials already created count as unchanged)`
          : `interrupted (error id ${errorId}) in attempt ${job.attempts + 1} of ${USER_IMPORT_MAX_ATTEMPTS}; it resumes shortly`,
      fail: (job, failure) => this.finish(job, 'failed', failure),
      update: (tx, values) => this.repo.updateJob(tx, id, values),
    });
  }

  private async finish(
    job: UserImportJobRow,
    status: 'completed' | 'failed',
    failure: string | null,
  ): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      await this.jobs.hold(tx, job.id);
      await this.repo.updateJob(tx, job.id, { status, failure, finishedAt: new Date(), leaseUntil: null });
      await this.repo.deleteBlocks(job.id, tx);
      const details = {
        dryRun: job.dryRun,
        created: job.created,
        updated: job.updated,
        unchanged: job.unchanged,
        invalid: job.invalid,
        failure,
      };
      await this.audit.record(
        {
          actor: jobActor(job),
          action: `identity.user-import.${status}`,
          target: `user-import:${job.id}`,
          details,
        },
        tx,
      );
    });
  }
}
