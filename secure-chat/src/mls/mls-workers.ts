import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { WorkerPool } from '@pakawaaz/platform';
import type { CommitCheckReading, CommitCheckTask } from '../groups/commit-check.task.js';
import type { KeyPackageReading, KeyPackageTask } from '../key-packages/key-package.task.js';

/** A task of the chat's MLS worker threads, by its `op`. */
export type ChatMlsTask = (KeyPackageTask & { op: 'key-packages' }) | (CommitCheckTask & { op: 'commit' });

/**
 * The delivery service's MLS worker threads (platform WorkerPool, mls.worker.ts): one pool of two for the
 * KeyPackage uploads (a 51-package batch is over a second of signature checks) and the commit checks, so the
 * event loop that serves every socket spends neither, and a small host runs two threads for both, not four.
 */
@Injectable()
export class ChatMlsWorkers implements OnModuleDestroy {
  private readonly pool = new WorkerPool<ChatMlsTask, unknown>(import.meta.url, 'mls.worker', {
    name: 'chat-mls',
    size: 2,
    taskTimeoutMs: 30_000,
  });

  readKeyPackages(task: KeyPackageTask): Promise<KeyPackageReading[]> {
    return this.pool.run({ ...task, op: 'key-packages' }) as Promise<KeyPackageReading[]>;
  }

  checkCommit(task: CommitCheckTask): Promise<CommitCheckReading> {
    return this.pool.run({ ...task, op: 'commit' }) as Promise<CommitCheckReading>;
  }

  onModuleDestroy(): Promise<void> {
    return this.pool.close();
  }
}
