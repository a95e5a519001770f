import { randomUUID } from 'node:crypto';
import type { Actor, AuditService, Db } from '@pakawaaz/platform';
import type { SimOwnership } from '@pakawaaz/core-network';
import type { SecretBox } from '../crypto/secret-box.js';
import type { NewUser } from '../users/users.repository.js';
import { ENROLMENT_CODE_TTL_MS } from './enrolment-code.js';
import type { UserImportError } from './onboarding.schema.js';
import { planOfficial, type InstitutionLookup, type KnownUser, type PlannedStep } from './onboarding-plan.js';
import type { UserImportJobRow, UserImportsRepository } from './user-imports.repository.js';
import type { CodedOfficialRow } from './user-import.worker.js';

/** Rows per transaction: a crash loses at most one chunk of work, never half of one. */
export const USER_IMPORT_CHUNK_ROWS = { postgresql: 250, embedded: 50 } as const;
/** Per-row problems kept on a job (the counters are always complete). */
const MAX_STORED_ERRORS = 1_000;

/**
 * The stored password hash of an official who has not enrolled: no argon2 hash, so no password verifies
 * (verifyPassword treats it as an unknown account). The enrolment code sets the first real one.
 */
export const NO_PASSWORD_YET = '!enrolment-pending';

export type ImportStep = PlannedStep<CodedOfficialRow>;

/** Stores one planned chunk (unless a dry run) and the job's progress, in the caller's transaction. */
export async function commitUserChunk(
  tx: Db,
  deps: { repo: UserImportsRepository; audit: AuditService; box: SecretBox },
  job: UserImportJobRow,
  steps: ImportStep[],
  problems: UserImportError[],
  lastLine: number,
): Promise<void> {
  const count = (a: ImportStep['action']) => steps.filter((s) => s.action === a).length;
  const refused = steps.flatMap((s) =>
    s.action === 'error' ? [{ line: s.key.line, reason: s.reason, username: s.username }] : [],
  );
  if (!job.dryRun) await apply(tx, deps, job, steps);
  const current = (await deps.repo.job(job.id, tx))!;
  await deps.repo.updateJob(tx, job.id, {
    committedLines: lastLine,
    created: current.created + count('create'),
    updated: current.updated + count('update'),
    unchanged: current.unchanged + count('unchanged'),
    invalid: current.invalid + problems.length + refused.length,
    imsis: current.imsis + steps.filter((s) => s.action !== 'error' && s.imsi !== null).length,
    errors: [...current.errors, ...problems, ...refused]
      .sort((a, b) => a.line - b.line)
      .slice(0, MAX_STORED_ERRORS),
  });
}

async function apply(
  tx: Db,
  deps: { repo: UserImportsRepository; audit: AuditService; box: SecretBox },
  job: UserImportJobRow,
  steps: ImportStep[],
): Promise<void> {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + ENROLMENT_CODE_TTL_MS);
  const creates = steps.flatMap((s) => (s.action === 'create' ? [{ ...s, id: randomUUID() }] : []));
  const rows: NewUser[] = creates.map((s) => ({
    id: s.id,
    kind: 'official',
    username: s.username,
    ...s.profile,
    roles: [],
    passwordHash: NO_PASSWORD_YET,
    // The official enrols an authenticator at the first sign-in, after choosing a password with the code.
    totpEnrolmentRequired: true,
  }));
  await deps.repo.insertUsers(tx, rows);
  await deps.repo.insertEnrolments(
    tx,
    creates.map((s) => ({
      id: randomUUID(),
      userId: s.id,
      codeHash: s.key.codeHash,
      issuedBy: `user-import:${job.id}`,
      expiresAt,
    })),
  );
  const updates = steps.flatMap((s) => (s.action === 'update' ? [s] : []));
  for (const u of updates) await deps.repo.updateUser(tx, u.userId, u.changes);
  if (creates.length) {
    const lines = creates.map((s) =>
      csvLine([s.username, s.key.code, expiresAt.toISOString(), s.imsi ?? '']),
    );
    const sealed = await deps.box.seal('enrolment-codes', Buffer.from(lines.join(''), 'utf8'));
    await deps.repo.insertCodes(tx, { jobId: job.id, lastLine: steps.at(-1)!.key.line, sealed });
  }
  // One entry a chunk, naming every official it created or changed (10,000 entries would add nothing).
  if (creates.length + updates.length)
    await deps.audit.record(
      {
        actor: jobActor(job),
        action: 'identity.user-import.applied',
        target: `user-import:${job.id}`,
        details: {
          created: creates.map((s) => s.username),
          updated: updates.map((u) => ({ username: u.username, changes: Object.keys(u.changes) })),
        },
        requestId: null,
      },
      tx,
    );
}

/** A CSV line; fields with a comma or quote are quoted (RFC 4180). */
export function csvLine(fields: string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',') + '\n';
}

/** The job's creator, stored as `type:id`: the chunks are audited as theirs. */
export function jobActor(job: { createdBy: string }): Actor {
  const at = job.createdBy.indexOf(':');
  return { type: job.createdBy.slice(0, at), id: job.createdBy.slice(at + 1) } as Actor;
}

/**
 * Plans a chunk's rows against the users that exist (`known`, by username): a username repeated in the file
 * (`seen`, across the run) and an IMSI held by another official (`owners`, IMSI → user id) refuse the line.
 */
export function planChunk(
  rows: CodedOfficialRow[],
  known: readonly KnownUser[],
  lookup: InstitutionLookup,
  seen: Map<string, number>,
  owners: ReadonlyMap<string, string>,
): ImportStep[] {
  const byName = new Map(known.map((u) => [u.username, u]));
  return rows.map((row): ImportStep => {
    const refuse = (reason: string): ImportStep => ({
      action: 'error',
      key: row,
      username: row.username,
      reason,
    });
    const earlier = seen.get(row.username);
    if (earlier !== undefined && earlier !== row.line)
      return refuse(`the username is also on line ${earlier}`);
    seen.set(row.username, row.line);
    const step = planOfficial(row, row, byName.get(row.username), lookup);
    const owner = row.imsi ? owners.get(row.imsi) : undefined;
    if (step.action !== 'error' && owner && owner !== ('userId' in step ? step.userId : undefined))
      return refuse('IMSI is assigned to another official');
    return step;
  });
}

/** Who holds each IMSI named in the rows (through core-network's port, when that domain runs on this node). */
export async function simOwners(
  sims: SimOwnership | undefined,
  rows: readonly CodedOfficialRow[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!sims) return out;
  for (const imsi of new Set(rows.flatMap((r) => r.imsi ?? []))) {
    const owner = await sims.ownerOf(imsi);
    if (owner) out.set(imsi, owner.userId);
  }
  return out;
}
