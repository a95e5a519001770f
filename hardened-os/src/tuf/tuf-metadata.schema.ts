import { z } from 'zod';

/**
 * Metadata is untrusted input (it arrives from a network, an upload or a USB stick from the signing room):
 * every field is bounded here before anything looks at it. Objects are loose on purpose: TUF signatures
 * cover fields this version does not know, and dropping them would break verification of a newer signer's
 * metadata.
 */
export const SPEC_VERSION = '1.0.31';

export const ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
export type TufRole = (typeof ROLES)[number];

/** Largest metadata file accepted per role (a targets list of thousands of releases stays far below). */
export const MAX_METADATA_BYTES: Record<TufRole, number> = {
  root: 512 * 1024,
  targets: 8 * 1024 * 1024,
  snapshot: 256 * 1024,
  timestamp: 16 * 1024,
};

const hex = (len: number) => z.string().regex(new RegExp(`^[0-9a-f]{${len}}$`), `expected ${len} hex digits`);
const keyId = hex(64);
const version = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
// TUF's date form: UTC, whole seconds, "Z" (python-tuf refuses fractions and offsets).
const expires = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'expected YYYY-MM-DDTHH:MM:SSZ');
const specVersion = z.string().regex(/^1\.\d{1,4}(\.\d{1,4})?$/, 'expected a TUF 1.x spec_version');

export const publicKeySchema = z.looseObject({
  keytype: z.string().max(64),
  scheme: z.string().max(64),
  keyval: z.looseObject({ public: z.string().max(4096) }),
});

const roleKeys = z.looseObject({
  keyids: z.array(keyId).min(1).max(64),
  threshold: z.number().int().min(1).max(64),
});

const common = {
  spec_version: specVersion,
  version,
  expires,
};

export const rootSignedSchema = z.looseObject({
  _type: z.literal('root'),
  ...common,
  consistent_snapshot: z.boolean().optional(),
  keys: z.record(keyId, publicKeySchema).refine((k) => Object.keys(k).length <= 256, 'too many keys'),
  roles: z.looseObject({ root: roleKeys, targets: roleKeys, snapshot: roleKeys, timestamp: roleKeys }),
});

// Target names are paths under /ota/targets/: plain segments, no "..", nothing a URL or a file system
// would read differently.
export const TARGET_NAME = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._-]{1,128}(\/[A-Za-z0-9._-]{1,128}){0,7}$/;
const hashes = z.looseObject({ sha256: hex(64) });

export const targetFileSchema = z.looseObject({
  length: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  hashes,
  custom: z.record(z.string().max(64), z.unknown()).optional(),
});

export const targetsSignedSchema = z.looseObject({
  _type: z.literal('targets'),
  ...common,
  targets: z
    .record(z.string().regex(TARGET_NAME, 'bad target name'), targetFileSchema)
    .refine((t) => Object.keys(t).length <= 20_000, 'too many targets'),
});

const metaFile = z.looseObject({
  version,
  length: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  hashes: hashes.optional(),
});

export const snapshotSignedSchema = z.looseObject({
  _type: z.literal('snapshot'),
  ...common,
  meta: z.record(z.string().regex(/^[A-Za-z0-9._-]{1,128}\.json$/), metaFile),
});

export const timestampSignedSchema = z.looseObject({
  _type: z.literal('timestamp'),
  ...common,
  meta: z.looseObject({ 'snapshot.json': metaFile }),
});

const SIGNED = {
  root: rootSignedSchema,
  targets: targetsSignedSchema,
  snapshot: snapshotSignedSchema,
  timestamp: timestampSignedSchema,
} as const;

export type RootSigned = z.infer<typeof rootSignedSchema>;
export type TargetsSigned = z.infer<typeof targetsSignedSchema>;
export type SnapshotSigned = z.infer<typeof snapshotSignedSchema>;
export type TimestampSigned = z.infer<typeof timestampSignedSchema>;
export type SignedOf = {
  root: RootSigned;
  targets: TargetsSigned;
  snapshot: SnapshotSigned;
  timestamp: TimestampSigned;
};
export type TargetFile = z.infer<typeof targetFileSchema>;

const signatures = z.array(z.looseObject({ keyid: keyId, sig: z.string().max(1024) })).max(64);

export function envelopeSchema<R extends TufRole>(role: R) {
  return z.object({ signatures, signed: SIGNED[role] });
}
