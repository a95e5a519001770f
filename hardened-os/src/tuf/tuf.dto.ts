import { named } from '@pakawaaz/platform';
import { z } from 'zod';
import { METADATA_NAME } from './metadata-store.js';

/**
 * Signed metadata as the signing room wrote it. Only the envelope is checked here; the TUF core parses the
 * rest with its bounds and verifies the signatures. Loose: signatures cover every field, known or not.
 */
export const TufMetadataBody = named(
  'TufMetadata',
  z.looseObject({
    signatures: z.array(z.looseObject({ keyid: z.string().max(64), sig: z.string().max(1024) })).max(64),
    signed: z.looseObject({ _type: z.string().max(16) }),
  }),
);

const roleState = z.object({ version: z.number().int(), expires: z.string() }).nullable();
export const TufStatus = named(
  'TufStatus',
  z.object({
    root: roleState,
    targets: roleState,
    snapshot: roleState,
    timestamp: roleState,
    /** The published root is marked demo-only: its root and targets keys are files on a disk. */
    demoRoot: z.boolean(),
    compromisedKeys: z.array(z.string()),
  }),
);

const publicKey = z.object({
  keyid: z.string(),
  key: z.object({ keytype: z.string(), scheme: z.string(), keyval: z.object({ public: z.string() }) }),
});
export const TufOnlineKeys = named('TufOnlineKeys', z.object({ timestamp: publicKey, snapshot: publicKey }));

export const TufTargetsExport = named(
  'TufTargetsExport',
  z.object({
    targets: z.array(
      z.object({
        name: z.string(),
        length: z.number().int(),
        sha256: z.string(),
        custom: z.record(z.string(), z.unknown()).optional(),
      }),
    ),
    skipped: z.number().int().describe('Payloads whose version or build id cannot be a target path'),
    currentVersion: z.number().int().describe('Version of the published targets metadata (0: none yet)'),
  }),
);

export const TufImported = named(
  'TufImported',
  z.object({
    version: z.number().int(),
    expires: z.string().optional(),
    targets: z.number().int().optional(),
  }),
);

export const TufKeyParam = z.string().regex(/^[0-9a-f]{64}$/, 'expected a TUF keyid (64 hex digits)');
export const MetadataNameParam = z
  .string()
  .regex(METADATA_NAME, 'expected e.g. timestamp.json or 2.root.json');
export const TufCompromised = named('TufCompromisedKeys', z.object({ compromisedKeys: z.array(z.string()) }));
