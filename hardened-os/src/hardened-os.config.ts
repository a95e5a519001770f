import path from 'node:path';
import { envBool, envInt, parseConfig, type Env, type PlatformConfig } from '@pakawaaz/platform';
import { z } from 'zod';

const unset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const schema = z.object({
  PAKAWAAZ_OS_PAYLOAD_DIR: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_OS_TUF_DIR: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_OS_TUF_TIMESTAMP_KEY_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_OS_TUF_SNAPSHOT_KEY_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_OS_TUF_ALLOW_DEMO_ROOT: envBool(false),
  PAKAWAAZ_OS_PAYLOAD_MAX_BYTES: z.preprocess(
    unset,
    z.coerce
      .number({ message: 'expected bytes' })
      .int()
      .min(1024)
      .max(16 * 1024 ** 3)
      .default(4 * 1024 ** 3),
  ),
  PAKAWAAZ_OS_PAYLOAD_UPLOAD_IDLE_SECONDS: envInt('seconds', 1, 3600, 30),
  PAKAWAAZ_OS_PAYLOAD_MIN_BYTES_PER_SECOND: envInt(
    'bytes per second',
    1024,
    Number.MAX_SAFE_INTEGER,
    1024 * 1024,
  ),
});

export type HardenedOsConfig = {
  /** Where OTA payloads are stored, one file per SHA-256. */
  payloadDir: string;
  /** Largest OTA payload accepted (full images of current Pixels are 2–3 GiB). */
  payloadMaxBytes: number;
  /** An upload that sends nothing this long is ended (default 30 s). */
  payloadUploadIdleMs?: number;
  /**
   * The slowest upload rate accepted over a whole upload: its total time is one minute plus the cap at this
   * rate (default 1 MiB/s: 4 GiB in about 69 minutes), so no client holds an upload slot indefinitely.
   */
  payloadUploadMinBytesPerSecond?: number;
  /**
   * The folder earlier releases published TUF metadata into: imported once into the database at start-up
   * (the metadata served at /ota/metadata/ is in the database now).
   */
  tufDir: string;
  /** The online TUF keys (the platform key service's files; objects in the HSM with PKCS#11). */
  tufTimestampKeyFile: string;
  tufSnapshotKeyFile: string;
  /**
   * Whether a root marked demo-only (its root and targets keys are files on disk) may be imported: always on
   * the embedded database (the demo), else only when the operator says so explicitly.
   */
  tufAllowDemoRoot?: boolean;
};

export function loadHardenedOsConfig(env: Env, platform: PlatformConfig): HardenedOsConfig {
  const c = parseConfig(schema, env);
  return {
    payloadDir: path.resolve(c.PAKAWAAZ_OS_PAYLOAD_DIR ?? path.join(platform.dataDir, 'os-payloads')),
    payloadMaxBytes: c.PAKAWAAZ_OS_PAYLOAD_MAX_BYTES,
    payloadUploadIdleMs: c.PAKAWAAZ_OS_PAYLOAD_UPLOAD_IDLE_SECONDS * 1000,
    payloadUploadMinBytesPerSecond: c.PAKAWAAZ_OS_PAYLOAD_MIN_BYTES_PER_SECOND,
    tufDir: path.resolve(c.PAKAWAAZ_OS_TUF_DIR ?? path.join(platform.dataDir, 'ota-metadata')),
    tufTimestampKeyFile: path.resolve(
      c.PAKAWAAZ_OS_TUF_TIMESTAMP_KEY_FILE ?? path.join(platform.dataDir, 'keys', 'tuf-timestamp.jwk'),
    ),
    tufSnapshotKeyFile: path.resolve(
      c.PAKAWAAZ_OS_TUF_SNAPSHOT_KEY_FILE ?? path.join(platform.dataDir, 'keys', 'tuf-snapshot.jwk'),
    ),
    tufAllowDemoRoot: platform.databaseMode === 'embedded' || c.PAKAWAAZ_OS_TUF_ALLOW_DEMO_ROOT,
  };
}

export const HARDENED_OS_CONFIG = Symbol.for('pakawaaz.HardenedOsConfig');
