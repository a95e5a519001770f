import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  LOGGER,
  type Actor,
  type DatabaseHandle,
  type Logger,
} from '@pakawaaz/platform';
import { SIM_OWNERSHIP, type SimOwnership } from '@pakawaaz/core-network';
import type { SecretBox } from '../crypto/secret-box.js';
import { InstitutionsRepository } from '../directory/institutions.repository.js';
import { SECRET_BOX } from '../mfa/secret-box.provider.js';
import { enrolmentCodeHash, newEnrolmentCode } from '../onboarding/enrolment-code.js';
import { OnboardingChanges } from '../onboarding/onboarding-changes.js';
import { institutionLookup } from '../onboarding/onboarding-plan.js';
import type { CodedOfficialRow } from '../onboarding/user-import.worker.js';
import {
  commitUserChunk,
  planChunk,
  simOwners,
  USER_IMPORT_CHUNK_ROWS,
  type ImportStep,
} from '../onboarding/user-import-chunks.js';
import { UserImportsRepository, type UserImportJobRow } from '../onboarding/user-imports.repository.js';
import { USER_IMPORT_LIMITS } from '../onboarding/user-import-upload.js';
import { SessionsService } from '../sessions/sessions.service.js';
import {
  mapEntry,
  plannedDisables,
  refuseUnmanaged,
  requestedAttributes,
  syncScope,
  type AttributeMapping,
  type DirectoryEntry,
} from './ldap-mapping.js';
import { DirectoryReadError, readDirectory } from './ldap-source.js';
import { DirectorySyncRepository, type DirectorySyncRow } from './directory-sync.repository.js';

export const DIRECTORY_SYNC_ACTOR: Actor = { type: 'system', id: 'directory-sync' };
const SYSTEM = DIRECTORY_SYNC_ACTOR;

/**
 * One run of a directory sync (a job already created): read the directory, map and plan the entries in
 * chunks with the CSV import's pieces, commit each with the job's progress, then disable those gone.
 */
