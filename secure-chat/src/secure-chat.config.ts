import path from 'node:path';
import { parseConfig, type DatabaseMode, type Env, type PlatformConfig } from '@pakawaaz/platform';
import { z } from 'zod';
import { CHAT_COMMIT_BODY_BYTES } from './chat-limits.js';
import { loadCallsConfig, type CallsConfig } from './calls/calls.config.js';
import { loadBotsConfig, type BotsConfig } from './bots/bots.config.js';
import { loadFilesConfig, type FilesConfig } from './files/files.config.js';

const unset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const int = (min: number, max: number, dflt: number) =>
  z.preprocess(
    unset,
    z.coerce.number({ message: 'expected a whole number' }).int().min(min).max(max).default(dflt),
  );

const schema = z.object({
  PAKAWAAZ_CHAT_EXTERNAL_SENDER_KEY_FILE: z.preprocess(unset, z.string().optional()),
  PAKAWAAZ_CHAT_LOW_KEY_PACKAGES: int(1, 50, 10),
  PAKAWAAZ_CHAT_WS_MAX_FRAME_BYTES: int(4096, 4 * 1024 * 1024, CHAT_COMMIT_BODY_BYTES),
  PAKAWAAZ_CHAT_WS_FRAMES_PER_SECOND: int(1, 10000, 50),
  // At least 4 MiB: its burst (twice) holds two of the largest frames (PAKAWAAZ_CHAT_WS_MAX_FRAME_BYTES, ≤ 4
  // MiB) — a commit refused as stale and its rebased retry a moment later are both read.
  PAKAWAAZ_CHAT_WS_BYTES_PER_SECOND: int(4 * 1024 * 1024, 1024 * 1024 * 1024, 4 * 1024 * 1024),
  PAKAWAAZ_CHAT_WS_PING_SECONDS: int(5, 600, 30),
  PAKAWAAZ_CHAT_CLAIMS_PER_SECOND: int(1, 1000, 5),
  PAKAWAAZ_CHAT_RETENTION_DAYS: int(1, 365, 30),
  PAKAWAAZ_CHAT_CLIENT_ID_DAYS: int(1, 90, 7),
  PAKAWAAZ_CHAT_SEND_BATCH: int(1, 1000, 64),
  PAKAWAAZ_CHAT_COMMIT_LINGER_MS: int(0, 100, 2),
  PAKAWAAZ_CHAT_COMMIT_GATHER_MS: int(0, 100, 0),
  PAKAWAAZ_CHAT_ACK_GATHER_MS: int(0, 100, 20),
});

export type SecureChatConfig = {
  /** Attachments (files/): storage, limits, quota. */
  files: FilesConfig;
  /** Calls (calls/): media hosts, the embedded Janus, TURN (always loaded; absent only in narrow tests). */
  calls?: CallsConfig;
  /** e-Office bots: send budget, webhook timeouts and back-off, lab mode's loopback http. */
  bots: BotsConfig;
  /** The server's MLS external-sender key (P-256, ES256 in the key service; an HSM names it `chat-external-sender`). */
  externalSenderKeyFile: string;
  /** Fewer one-time KeyPackages left than this: the device is told to upload more. */
  lowKeyPackages: number;
  /** Largest WebSocket frame a device may send (by default the largest commit, with GroupInfo and Welcome). */
  wsMaxFrameBytes: number;
  /** Frames a device may send per second (a token bucket of twice this burst). */
  wsFramesPerSecond: number;
  /** Bytes of WebSocket frames a device may send per second (a token bucket of twice this burst). */
  wsBytesPerSecond: number;
  /** Ping interval; a socket that misses a pong is closed. */
  wsPingSeconds: number;
  /** KeyPackage claims a device may make per second (a token bucket of twice this burst). */
  claimsPerSecond: number;
  /** Days undelivered ciphertext is kept for an institution without its own chat policy. */
  retentionDays: number;
  /** Days a send's client id is remembered (a retry within them gets the first answer). */
  clientIdDays: number;
  /** Most sends written in one transaction (group commit; 1 writes each send on its own). */
  sendBatch: number;
  /**
   * How long sends, queue reads and acks wait for the statement of their kind in flight before another starts
   * (GroupCommit's linger; 0: never, each finds a free slot). See commitLinger.
   */
  commitLingerMs: number;
  /** How long the first statement of its kind waits for others to join it on an idle slot (0: never). */
  commitGatherMs?: number;
  /** How long acks wait for others before their statement (0: as sends do; see ackBatching). */
  ackGatherMs?: number;
};

