import path from 'node:path';
import { envInt, parseConfig, type Env, type PlatformConfig } from '@pakawaaz/platform';
import { z } from 'zod';

const unset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const schema = z.object({
  PAKAWAAZ_STORE_APK_DIR: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_STORE_CATALOGUE_KEY_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_STORE_APK_MAX_BYTES: z.preprocess(
    unset,
    z.coerce
      .number({ message: 'expected bytes' })
      .int()
      .min(1024)
      .max(4 * 1024 ** 3)
      .default(512 * 1024 ** 2),
  ),
  PAKAWAAZ_STORE_APK_UPLOAD_IDLE_SECONDS: envInt('seconds', 1, 3600, 30),
  PAKAWAAZ_STORE_APK_UPLOAD_MIN_BYTES_PER_SECOND: envInt(
    'bytes per second',
    1024,
    Number.MAX_SAFE_INTEGER,
    256 * 1024,
  ),
  PAKAWAAZ_STORE_LOG_ORIGIN: z.preprocess(
    unset,
    z
      .string()
      .regex(/^[^\s+]{1,255}$/, 'a schema-less URL without spaces or "+" (C2SP tlog-checkpoint origin)')
      .default('pakawaaz.local/app-store/log'),
  ),
  PAKAWAAZ_STORE_LOG_KEY_FILE: z.preprocess(unset, z.string().optional()),
});

export type AppStoreConfig = {
  /** Where uploaded APKs are stored, one file per SHA-256. */
  apkDir: string;
  /** Largest APK accepted: checked on the declared length before reading, and counted while reading. */
  apkMaxBytes: number;
  /** An upload that sends nothing this long is ended (default 30 s). */
  apkUploadIdleMs?: number;
  /**
   * The slowest upload rate accepted over a whole upload: its total time is one minute plus the cap at this
   * rate (default 256 KiB/s: 512 MiB in about 35 minutes), so no client holds an upload slot indefinitely.
   */
  apkUploadMinBytesPerSecond?: number;
  /**
   * The APK transparency log's origin: the first line of its checkpoints and its key's name (C2SP
   * tlog-checkpoint: clients check it, since a key could sign for several logs). Set it once, never change it.
   */
  logOrigin: string;
  /** The log's Ed25519 key (the key service's file backend; an HSM names it `store-log`). */
  logKeyFile: string;
  /** The catalogue signing key (ES256) for the file key backend; an HSM object of the same name otherwise. */
  catalogueKeyFile: string;
};

export function loadAppStoreConfig(env: Env, platform: PlatformConfig): AppStoreConfig {
  const c = parseConfig(schema, env);
  return {
    apkDir: path.resolve(c.PAKAWAAZ_STORE_APK_DIR ?? path.join(platform.dataDir, 'apks')),
    apkMaxBytes: c.PAKAWAAZ_STORE_APK_MAX_BYTES,
    apkUploadIdleMs: c.PAKAWAAZ_STORE_APK_UPLOAD_IDLE_SECONDS * 1000,
    apkUploadMinBytesPerSecond: c.PAKAWAAZ_STORE_APK_UPLOAD_MIN_BYTES_PER_SECOND,
    logOrigin: c.PAKAWAAZ_STORE_LOG_ORIGIN,
    logKeyFile: path.resolve(
      c.PAKAWAAZ_STORE_LOG_KEY_FILE ?? path.join(platform.dataDir, 'keys', 'store-log.jwk'),
    ),
    catalogueKeyFile: path.resolve(
      c.PAKAWAAZ_STORE_CATALOGUE_KEY_FILE ?? path.join(platform.dataDir, 'keys', 'store-catalogue.jwk'),
    ),
  };
}

export const APP_STORE_CONFIG = Symbol.for('pakawaaz.AppStoreConfig');
