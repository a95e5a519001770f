import { Injectable } from '@nestjs/common';
import { MlsInputError } from '../mls/mls-facts.js';
import { ChatMlsWorkers } from '../mls/mls-workers.js';
import { RefusedCommits } from './refused-commits.js';
import {
  checkCommitTask,
  type CheckedCommitFacts,
  type CommitCheckReading,
  type CommitCheckTask,
} from './commit-check.task.js';

export type { CheckedCommitFacts, CommitCheckTask } from './commit-check.task.js';

/** Checks a commit and its next GroupInfo against the group's current one: the facts, or why not. */
export type CommitChecker = {
  check(task: CommitCheckTask): Promise<CheckedCommitFacts | MlsInputError>;
};

const toResult = (r: CommitCheckReading) => (r.ok ? r.facts : new MlsInputError(r.code, r.message));

/** On the calling thread: for tests and tools. */
export const inlineCommitChecker: CommitChecker = {
  check: async (task) => toResult(await checkCommitTask(task)),
};

/**
 * On worker threads (the chat's MLS workers, shared with KeyPackage uploads): a commit's check is signatures
 * and tree hashes over the whole group, which the event loop that serves every socket must not spend. Its
 * refusals are remembered, so a replay is answered without a worker.
 */
@Injectable()
export class WorkerCommitChecker implements CommitChecker {
  constructor(private readonly workers: ChatMlsWorkers) {}

  // A replayed refused commit costs a hash, not a worker (refused-commits.ts).
  private readonly refused = new RefusedCommits<MlsInputError>();

  async check(task: CommitCheckTask): Promise<CheckedCommitFacts | MlsInputError> {
    const key = RefusedCommits.key(task);
    const known = this.refused.get(key);
    if (known) return known;
    const r = toResult(await this.workers.checkCommit(task));
    if (r instanceof MlsInputError) this.refused.remember(key, r);
    return r;
  }
}

export const COMMIT_CHECKER = Symbol.for('pakawaaz.secure-chat.CommitChecker');