/** Writes waiting that open a further slot at once, lingering or not (a burst keeps its parallelism). */
const LINGER_BATCH = 16;

/**
 * GroupCommit's linger for the chat's batched statements on PostgreSQL: at a moderate rate each send (read,
 * ack) would find a slot free and pay a transaction and a commit of its own; lingering, those arriving during
 * one statement go out together after it. The embedded database has one slot: nothing to linger for.
 */
export function commitLinger(
  config: Pick<SecureChatConfig, 'commitLingerMs' | 'commitGatherMs'> | null | undefined,
  mode: DatabaseMode,
): { linger?: { ms: number; batch: number; idleMs: number } } {
  const ms = config?.commitLingerMs ?? 0;
  const idleMs = config?.commitGatherMs ?? 0;
  return ms > 0 && mode !== 'embedded' ? { linger: { ms, batch: LINGER_BATCH, idleMs } } : {};
}

/** Most devices' acks in one statement when acks gather. */
export const ACK_GATHER_BATCH = 256;

/**
 * The ack statements' batching. An ack is not urgent: the rows it deletes are never sent on the socket again
 * (the session reads after what it sent); a device that reconnects before the delete, or after a crash before
 * it, gets them again, as at-least-once allows, and skips the seqs it applied. With `ackGatherMs`, acks wait
 * up to that long for others (or for ACK_GATHER_BATCH of them) and go out as one statement of up to that many
 * devices, on either database; an ack is still answered only after its delete commits. Otherwise, as the
 * sends (commitLinger).
 */
export function ackBatching(
  config: Pick<SecureChatConfig, 'commitLingerMs' | 'commitGatherMs' | 'ackGatherMs'> | null | undefined,
  mode: DatabaseMode,
): { maxBatch?: number; linger?: { ms: number; batch: number; idleMs: number } } {
  const ms = config?.ackGatherMs ?? 0;
  if (ms === 0) return commitLinger(config, mode);
  return { maxBatch: ACK_GATHER_BATCH, linger: { ms, batch: ACK_GATHER_BATCH, idleMs: ms } };
}

export function loadSecureChatConfig(env: Env, platform: PlatformConfig): SecureChatConfig {
  const c = parseConfig(schema, env);
  return {
    externalSenderKeyFile: path.resolve(
      c.PAKAWAAZ_CHAT_EXTERNAL_SENDER_KEY_FILE ??
        path.join(platform.dataDir, 'keys', 'chat-external-sender.jwk'),
    ),
    lowKeyPackages: c.PAKAWAAZ_CHAT_LOW_KEY_PACKAGES,
    wsMaxFrameBytes: c.PAKAWAAZ_CHAT_WS_MAX_FRAME_BYTES,
    wsFramesPerSecond: c.PAKAWAAZ_CHAT_WS_FRAMES_PER_SECOND,
    wsBytesPerSecond: c.PAKAWAAZ_CHAT_WS_BYTES_PER_SECOND,
    wsPingSeconds: c.PAKAWAAZ_CHAT_WS_PING_SECONDS,
    claimsPerSecond: c.PAKAWAAZ_CHAT_CLAIMS_PER_SECOND,
    retentionDays: c.PAKAWAAZ_CHAT_RETENTION_DAYS,
    clientIdDays: c.PAKAWAAZ_CHAT_CLIENT_ID_DAYS,
    sendBatch: c.PAKAWAAZ_CHAT_SEND_BATCH,
    commitLingerMs: c.PAKAWAAZ_CHAT_COMMIT_LINGER_MS,
    commitGatherMs: c.PAKAWAAZ_CHAT_COMMIT_GATHER_MS,
    ackGatherMs: c.PAKAWAAZ_CHAT_ACK_GATHER_MS,
    files: loadFilesConfig(env, platform),
    calls: loadCallsConfig(env, platform),
    bots: loadBotsConfig(env, platform.dataDir),
  };
}

export const SECURE_CHAT_CONFIG = Symbol.for('pakawaaz.SecureChatConfig');
