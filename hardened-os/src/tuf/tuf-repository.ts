import { createHash } from 'node:crypto';
import { keyIdOf, type TufPublicKey, type TufSigner } from './tuf-keys.js';
import { serializeMetadata, signMetadataWith, tufDate, type Envelope } from './tuf-metadata.js';
import {
  SPEC_VERSION,
  TARGET_NAME,
  type RootSigned,
  type SnapshotSigned,
  type TargetFile,
  type TargetsSigned,
  type TimestampSigned,
  type TufRole,
} from './tuf-metadata.schema.js';

/** Who may sign each role: its public keys and how many of them must sign. */
export type RoleKeys = Record<TufRole, { keys: TufPublicKey[]; threshold: number }>;

/** How long each role's metadata stays valid by default (timestamp is refreshed by the server). */
export const DEFAULT_LIFETIME_MS: Record<TufRole, number> = {
  root: 365 * 86_400_000,
  targets: 90 * 86_400_000,
  snapshot: 30 * 86_400_000,
  timestamp: 86_400_000,
};

export const expiresIn = (role: TufRole, now: Date, ms = DEFAULT_LIFETIME_MS[role]) =>
  tufDate(new Date(now.getTime() + ms));

export function buildRoot(input: { version: number; expires: string; roles: RoleKeys }): RootSigned {
  const keys: RootSigned['keys'] = {};
  const roles = {} as RootSigned['roles'];
  for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as const) {
    const { keys: roleKeys, threshold } = input.roles[role];
    if (threshold < 1 || threshold > roleKeys.length)
      throw new Error(`${role}: threshold ${threshold} needs between 1 and ${roleKeys.length} keys`);
    const keyids = roleKeys.map((k) => keyIdFor(k, keys));
    if (new Set(keyids).size !== keyids.length) throw new Error(`${role}: the same key is listed twice`);
    roles[role] = { keyids, threshold };
  }
  return {
    _type: 'root',
    spec_version: SPEC_VERSION,
    version: input.version,
    expires: input.expires,
    consistent_snapshot: true,
    keys,
    roles,
  };
}

function keyIdFor(key: TufPublicKey, keys: RootSigned['keys']): string {
  const id = keyIdOf(key);
  keys[id] = key;
  return id;
}

/** One file a target list names: its bytes are fetched as `<sha256>.<basename>` (consistent snapshots). */
export type TargetEntry = { name: string; length: number; sha256: string; custom?: Record<string, unknown> };

export function buildTargets(input: {
  version: number;
  expires: string;
  targets: TargetEntry[];
}): TargetsSigned {
  const targets: Record<string, TargetFile> = {};
  for (const t of input.targets) {
    if (!TARGET_NAME.test(t.name)) throw new Error(`bad target name: ${t.name}`);
    if (targets[t.name]) throw new Error(`target listed twice: ${t.name}`);
    if (!/^[0-9a-f]{64}$/.test(t.sha256)) throw new Error(`bad SHA-256 for ${t.name}`);
    targets[t.name] = {
      length: t.length,
      hashes: { sha256: t.sha256 },
      ...(t.custom ? { custom: t.custom } : {}),
    };
  }
  return {
    _type: 'targets',
    spec_version: SPEC_VERSION,
    version: input.version,
    expires: input.expires,
    targets,
  };
}

export function buildSnapshot(input: {
  version: number;
  expires: string;
  targetsVersion: number;
}): SnapshotSigned {
  return {
    _type: 'snapshot',
    spec_version: SPEC_VERSION,
    version: input.version,
    expires: input.expires,
    meta: { 'targets.json': { version: input.targetsVersion } },
  };
}

/** Timestamp pins the snapshot by version, length and hash (clients refuse a snapshot that differs). */
export function buildTimestamp(input: {
  version: number;
  expires: string;
  snapshotVersion: number;
  snapshotBytes: Buffer;
}): TimestampSigned {
  return {
    _type: 'timestamp',
    spec_version: SPEC_VERSION,
    version: input.version,
    expires: input.expires,
    meta: {
      'snapshot.json': {
        version: input.snapshotVersion,
        length: input.snapshotBytes.length,
        hashes: { sha256: createHash('sha256').update(input.snapshotBytes).digest('hex') },
      },
    },
  };
}

