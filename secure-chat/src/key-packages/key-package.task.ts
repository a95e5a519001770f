/**
 * A KeyPackage task of the chat's MLS worker threads (mls/mls.worker.ts): reads and verifies a batch of
 * KeyPackages (two P-256 signatures and a hash each, about 23 ms a package on noble — 51 would hold the event
 * loop for over a second). Nothing here logs. (Imports the pure, built `@pakawaaz/mls`.)
 */
import { MlsInputError, readKeyPackage, type KeyPackageFacts } from '@pakawaaz/mls';

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
