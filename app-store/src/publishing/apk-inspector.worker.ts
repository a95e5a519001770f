/**
 * An APK inspector worker thread: `inspectApk` on one stored file (ZIP structure, manifest, v1/v2/v3
 * signatures) off the event loop. (A worker imports only relative modules, node: built-ins and packages.)
 */
import { parentPort } from 'node:worker_threads';
import { fileSource, inspectApk, type ApkInspection } from '@pakawaaz/apk';
import type { WorkerTaskReply } from '@pakawaaz/platform';
import type { ApkInspectTask } from './apk-inspector.pool.js';

async function inspect(task: ApkInspectTask): Promise<ApkInspection> {
  const source = await fileSource(task.path);
  try {
    return await inspectApk(source, { minSdk: task.minSdk });
  } finally {
    await source.close();
  }
}

parentPort?.on('message', (task: ApkInspectTask) => {
  void inspect(task)
    .then(
      (output): WorkerTaskReply<ApkInspection> => ({ ok: true, output }),
      (err: unknown): WorkerTaskReply<ApkInspection> => ({
        ok: false,
        message: err instanceof Error ? err.message : String(err),
      }),
    )
    .then((reply) => parentPort?.postMessage(reply));
});
