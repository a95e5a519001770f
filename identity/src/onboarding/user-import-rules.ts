import { scopeIds, type Principal } from '@pakawaaz/platform';
import { identityError } from '../identity.errors.js';
import type { OfficialProblem } from './official-csv.js';
import type { CodedOfficialRow, UserBlockResult } from './user-import.worker.js';
import type { UserImportJobRow } from './user-imports.repository.js';

/** Who started a job, as its `createdBy` records it: `<actor type>:<actor id>`. */
export function creatorOf(principal: Principal): string {
  return `${principal.actor.type}:${principal.actor.id}`;
}

/**
 * Refuses a download of a job's enrolment codes unless the principal started the job (or, for a scheduled
 * directory sync that no person started, is a national security officer), the job has finished, and its
 * codes are still there: a dry run issues none, and they are handed out once.
 */
export function assertCodesDownloadable(job: UserImportJobRow, principal: Principal): void {
  const mine = job.createdBy === creatorOf(principal);
  if (!mine && !(job.createdBy.startsWith('system:') && scopeIds(principal) === null))
    throw identityError(
      'enrolment_codes_gone',
      'Only the one who started this import receives its enrolment codes.',
    );
  if (job.status === 'queued' || job.status === 'running')
    throw identityError(
      'user_import_unfinished',
      'The import is still running: fetch the codes when it has finished.',
    );
  if (job.dryRun || job.codesDownloadedAt)
    throw identityError(
      'enrolment_codes_gone',
      job.dryRun
        ? 'A dry run creates nobody and issues no codes.'
        : 'The codes of this import were downloaded already; they are shown once.',
    );
}

export type BlockChunk = { rows: CodedOfficialRow[]; problems: OfficialProblem[]; lastLine: number };

/** A parsed block's rows and problems in line order, cut into chunks of at most `size` lines. */
export function* blockChunks(result: UserBlockResult, size: number): Generator<BlockChunk> {
  const lines = [
    ...result.rows.map((row) => ({ line: row.line, row })),
    ...result.problems.map((problem) => ({ line: problem.line, problem })),
  ].sort((a, b) => a.line - b.line);
  for (let i = 0; i < lines.length; i += size) {
    const slice = lines.slice(i, i + size);
    yield {
      rows: slice.flatMap((l) => ('row' in l ? [l.row] : [])),
      problems: slice.flatMap((l) => ('problem' in l ? [l.problem] : [])),
      lastLine: slice.at(-1)!.line,
    };
  }
}