@Injectable()
export class DirectorySyncRunner {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly repo: DirectorySyncRepository,
    private readonly jobs: UserImportsRepository,
    private readonly institutions: InstitutionsRepository,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly changes: OnboardingChanges,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Optional() @Inject(SIM_OWNERSHIP) private readonly sims?: SimOwnership,
  ) {}

  async process(sync: DirectorySyncRow, job: UserImportJobRow): Promise<void> {
    const mapping = sync.mapping;
    const all = await this.institutions.all();
    const scope = syncScope(sync.institution, all);
    if (scope !== null && 'reason' in scope) throw new DirectoryReadError(scope.reason);
    // Read once: officials this run creates are linked as it goes, and a username comes once a run.
    const managed = new Set((await this.repo.linked(sync.id)).map((u) => u.userId));
    const entries = await readDirectory({
      url: sync.url,
      startTls: sync.startTls,
      caCertificates: sync.caCertificates ?? undefined,
      bindDn: sync.bindDn,
      bindPassword: (await this.box.open('directory-bind-password', sync.bindPasswordSealed)).toString(
        'utf8',
      ),
      baseDn: sync.baseDn,
      filter: sync.filter,
      attributes: requestedAttributes(mapping),
      maxEntries: USER_IMPORT_LIMITS.maxRows,
    });
    const sha = createHash('sha256')
      .update(entries.map((e) => e.dn).join('\n'))
      .digest('hex');
    await this.jobs.updateJob(this.jobs.db, job.id, { totalRows: entries.length, sourceSha256: sha });
    const lookup = institutionLookup(all, scope);
    const seen = new Map<string, number>();
    const present = new Set<string>();
    const size = USER_IMPORT_CHUNK_ROWS[this.database.mode];
    for (let i = 0; i < entries.length; i += size) {
      const { rows, problems, dns } = this.mapChunk(
        entries.slice(i, i + size),
        i,
        mapping,
        sync.institution,
        present,
      );
      const owners = await simOwners(this.sims, rows);
      const steps = await this.jobs.db.transaction(async (tx) => {
        const planned = withDn(
          refuseUnmanaged(
            planChunk(
              rows,
              await this.jobs.usersByUsername(
                tx,
                rows.map((r) => r.username),
              ),
              lookup,
              seen,
              owners,
            ),
            managed,
          ),
          dns,
        );
        await commitUserChunk(
          tx,
          { repo: this.jobs, audit: this.audit, box: this.box },
          job,
          planned,
          problems,
          i + size,
        );
        if (!job.dryRun)
          await this.repo.link(
            tx,
            sync.id,
            planned.flatMap((s) =>
              s.action === 'error' ? [] : [{ username: s.username, dn: dns.get(s.username)! }],
            ),
          );
        return planned;
      });
      if (!job.dryRun) await this.changes.updated(steps);
    }
    await this.disableGone(sync, job, present, entries.length);
    await this.finish(job.id, 'completed', null);
  }

  private mapChunk(
    entries: DirectoryEntry[],
    offset: number,
    mapping: AttributeMapping,
    institution: string | null,
    present: Set<string>,
  ) {
    const rows: CodedOfficialRow[] = [];
    const problems: { line: number; reason: string; username?: string }[] = [];
    const dns = new Map<string, string>();
    entries.forEach((entry, j) => {
      const line = offset + j + 1;
      const raw =
        entry.attributes[mapping.username] ??
        Object.entries(entry.attributes).find(
          ([k]) => k.toLowerCase() === mapping.username.toLowerCase(),
        )?.[1];
      if (raw) present.add(raw.trim().toLowerCase());
      const r = mapEntry(entry, mapping, institution);
      if ('reason' in r)
        problems.push({
          line,
          reason: `${entry.dn}: ${r.reason}`,
          ...(raw ? { username: raw.slice(0, 64) } : {}),
        });
      else {
        const code = newEnrolmentCode();
        rows.push({ ...r, line, code, codeHash: enrolmentCodeHash(code) });
        dns.set(r.username, entry.dn);
      }
    });
    return { rows, problems, dns };
  }

  private async disableGone(
    sync: DirectorySyncRow,
    job: UserImportJobRow,
    present: Set<string>,
    seen: number,
  ): Promise<void> {
    const gone = plannedDisables(await this.repo.linked(sync.id), present, seen);
    if (gone.length === 0) return;
    const reason = `left the directory (${sync.name})`;
    if (!job.dryRun)
      await this.jobs.db.transaction(async (tx) => {
        await this.repo.disable(
          tx,
          gone.map((g) => g.userId),
          reason,
        );
        for (const g of gone) await this.sessions.revokeAllOf(g.userId, 'user-disabled', SYSTEM, null, tx);
        await this.audit.record(
          {
            actor: SYSTEM,
            action: 'identity.directory-sync.disabled',
            target: `directory-sync:${sync.name}`,
            details: { job: job.id, usernames: gone.map((g) => g.username) },
          },
          tx,
        );
      });
    const current = (await this.jobs.job(job.id))!;
    await this.jobs.updateJob(this.jobs.db, job.id, { disabled: current.disabled + gone.length });
    if (!job.dryRun)
      await this.changes.disabled(
        gone.map((g) => g.userId),
        reason,
      );
  }

  async failed(jobId: string, err: unknown): Promise<void> {
    const errorId = randomUUID();
    this.logger.error({ err, jobId, errorId }, 'directory sync stopped');
    const message =
      err instanceof DirectoryReadError
        ? err.message
        : `the sync stopped (error id ${errorId}); the next run picks up where it is`;
    await this.finish(jobId, 'failed', message).catch(() => undefined);
  }

  private async finish(jobId: string, status: 'completed' | 'failed', failure: string | null): Promise<void> {
    await this.jobs.db.transaction(async (tx) => {
      await this.jobs.updateJob(tx, jobId, { status, failure, finishedAt: new Date() });
      const j = (await this.jobs.job(jobId, tx))!;
      const details = {
        dryRun: j.dryRun,
        created: j.created,
        updated: j.updated,
        unchanged: j.unchanged,
        invalid: j.invalid,
        disabled: j.disabled,
        failure,
      };
      await this.audit.record(
        {
          actor: SYSTEM,
          action: `identity.directory-sync.${status}`,
          target: `user-import:${jobId}`,
          details,
        },
        tx,
      );
    });
  }
}

/** A refused entry is named by its DN: that is where the directory's administrator finds it. */
function withDn(steps: ImportStep[], dns: ReadonlyMap<string, string>): ImportStep[] {
  return steps.map((s) =>
    s.action === 'error' ? { ...s, reason: `${dns.get(s.username) ?? s.username}: ${s.reason}` } : s,
  );
}
