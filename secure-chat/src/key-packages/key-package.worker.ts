/**
 * A KeyPackage worker thread: reads and verifies a batch of KeyPackages (two P-256 signatures and a hash each,
 * about 23 ms a package on noble — 51 would hold the event loop for over a second). Nothing here logs.
 * (Imports node: built-ins and the pure, built `@pakawaaz/mls`.)
 */
import { parentPort } from 'node:worker_threads';
import { MlsInputError, readKeyPackage, type KeyPackageFacts } from '@pakawaaz/mls';
import type { WorkerTaskReply } from '@pakawaaz/platform';

export type KeyPackageTask = { packages: Uint8Array[] };
export type KeyPackageReading =
  { ok: true; facts: KeyPackageFacts } | { ok: false; code: MlsInputError['code']; message: string };

export async function readKeyPackages(task: KeyPackageTask): Promise<KeyPackageReading[]> {
  const out: KeyPackageReading[] = [];
  for (const bytes of task.packages) {
    try {
      out.push({ ok: true, facts: await readKeyPackage(bytes) });
    } catch (err) {
      if (!(err instanceof MlsInputError)) throw err;
      out.push({ ok: false, code: err.code, message: err.message });
    }
  }
  return out;
}

parentPort?.on('message', (task: KeyPackageTask) => {
  readKeyPackages(task).then(
    (output) => parentPort?.postMessage({ ok: true, output } satisfies WorkerTaskReply<KeyPackageReading[]>),
    (err: unknown) =>
      parentPort?.postMessage({
        ok: false,
        message: err instanceof Error ? err.message : 'KeyPackage reading failed',
      } satisfies WorkerTaskReply),
  );
});
