/**
 * The chat's MLS worker thread (ChatMlsWorkers' pool): KeyPackage batches and commit checks, the CPU-heavy MLS
 * work of the delivery service, off the event loop that serves every socket. One task at a time; nothing here
 * logs. (Imports node: built-ins, the tasks' modules and the pure, built `@pakawaaz/mls`.)
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerTaskReply } from '@pakawaaz/platform';
import { checkCommitTask } from '../groups/commit-check.task.js';
import { readKeyPackages } from '../key-packages/key-package.task.js';
import type { ChatMlsTask } from './mls-workers.js';

parentPort?.on('message', (task: ChatMlsTask) => {
  const run = task.op === 'key-packages' ? readKeyPackages(task) : checkCommitTask(task);
  (run as Promise<unknown>).then(
    (output) => parentPort?.postMessage({ ok: true, output } satisfies WorkerTaskReply),
    (err: unknown) =>
      parentPort?.postMessage({
        ok: false,
        message: err instanceof Error ? err.message : `${task.op} failed`,
      } satisfies WorkerTaskReply),
  );
});
