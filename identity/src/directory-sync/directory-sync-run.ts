import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  LOGGER,
  type Actor,
  type DatabaseHandle,
  type Db,
  type Logger,
} from '@pakawaaz/platform';
import { SIM_OWNERSHIP, type SimOwnership } from '@pakawaaz/core-network';
import type { SecretBox } from '../crypto/secret-box.js';
import { InstitutionsRepository } from '../directory/institutions.repository.js';
import { SECRET_BOX } from '../mfa/secret-box.provider.js';
import { enrolmentCodeHash, newEnrolmentCode } from '../onboarding/enrolment-code.js';
import { OnboardingChanges } from '../onboarding/onboarding-changes.js';
import type { UserImportError } from '../onboarding/onboarding.schema.js';
import { institutionLookup, type InstitutionLookup } from '../onboarding/onboarding-plan.js';
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
import { DirectoryReadAborted, DirectoryReadError, readDirectory } from './ldap-source.js';
import { DIRECTORY_CHANGED, entriesDigest, inDnOrder, resumeAt } from './sync-resume.js';
import { DirectorySyncRepository, type DirectorySyncRow } from './directory-sync.repository.js';

export const DIRECTORY_SYNC_ACTOR: Actor = { type: 'system', id: 'directory-sync' };
const SYSTEM = DIRECTORY_SYNC_ACTOR;

/**
 * What a run writes under: its lease's fence (first in each of its transactions), and whether to stop —
 * `signal` aborts when it must (the server stopping, the lease lost), also ending a directory read under way.
 */
