import type { ApkInspection } from '@pakawaaz/apk';

/**
 * The port the store verifies uploads through: the path of an APK on disk → what `inspectApk` reports. The
 * server binds it to a worker thread running `@pakawaaz/apk` (parsing and verifying signatures of a
 * 500 MB file is CPU work that must not hold the event loop); tests bind fixed answers.
 */
export type ApkInspector = (path: string) => Promise<ApkInspection>;

export const APK_INSPECTOR = Symbol.for('pakawaaz.app-store.ApkInspector');
