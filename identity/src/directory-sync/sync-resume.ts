import { createHash } from 'node:crypto';
import type { UserImportJobRow } from '../onboarding/user-imports.repository.js';
import type { DirectoryEntry } from './ldap-mapping.js';

/**
 * A run's entries in one order, whatever order the server sent them in (LDAP promises none, and a replica or
 * a rebuilt index may answer in another): by DN, code unit by code unit. The resume point counts entries of
 * this order, so the same directory always splits into the same chunks.
 */
export function inDnOrder(entries: readonly DirectoryEntry[]): DirectoryEntry[] {
  return [...entries].sort((a, b) => (a.dn < b.dn ? -1 : a.dn > b.dn ? 1 : 0));
}

/** What a run read: the SHA-256 of its sorted DNs, stored with the job (`sourceSha256`) when it starts. */
export function entriesDigest(sorted: readonly DirectoryEntry[]): string {
  return createHash('sha256')
    .update(sorted.map((e) => e.dn).join('\n'))
    .digest('hex');
}

/** Why a run taken over cannot resume where its job stopped. */
export const DIRECTORY_CHANGED =
  'the directory changed while the sync was cut off, so it cannot resume where it stopped: run it again';

/**
 * Where a run resumes: after the entries its job committed before it was cut off. The directory is read again
 * whole (those gone are known only from a full read), but the chunks committed are not planned again — their
 * officials, counters and sealed codes landed with them, and planning them twice would count them twice.
 *
 * 'changed' when the directory's entries are no longer those the job began with (another digest): the
 * committed prefix no longer names the same entries, so resuming would skip entries never planned and plan
 * some twice. The job then ends, failed, asking for a new run — which plans the whole directory afresh, as any
 * run does (a run is idempotent) — rather than restarting in place, where the counters and codes of the
 * committed chunks would be counted again.
 */
export function resumeAt(
  job: Pick<UserImportJobRow, 'committedLines' | 'sourceSha256'>,
  entries: number,
  digest: string,
): number | 'changed' {
  if (job.committedLines === 0) return 0;
  if (job.sourceSha256 !== digest) return 'changed';
  return Math.min(job.committedLines, entries);
}
