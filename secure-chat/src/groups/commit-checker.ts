import { Injectable } from '@nestjs/common';
import { MlsInputError } from '../mls/mls-facts.js';
import { ChatMlsWorkers } from '../mls/mls-workers.js';
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
 * and tree hashes over the whole group, which the event loop that serves every socket must not spend.
 */
@Injectable()
export class WorkerCommitChecker implements CommitChecker {
  constructor(private readonly workers: ChatMlsWorkers) {}

  async check(task: CommitCheckTask): Promise<CheckedCommitFacts | MlsInputError> {
    return toResult(await this.workers.checkCommit(task));
  }
}

export const COMMIT_CHECKER = Symbol.for('pakawaaz.secure-chat.CommitChecker');