/** The metadata files one publication writes under /ota/metadata/, name → bytes. */
export type MetadataFiles = Map<string, Buffer>;

/** Timestamp over a published snapshot (a new publication, or the periodic refresh before expiry). */
export async function signTimestamp(input: {
  version: number;
  snapshotVersion: number;
  snapshotBytes: Buffer;
  now: Date;
  signers: TufSigner[];
}): Promise<{ timestamp: Envelope<'timestamp'>; bytes: Buffer }> {
  const timestamp = await signMetadataWith<'timestamp'>(
    buildTimestamp({
      version: input.version,
      expires: expiresIn('timestamp', input.now),
      snapshotVersion: input.snapshotVersion,
      snapshotBytes: input.snapshotBytes,
    }),
    input.signers,
  );
  return { timestamp, bytes: serializeMetadata(timestamp) };
}

/**
 * A fresh snapshot over the targets version already published, and the timestamp over it: snapshot expires
 * long before targets, so the refresh re-signs it with the online key (nothing offline is needed).
 */
export async function resignSnapshot(input: {
  targetsVersion: number;
  snapshotVersion: number;
  timestampVersion: number;
  now: Date;
  snapshotSigners: TufSigner[];
  timestampSigners: TufSigner[];
}): Promise<{ files: MetadataFiles; snapshot: Envelope<'snapshot'> }> {
  const snapshot = await signMetadataWith<'snapshot'>(
    buildSnapshot({
      version: input.snapshotVersion,
      expires: expiresIn('snapshot', input.now),
      targetsVersion: input.targetsVersion,
    }),
    input.snapshotSigners,
  );
  const snapshotBytes = serializeMetadata(snapshot);
  const { bytes } = await signTimestamp({
    version: input.timestampVersion,
    snapshotVersion: input.snapshotVersion,
    snapshotBytes,
    now: input.now,
    signers: input.timestampSigners,
  });
  const files: MetadataFiles = new Map([
    [`${input.snapshotVersion}.snapshot.json`, snapshotBytes],
    ['snapshot.json', snapshotBytes],
    ['timestamp.json', bytes],
  ]);
  return { files, snapshot };
}

/**
 * Snapshot and timestamp over a signed targets file, and the files to publish (versioned names for
 * consistent snapshots plus the unversioned latest ones; the store writes timestamp.json last).
 */
export async function publishOnline(input: {
  targets: Envelope<'targets'>;
  snapshotVersion: number;
  timestampVersion: number;
  now: Date;
  snapshotSigners: TufSigner[];
  timestampSigners: TufSigner[];
}): Promise<{ files: MetadataFiles; snapshot: Envelope<'snapshot'>; timestamp: Envelope<'timestamp'> }> {
  const snapshot = await signMetadataWith<'snapshot'>(
    buildSnapshot({
      version: input.snapshotVersion,
      expires: expiresIn('snapshot', input.now),
      targetsVersion: input.targets.signed.version,
    }),
    input.snapshotSigners,
  );
  const snapshotBytes = serializeMetadata(snapshot);
  const { timestamp, bytes } = await signTimestamp({
    version: input.timestampVersion,
    snapshotVersion: input.snapshotVersion,
    snapshotBytes,
    now: input.now,
    signers: input.timestampSigners,
  });
  const targetsBytes = serializeMetadata(input.targets);
  const files: MetadataFiles = new Map([
    [`${input.targets.signed.version}.targets.json`, targetsBytes],
    ['targets.json', targetsBytes],
    [`${input.snapshotVersion}.snapshot.json`, snapshotBytes],
    ['snapshot.json', snapshotBytes],
    ['timestamp.json', bytes],
  ]);
  return { files, snapshot, timestamp };
}
