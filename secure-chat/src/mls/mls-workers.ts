import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { WorkerCrashedError, WorkerPool } from '@pakawaaz/platform';
import type { CommitCheckReading, CommitCheckTask } from '../groups/commit-check.task.js';
import type { KeyPackageReading, KeyPackageTask } from '../key-packages/key-package.task.js';
import { secureChatError } from '../secure-chat.errors.js';
import { MlsLanes, MlsLaneBusyError, type LaneLimits } from './mls-lanes.js';

/** A task of the chat's MLS worker threads, by its `op`. */
export type ChatMlsTask = (KeyPackageTask & { op: 'key-packages' }) | (CommitCheckTask & { op: 'commit' });

const WORKERS = 2;
/** What a client is told to wait when the workers are busy or one was restarted (503 mls_busy). */
export const MLS_BUSY_RETRY_AFTER_SECONDS = 2;
/**
 * The lanes (mls-lanes.ts): commit checks hold at most one of the two workers, so a KeyPackage upload always
 * finds one not held by a commit; each lane queues a bounded number of tasks, each for a bounded time.
 */
export const CHAT_MLS_LANES: Record<ChatMlsTask['op'], LaneLimits> = {
  'key-packages': { maxQueued: 16, maxWaitMs: 10_000, maxRunning: WORKERS },
  commit: { maxQueued: 32, maxWaitMs: 5_000, maxRunning: WORKERS - 1 },
};

/**
 * The delivery service's MLS worker threads (platform WorkerPool, mls.worker.ts): one pool of two for the
 * KeyPackage uploads (a 51-package batch is over a second of signature checks) and the commit checks, so the
 * event loop that serves every socket spends neither, and a small host runs two threads for both, not four.
 * Admission is by lane (CHAT_MLS_LANES); a full lane, a task that waited too long, a worker that crashed or
 * ran past 30 s answer 503 mls_busy with Retry-After; an error the task itself did not expect, 400 mls_malformed.
 */
@Injectable()
export class ChatMlsWorkers implements OnModuleDestroy {
  private readonly pool = new WorkerPool<ChatMlsTask, unknown>(import.meta.url, 'mls.worker', {
    name: 'chat-mls',
    size: WORKERS,
    taskTimeoutMs: 30_000,
  });
  private readonly lanes = new MlsLanes<ChatMlsTask['op']>(
    (task) => this.pool.run(task as ChatMlsTask),
    WORKERS,
    CHAT_MLS_LANES,
  );

  readKeyPackages(task: KeyPackageTask): Promise<KeyPackageReading[]> {
    return this.run({ ...task, op: 'key-packages' }) as Promise<KeyPackageReading[]>;
  }

  checkCommit(task: CommitCheckTask): Promise<CommitCheckReading> {
    return this.run({ ...task, op: 'commit' }) as Promise<CommitCheckReading>;
  }

  onModuleDestroy(): Promise<void> {
    return this.pool.close();
  }

  private async run(task: ChatMlsTask): Promise<unknown> {
    try {
      return await this.lanes.submit(task.op, task);
    } catch (err) {
      throw mlsWorkError(err);
    }
  }
}

/** A failure of the workers as the API answers it (never a 500: the input or the load is the cause). */
export function mlsWorkError(err: unknown): Error {
  if (err instanceof MlsLaneBusyError || err instanceof WorkerCrashedError)
    return secureChatError('mls_busy', 'The MLS workers are busy: retry after Retry-After seconds.', {
      retryAfterSeconds: MLS_BUSY_RETRY_AFTER_SECONDS,
    });
  return secureChatError('mls_malformed', 'The MLS input could not be checked.');
}
