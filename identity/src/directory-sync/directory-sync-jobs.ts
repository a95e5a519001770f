import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  DATABASE,
  JOB_LEASE_OPTIONS,
  JobLeaseLostError,
  LeasedJobs,
  LOGGER,
  type DatabaseHandle,
  type JobLeaseOptions,
  type Logger,
} from '@pakawaaz/platform';
import { userImportJobs } from '../onboarding/onboarding.schema.js';
import { USER_IMPORT_MAX_ATTEMPTS } from '../onboarding/user-import.service.js';
import { DIRECTORY_SYNC_JOBS, UserImportsRepository } from '../onboarding/user-imports.repository.js';
import { DirectorySyncRepository } from './directory-sync.repository.js';
import { DirectorySyncRunner, type SyncLease } from './directory-sync-run.js';

/** The `filename` of a sync's job: the sync it runs, by its name (unique, and never renamed). */
export const syncJobFilename = (syncName: string) => `directory:${syncName}`;

/**
 * The jobs of directory syncs, each run by one process at a time across the nodes, under the same lease as
 * the officials import's (LeasedJobs over the table they share; each runs only its own jobs). A job is queued,
 * then claimed — here at once, or by any process that looks — and its every write is fenced by the lease. A
 * job whose process died is taken over and finished by another (see DirectorySyncRunner.process for where it
 * resumes); one given back at shutdown by the next process that looks. A run that fails ends the job, failed.
 */
@Injectable()
export class DirectorySyncJobs implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly leased: LeasedJobs;
  /** Aborts when the server stops: the runs under way stop, a directory read under way at once. */

  constructor(
    @Inject(DATABASE) database: DatabaseHandle,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly syncs: DirectorySyncRepository,
    private readonly jobs: UserImportsRepository,
    private readonly runner: DirectorySyncRunner,
    @Optional() @Inject(JOB_LEASE_OPTIONS) lease?: JobLeaseOptions,
  ) {
    const only = DIRECTORY_SYNC_JOBS; // the officials import runs the table's other jobs
    this.leased = new LeasedJobs(database, userImportJobs, { ...lease, only }, logger, (id, lost, halt) =>
      this.run(id, lost, halt),
    );
  }

  /** Queued jobs and those whose runner died are claimed at start-up, and looked for every lease period. */
  async onApplicationBootstrap(): Promise<void> {
    await this.leased.watch();
  }

  async onModuleDestroy(): Promise<void> {
    await this.leased.stop();
  }

  /** Runs the queued job `id` here, unless another process claimed it first. */
  launch(id: string): void {
    this.leased.launch(id);
  }

  /** Resolves when the job has stopped running in this process (tests). */
  async settled(id: string): Promise<void> {
    await this.leased.settled(id);
  }

  private async run(id: string, lost: AbortSignal, halt: AbortSignal): Promise<void> {
    const lease: SyncLease = {
      hold: (tx) => this.leased.hold(tx, id),
      halted: () => halt.aborted,
      signal: halt,
    };
    try {
      if ((await this.process(id, lease)) === 'done') return;
      await this.leased.handBack(id, lost); // another process, or this one started again, resumes it
    } catch (err) {
      if (err instanceof JobLeaseLostError)
        return this.logger.warn({ jobId: id }, 'directory sync job lost its lease; another process runs it');
      await this.runner.failed(id, err, lease).catch(() => undefined);
    }
  }

  /** Runs a job this process claimed (its attempts count the runs cut off by a dead runner). */
  private async process(id: string, lease: SyncLease): Promise<'done' | 'halted'> {
    const job = (await this.jobs.job(id))!;
    if (job.attempts >= USER_IMPORT_MAX_ATTEMPTS) {
      const failure = `the server stopped while the sync ran, ${job.attempts} times: run it again`;
      await this.runner.fail(id, failure, lease);
      return 'done';
    }
    const sync = await this.syncs.find(job.filename.slice(syncJobFilename('').length));
    if (!sync) {
      await this.runner.fail(id, `the directory sync ${job.filename} no longer exists`, lease);
      return 'done';
    }
    return this.runner.process(sync, job, lease);
  }
}