export type SyncLease = { hold(tx: Db): Promise<void>; halted(): boolean; signal: AbortSignal };
type MappedChunk = { rows: CodedOfficialRow[]; problems: UserImportError[]; dns: Map<string, string> };
type ChunkPlan = { lookup: InstitutionLookup; seen: Map<string, number>; managed: ReadonlySet<string> };

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

  /**
   * Runs the sync's job under `lease` (every write fenced by it); 'halted' when it stopped early (its lease
   * lost, or the server stopping). A run taken over resumes after the chunks committed before (see resumeAt),
   * or fails if the directory's entries changed meanwhile.
   */
  async process(sync: DirectorySyncRow, job: UserImportJobRow, lease: SyncLease): Promise<'done' | 'halted'> {
    const mapping = sync.mapping;
    const all = await this.institutions.all();
    const scope = syncScope(sync.institution, all);
    if (scope !== null && 'reason' in scope) throw new DirectoryReadError(scope.reason);
    // Read once: officials this run creates are linked as it goes, and a username comes once a run.
    const managed = new Set((await this.repo.linked(sync.id)).map((u) => u.userId));
    const entries = await this.read(sync, lease.signal);
    if (!entries) return 'halted'; // the server stops, or the lease was lost
    const sha = entriesDigest(entries);
    const from = resumeAt(job, entries.length, sha);
    if (from === 'changed') {
      await this.fail(job.id, DIRECTORY_CHANGED, lease);
      return 'done';
    }
    await this.database.db.transaction(async (tx) => {
      await lease.hold(tx);
      await this.jobs.updateJob(tx, job.id, { totalRows: entries.length, sourceSha256: sha });
    });
    const plan = { lookup: institutionLookup(all, scope), seen: new Map<string, number>(), managed };
    const present = new Set<string>();
    // The entries committed before count as seen and present (for repeated usernames and those gone).
    for (const row of this.mapChunk(entries.slice(0, from), 0, mapping, sync.institution, present).rows)
      if (!plan.seen.has(row.username)) plan.seen.set(row.username, row.line);
    const size = USER_IMPORT_CHUNK_ROWS[this.database.mode];
    for (let i = from; i < entries.length; i += size) {
      if (lease.halted()) return 'halted';
      const chunk = this.mapChunk(entries.slice(i, i + size), i, mapping, sync.institution, present);
      await this.commitChunk(sync, job, chunk, plan, i + size, lease);
    }
    if (lease.halted()) return 'halted';
    await this.complete(sync, job, present, entries.length, lease);
    return 'done';
  }

  /** The sync's directory entries in DN order (see inDnOrder); null when `signal` stopped the read. */
  private async read(sync: DirectorySyncRow, signal: AbortSignal): Promise<DirectoryEntry[] | null> {
    const bindPassword = await this.box.open('directory-bind-password', sync.bindPasswordSealed);
    const options = {
      url: sync.url,
      startTls: sync.startTls,
      caCertificates: sync.caCertificates ?? undefined,
      bindDn: sync.bindDn,
      bindPassword: bindPassword.toString('utf8'),
      baseDn: sync.baseDn,
      filter: sync.filter,
      attributes: requestedAttributes(sync.mapping),
      maxEntries: USER_IMPORT_LIMITS.maxRows,
    };
    try {
      return inDnOrder(await readDirectory(options, signal));
    } catch (err) {
      if (err instanceof DirectoryReadAborted) return null;
      throw err;
    }
  }

  /** Plans one chunk of entries against the directory and commits it with the job's progress (a test seam). */
  protected async commitChunk(
    sync: DirectorySyncRow,
    job: UserImportJobRow,
    { rows, problems, dns }: MappedChunk,
    plan: ChunkPlan,
    lastLine: number,
    lease: SyncLease,
  ): Promise<void> {
    const owners = await simOwners(this.sims, rows);
    const steps = await this.database.db.transaction(async (tx) => {
      await lease.hold(tx);
      const known = await this.jobs.usersByUsername(
        tx,
        rows.map((r) => r.username),
      );
      const planned = withDn(
        refuseUnmanaged(planChunk(rows, known, plan.lookup, plan.seen, owners), plan.managed),
        dns,
      );
      const deps = { repo: this.jobs, audit: this.audit, box: this.box };
      await commitUserChunk(tx, deps, job, planned, problems, lastLine);
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

  private mapChunk(
    entries: DirectoryEntry[],
    offset: number,
    mapping: AttributeMapping,
    institution: string | null,
    present: Set<string>,
  ): MappedChunk {
    const rows: CodedOfficialRow[] = [];
    const problems: UserImportError[] = [];
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

  /** Disables the managed officials gone from the directory and completes the job, in one transaction. */
  private async complete(
    sync: DirectorySyncRow,
    job: UserImportJobRow,
    present: Set<string>,
    seen: number,
    lease: SyncLease,
  ): Promise<void> {
    const gone = plannedDisables(await this.repo.linked(sync.id), present, seen);
    const reason = `left the directory (${sync.name})`;
    await this.database.db.transaction(async (tx) => {
      await lease.hold(tx);
      if (gone.length > 0 && !job.dryRun) {
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
      }
      await this.jobs.updateJob(tx, job.id, { disabled: gone.length });
      await this.finish(tx, job.id, 'completed', null);
    });
    if (gone.length > 0 && !job.dryRun)
      await this.changes.disabled(
        gone.map((g) => g.userId),
        reason,
      );
  }

  /** Fails the job for `err` (logged with an error id), if `lease` still holds it. */
  async failed(jobId: string, err: unknown, lease: SyncLease): Promise<void> {
    const errorId = randomUUID();
    this.logger.error({ err, jobId, errorId }, 'directory sync stopped');
    const message =
      err instanceof DirectoryReadError
        ? err.message
        : `the sync stopped (error id ${errorId}); the next run picks up where it is`;
    await this.fail(jobId, message, lease);
  }

  /** Ends the job as failed with `failure` (JobLeaseLostError when `lease` no longer holds it). */
  async fail(jobId: string, failure: string, lease: SyncLease): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      await lease.hold(tx);
      await this.finish(tx, jobId, 'failed', failure);
    });
  }

  private async finish(
    tx: Db,
    jobId: string,
    status: 'completed' | 'failed',
    failure: string | null,
  ): Promise<void> {
    await this.jobs.updateJob(tx, jobId, { status, failure, finishedAt: new Date(), leaseUntil: null });
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
  }
}

/** A refused entry is named by its DN: that is where the directory's administrator finds it. */
function withDn(steps: ImportStep[], dns: ReadonlyMap<string, string>): ImportStep[] {
  return steps.map((s) =>
    s.action === 'error' ? { ...s, reason: `${dns.get(s.username) ?? s.username}: ${s.reason}` } : s,
  );
}
