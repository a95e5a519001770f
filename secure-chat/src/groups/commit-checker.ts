import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { WorkerPool } from '@pakawaaz/platform';
import { MlsInputError } from '../mls/mls-facts.js';
import {
  checkCommitTask,
  type CheckedCommitFacts,
  type CommitCheckReading,
  type CommitCheckTask,
} from './commit-check.worker.js';

export type { CheckedCommitFacts, CommitCheckTask } from './commit-check.worker.js';

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
 * On worker threads (platform WorkerPool), as KeyPackages are read: a commit's check is signatures and tree
 * hashes over the whole group, which the event loop that serves every socket must not spend.
 */
@Injectable()
export class WorkerCommitChecker implements CommitChecker, OnModuleDestroy {
  private readonly pool = new WorkerPool<CommitCheckTask, CommitCheckReading>(
    import.meta.url,
    'commit-check.worker',
    { name: 'chat-commits', size: 2, taskTimeoutMs: 30_000 },
  );

  async check(task: CommitCheckTask): Promise<CheckedCommitFacts | MlsInputError> {
    return toResult(await this.pool.run(task));
  }

  onModuleDestroy(): Promise<void> {
    return this.pool.close();
  }
}

export const COMMIT_CHECKER = Symbol.for('pakawaaz.secure-chat.CommitChecker');
