import path from 'node:path';
import { parseConfig, type Env, type PlatformConfig } from '@pakawaaz/platform';
import { z } from 'zod';

const unset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const whole = (message: string, min: number, max: number, def: number) =>
  z.preprocess(unset, z.coerce.number({ message }).int().min(min).max(max).default(def));
const bytes = (min: number, max: number, def: number) => whole('expected bytes', min, max, def);

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

const schema = z.object({
  PAKAWAAZ_CHAT_FILES_DIR: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_CHAT_FILE_MAX_BYTES: bytes(1024, 16 * GiB, 100 * MiB),
  PAKAWAAZ_CHAT_FILE_CHUNK_MAX_BYTES: bytes(64 * 1024, 1 * GiB, 8 * MiB),
  PAKAWAAZ_CHAT_FILE_QUOTA_BYTES: bytes(1024, 2 ** 50, 20 * GiB),
  PAKAWAAZ_CHAT_FILE_UPLOADER_SHARE_PERCENT: whole('expected a percentage', 1, 100, 25),
  PAKAWAAZ_CHAT_FILE_UPLOAD_IDLE_SECONDS: whole('expected seconds', 1, 3600, 30),
  PAKAWAAZ_CHAT_FILE_UPLOADS_IN_PROGRESS: whole('expected a count', 1, 10_000, 32),
  PAKAWAAZ_CHAT_FILE_CREATES_PER_MINUTE: whole('expected a count', 1, 60_000, 30),
  PAKAWAAZ_CHAT_FILE_ABANDON_HOURS: whole('expected hours', 1, 720, 24),
});

export type FilesConfig = {
  /** Where attachments' ciphertext is kept (the disk BlobStore), by default `<data>/chat-files`. */
  dir: string;
  /** Largest file a client may declare. */
  maxFileBytes: number;
  /** Largest body one PATCH may carry: counted while it arrives, the stream is cut beyond it. */
  chunkMaxBytes: number;
  /** Bytes an institution may hold (complete files and reservations of uploads in progress). */
  defaultQuotaBytes: number;
  /** The most of its institution's quota one handset (or one official's token) may hold, in percent. */
  uploaderSharePercent: number;
  /** Uploads in progress (created, not yet complete) one handset (or one official's token) may hold. */
  maxUploadsInProgress: number;
  /** Uploads one handset (or official's token) may create a minute, in bursts of as many (per node). */
  createsPerMinute: number;
  /** A PATCH that sends nothing for this long is ended; the bytes received so far are kept. */
  uploadIdleMs: number;
  /** An upload not completed this long after its creation is deleted by the sweep. */
  abandonMs: number;
  /**
   * Cluster mode (NATS) with the default folder under this node's data folder: the other nodes cannot read
   * what this one stores (warned at start; every node must use one shared folder).
   */
  unsharedInCluster?: boolean;
};

export function loadFilesConfig(env: Env, platform: PlatformConfig): FilesConfig {
  const c = parseConfig(schema, env);
  return {
    dir: path.resolve(c.PAKAWAAZ_CHAT_FILES_DIR ?? path.join(platform.dataDir, 'chat-files')),
    maxFileBytes: c.PAKAWAAZ_CHAT_FILE_MAX_BYTES,
    chunkMaxBytes: c.PAKAWAAZ_CHAT_FILE_CHUNK_MAX_BYTES,
    defaultQuotaBytes: c.PAKAWAAZ_CHAT_FILE_QUOTA_BYTES,
    uploaderSharePercent: c.PAKAWAAZ_CHAT_FILE_UPLOADER_SHARE_PERCENT,
    maxUploadsInProgress: c.PAKAWAAZ_CHAT_FILE_UPLOADS_IN_PROGRESS,
    createsPerMinute: c.PAKAWAAZ_CHAT_FILE_CREATES_PER_MINUTE,
    uploadIdleMs: c.PAKAWAAZ_CHAT_FILE_UPLOAD_IDLE_SECONDS * 1000,
    abandonMs: c.PAKAWAAZ_CHAT_FILE_ABANDON_HOURS * 3_600_000,
    unsharedInCluster: platform.eventBusMode === 'nats' && c.PAKAWAAZ_CHAT_FILES_DIR === undefined,
  };
}

export const FILES_CONFIG = Symbol.for('pakawaaz.ChatFilesConfig');
