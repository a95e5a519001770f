import { MlsInputError, uncompressedP256 } from '../mls/mls-facts.js';
import { mlsInput } from '../mls/mls-input.js';
import type { CheckedCommitFacts, CommitChecker, CommitCheckTask } from './commit-checker.js';

/** A checked commit's next GroupInfo as the service uses it (the external senders' keys uncompressed). */
export type NextEpoch = CheckedCommitFacts;

/**
 * The commit and its next GroupInfo checked against the group's current GroupInfo (on the checker's worker
 * threads): the facts of the next epoch, or the 4xx of the first check that failed (mls_commit_mismatch when
 * they disagree; mls_unsupported for a PrivateMessage or external commit).
 */
export function checkedCommit(checker: CommitChecker, task: CommitCheckTask): Promise<NextEpoch> {
  return mlsInput(async () => {
    const r = await checker.check(task);
    if (r instanceof MlsInputError) throw r;
    return { ...r, externalSenderKeys: r.externalSenderKeys.flatMap((k) => uncompressedP256(k) ?? []) };
  }, 'commit');
}
