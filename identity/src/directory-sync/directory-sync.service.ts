import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  AppError,
  AuditService,
  LOGGER,
  requireNational,
  requireRole,
  type Actor,
  type Logger,
} from '@pakawaaz/platform';
import type { SecretBox } from '../crypto/secret-box.js';
import { identityError } from '../identity.errors.js';
import { SECRET_BOX } from '../mfa/secret-box.provider.js';
import { DIRECTORY_SYNC_SOURCE } from '../onboarding/onboarding.schema.js';
import {
  isSyncRunConflict,
  UserImportsRepository,
  type UserImportJobRow,
} from '../onboarding/user-imports.repository.js';
import type { Ctx } from '../users/access.js';
import type { AttributeMapping } from './ldap-mapping.js';
import { DirectorySyncRepository, type DirectorySyncRow } from './directory-sync.repository.js';
import { DIRECTORY_SYNC_ACTOR } from './directory-sync-run.js';
import { DirectorySyncJobs, syncJobFilename } from './directory-sync-jobs.js';
import { CaBundleError, parseCaBundle } from './ldap-tls.js';

export type DirectorySyncInput = {
  name: string;
  url: string;
  startTls: boolean;
  allowPlaintext: boolean;
  caCertificates?: string | null | undefined;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  filter: string;
  mapping: AttributeMapping;
  institution?: string | null | undefined;
  intervalMinutes?: number | null | undefined;
};
export type DirectorySyncView = Omit<DirectorySyncRow, 'bindPasswordSealed'>;

const SYSTEM = DIRECTORY_SYNC_ACTOR;
const TICK_MS = 60_000;

/**
 * Directory sync: officials from LDAP / Active Directory. Each run reads the directory (bind, paged search),
 * maps entries to officials (the same validation and plan as the CSV import), creates and updates them,
 * and disables — never deletes — those it manages that left the directory. A run is an import job
 * (user_import_jobs): the same progress, per-entry errors, dry run and one-time enrolment codes, run under
 * a lease by one process at a time (DirectorySyncJobs). A run is idempotent: one cut off is finished by another
 * process (or by the next run).
 */
@Injectable()
export class DirectorySyncService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly repo: DirectorySyncRepository,
    private readonly jobs: UserImportsRepository,
    private readonly syncJobs: DirectorySyncJobs,
    private readonly audit: AuditService,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () =>
        void this.runDue().catch((err: unknown) =>
          this.logger.error({ err }, 'directory sync schedule failed'),
        ),
      TICK_MS,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer); // DirectorySyncJobs gives the runs under way back
  }

  async create(input: DirectorySyncInput, ctx: Ctx): Promise<DirectorySyncView> {
    this.authorize(ctx);
    if (await this.repo.find(input.name))
      throw identityError('directory_sync_invalid', `A directory sync named "${input.name}" exists.`);
    if (input.caCertificates) {
      try {
        parseCaBundle(input.caCertificates);
      } catch (err) {
        if (!(err instanceof CaBundleError)) throw err;
        throw identityError('directory_sync_invalid', `caCertificates: ${err.message}.`);
      }
    }
    const row = await this.repo.db.transaction(async (tx) => {
      const { bindPassword, ...rest } = input;
      const inserted = await this.repo.insert(
        {
          ...rest,
          id: randomUUID(),
          institution: input.institution ?? null,
          caCertificates: input.caCertificates ?? null,
          intervalMinutes: input.intervalMinutes ?? null,
          bindPasswordSealed: await this.box.seal(
            'directory-bind-password',
            Buffer.from(bindPassword, 'utf8'),
          ),
        },
        tx,
      );
      await this.audit.record(
        {
          actor: ctx.principal.actor,
          action: 'identity.directory-sync.created',
          target: `directory-sync:${inserted.name}`,
          details: {
            url: input.url,
            transport: input.url.startsWith('ldaps:') ? 'ldaps' : input.startTls ? 'starttls' : 'plaintext',
            caCertificates: input.caCertificates ? parseCaBundle(input.caCertificates).length : 0,
            baseDn: input.baseDn,
            filter: input.filter,
            intervalMinutes: input.intervalMinutes ?? null,
          },
          requestId: ctx.requestId,
        },
        tx,
      );
      return inserted;
    });
    return view(row);
  }

  async list(ctx: Ctx): Promise<DirectorySyncView[]> {
    this.authorize(ctx);
    return (await this.repo.list()).map(view);
  }

  /** Starts a run (or a dry run) now; it goes on in the background as an import job. */
  async run(idOrName: string, dryRun: boolean, ctx: Ctx): Promise<UserImportJobRow> {
    this.authorize(ctx);
    const sync = await this.repo.find(idOrName);
    if (!sync) throw identityError('directory_sync_not_found', 'No directory sync with this id or name.');
    return this.start(sync, dryRun, ctx.principal.actor, ctx.principal.name);
  }

  /** Resolves when the job has stopped running in this process (tests). */
  async settled(jobId: string): Promise<void> {
    await this.syncJobs.settled(jobId);
  }

  private authorize(ctx: Ctx): void {
    requireNational(ctx.principal);
    requireRole(ctx.principal, 'security-officer');
  }

  /** A due sync whose run is still unfinished waits for it (claimDue passes it over; a race loses here). */
  private async runDue(): Promise<void> {
    for (const sync of await this.repo.claimDue(new Date()))
      await this.start(sync, false, SYSTEM, 'directory-sync').catch((err: unknown) => {
        if (!isSyncRunning(err)) throw err;
        this.logger.info({ sync: sync.name }, 'directory sync due while its last run is unfinished');
      });
  }

  private async start(
    sync: DirectorySyncRow,
    dryRun: boolean,
    actor: Actor,
    actorName: string,
  ): Promise<UserImportJobRow> {
    const id = randomUUID();
    await this.jobs.db
      .transaction(async (tx) => {
        const unfinished = await this.jobs.unfinishedJobOf(tx, syncJobFilename(sync.name));
        if (unfinished) throw syncRunning(sync, unfinished);
        await this.jobs.insertJob(tx, {
          id,
          filename: syncJobFilename(sync.name),
          dryRun,
          status: 'queued',
          sourceSha256: '',
          sourceHeader: DIRECTORY_SYNC_SOURCE,
          createdBy: `${actor.type}:${actor.id}`,
          createdByName: actorName,
          scopeIds: null,
        });
        // A dry run is a preview: it neither moves the schedule nor becomes the sync's last run.
        if (!dryRun) await this.repo.update(sync.id, { lastRunAt: new Date(), lastJobId: id }, tx);
        await this.audit.record(
          {
            actor,
            action: 'identity.directory-sync.started',
            target: `directory-sync:${sync.name}`,
            details: { job: id, dryRun },
          },
          tx,
        );
      })
      .catch((err: unknown) => {
        // Another node's start between the look and the insert: the one-run-a-sync index refused this one.
        throw isSyncRunConflict(err) ? syncRunning(sync) : err;
      });
    this.syncJobs.launch(id);
    return (await this.jobs.job(id))!;
  }
}

/** A sync runs once at a time: a second run is refused (the caller polls the one under way, or waits). */
function syncRunning(sync: DirectorySyncRow, job?: string): Error {
  const which = job ? ` (import job ${job})` : '';
  return identityError(
    'directory_sync_running',
    `The directory sync "${sync.name}" has a run under way${which}: wait for it to end.`,
  );
}

const isSyncRunning = (err: unknown) => err instanceof AppError && err.code === 'directory_sync_running';

function view(row: DirectorySyncRow): DirectorySyncView {
  const { bindPasswordSealed: _sealed, ...rest } = row;
  return rest;
}
