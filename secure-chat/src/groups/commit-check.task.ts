/**
 * A commit-check task of the chat's MLS worker threads (mls/mls.worker.ts): reads the next epoch's GroupInfo
 * and checks it against the commit and the group's current GroupInfo (@pakawaaz/mls checkCommit: P-256
 * signatures, the proposals applied to the tree — each added KeyPackage verified —, tree hashes and the
 * transcript hash, which the event loop that serves every socket must not spend). Nothing here logs.
 * (Imports the pure, built `@pakawaaz/mls`.)
 */
import { checkCommit, MlsInputError, type GroupMember } from '@pakawaaz/mls';

export type CommitCheckTask = {
  /** The group's current GroupInfo (as the server stored it). */
  previous: Uint8Array;
  commit: Uint8Array;
  /** The next epoch's GroupInfo the member sent with the commit. */
  groupInfo: Uint8Array;
  /** The PublicMessage proposals of the current epoch the server holds (its external Removes). */
  proposals: Uint8Array[];
};
/** What the delivery service keeps of a checked commit (the decoded GroupInfo stays in the worker). */
export type CheckedCommitFacts = {
  groupId: Uint8Array;
  epoch: bigint;
  members: GroupMember[];
  externalSenderKeys: Uint8Array[];
  committerLeaf: number;
  /** The KeyPackageRefs of the commit's Adds: whom its Welcome must be addressed to. */
  addedKeyPackageRefs: Uint8Array[];
  /** The leaves the commit's Adds fill (their devices get the Welcome). */
  addedLeaves: number[];
};
export type CommitCheckReading =
  { ok: true; facts: CheckedCommitFacts } | { ok: false; code: MlsInputError['code']; message: string };

export async function checkCommitTask(task: CommitCheckTask): Promise<CommitCheckReading> {
  try {
    const checked = await checkCommit(task.previous, task.commit, task.groupInfo, task.proposals);
    const { groupId, epoch, members, externalSenderKeys, committerLeaf, addedKeyPackageRefs, addedLeaves } =
      checked;
    const facts = {
      ...{ groupId, epoch, members, externalSenderKeys },
      ...{ committerLeaf, addedKeyPackageRefs, addedLeaves },
    };
    return { ok: true, facts };
  } catch (err) {
    if (!(err instanceof MlsInputError)) throw err;
    return { ok: false, code: err.code, message: err.message };
  }
}
