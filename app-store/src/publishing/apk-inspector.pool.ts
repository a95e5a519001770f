import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ApkInspection } from '@pakawaaz/apk';
import { WorkerPool } from '@pakawaaz/platform';

/** What the inspector worker (apk-inspector.worker.ts) is given: a stored APK's path. */
export type ApkInspectTask = { path: string; minSdk: number };

/**
 * The lowest SDK an APK's signatures must verify for: API 28 (Android 9) is the first with APK Signature
 * Scheme v3 and our handsets run far newer, so no verdict rests on v1 (JAR) signing alone — the same
 * minimum the apksigner verdicts of protocols/apk's fixtures were taken with.
 */
export const INSPECT_MIN_SDK = 28;

/** An inspection still running after this long is stopped (its thread terminated) and the upload refused. */
export const INSPECT_TIMEOUT_MS = 120_000;

/**
 * The APK_INSPECTOR binding of a server: `inspectApk` on worker threads (apk-inspector.worker.ts). Reading
 * the central directory, the manifest and verifying v2/v3 digests over hundreds of megabytes is seconds of
 * CPU that must not hold the event loop answering HTTP. One worker by default: uploads are few and each
 * already holds a disk's bandwidth.
 */
@Injectable()
export class WorkerApkInspector implements OnModuleDestroy {
  private pool: WorkerPool<ApkInspectTask, ApkInspection> | undefined;

  readonly inspect = (path: string): Promise<ApkInspection> => {
    this.pool ??= new WorkerPool(import.meta.url, 'apk-inspector.worker', {
      name: 'apk-inspector',
      size: 1,
      // A largest APK inspects in seconds; one that takes minutes is built to hold the thread.
      taskTimeoutMs: INSPECT_TIMEOUT_MS,
    });
    return this.pool.run({ path, minSdk: INSPECT_MIN_SDK });
  };

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
  }
}
