import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import {
  BOOT_KEY_STATUSES,
  BUILD_ID,
  CODENAME,
  FINGERPRINT,
  PATCH_DATE,
  RELEASE_CHANNELS,
  SHA256_HEX,
} from './registry-rules.js';
import type { BootKeyRow, DeviceModelRow, PayloadRow, ReleaseRow } from './registry.repository.js';

const codename = z.string().regex(CODENAME, 'expected an Android codename (lower-case, e.g. shiba)');
const sha256 = z.string().regex(SHA256_HEX, 'expected a SHA-256 digest (64 hex characters)');
const patchDate = z.string().regex(PATCH_DATE, 'expected a patch level YYYY-MM-DD');
const patchMonth = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM')
  .describe('Oldest security patch month a handset may run');

export const DeviceModelInput = named(
  'DeviceModelInput',
  z
    .object({
      codename,
      manufacturer: z.string().trim().min(1).max(64),
      name: z.string().trim().min(1).max(64).optional().describe('Marketing name, e.g. Pixel 8'),
      strongBox: z.boolean().describe('The model has a StrongBox secure element'),
    })
    .strict(),
  'input',
);
export const DeviceModelView = named(
  'DeviceModel',
  z.object({
    codename: z.string(),
    manufacturer: z.string(),
    name: z.string().nullable(),
    strongBox: z.boolean(),
    createdAt: isoDateTime(),
  }),
);
export const DeviceModelList = named('DeviceModelList', z.object({ models: z.array(DeviceModelView) }));

export const BootKeyInput = named(
  'BootKeyInput',
  z
    .object({
      model: codename,
      digest: sha256.describe('SHA-256 of the AVB public key, as attested in rootOfTrust.verifiedBootKey'),
      status: z.enum(['active', 'retired']).default('active'),
      label: z.string().trim().min(1).max(120).optional(),
    })
    .strict(),
  'input',
);
export const BootKeyStatusInput = named(
  'BootKeyStatusInput',
  z
    .object({
      status: z
        .enum(BOOT_KEY_STATUSES)
        .describe(
          'compromised is final: every device booted with the key is non-compliant at its next check-in',
        ),
    })
    .strict(),
  'input',
);
export const BootKeyParams = z.object({ model: codename, digest: sha256 });
export const BootKeyView = named(
  'BootKey',
  z.object({
    model: z.string(),
    digest: z.string(),
    status: z.enum(BOOT_KEY_STATUSES),
    label: z.string().nullable(),
    createdAt: isoDateTime(),
    statusChangedAt: isoDateTime(),
  }),
);
export const BootKeyList = named('BootKeyList', z.object({ keys: z.array(BootKeyView) }));
export const BootKeyQuery = z.object({ model: codename.optional() }).strict();

export const ReleaseInput = named(
  'ReleaseInput',
  z
    .object({
      model: codename,
      buildId: z.string().regex(BUILD_ID, 'expected a build id such as AP2A.240805.005'),
      fingerprint: z
        .string()
        .max(256)
        .regex(FINGERPRINT, 'expected brand/product/device:release/id/incremental:type/tags'),
      version: z.string().trim().min(1).max(32).describe('Android version, e.g. 15'),
      securityPatchLevel: patchDate,
      vendorPatchLevel: patchDate.optional(),
      bootPatchLevel: patchDate.optional(),
      channel: z.enum(RELEASE_CHANNELS),
      notes: z.string().max(20_000).default(''),
    })
    .strict(),
  'input',
);
export const PayloadView = named(
  'OtaPayload',
  z.object({
    kind: z.enum(['full', 'incremental']),
    fromBuildId: z.string().nullable(),
    sha256: z.string(),
    sizeBytes: z.number().int(),
    uploadedAt: isoDateTime(),
  }),
);
export const ReleaseView = named(
  'OsRelease',
  z.object({
    id: z.string(),
    model: z.string(),
    buildId: z.string(),
    fingerprint: z.string(),
    version: z.string(),
    securityPatchLevel: z.string(),
    vendorPatchLevel: z.string().nullable(),
    bootPatchLevel: z.string().nullable(),
    channel: z.enum(RELEASE_CHANNELS),
    notes: z.string(),
    createdBy: z.string(),
    createdAt: isoDateTime(),
    payloads: z.array(PayloadView),
  }),
);
export const ReleaseList = named('OsReleaseList', z.object({ releases: z.array(ReleaseView) }));
export const ReleaseQuery = z
  .object({ model: codename.optional(), channel: z.enum(RELEASE_CHANNELS).optional() })
  .strict();
export const ReleaseIdParam = z.string().uuid('expected a release id (UUID)');

export const PayloadQuery = z
  .object({
    kind: z.enum(['full', 'incremental']).default('full'),
    from: z
      .string()
      .regex(BUILD_ID)
      .optional()
      .describe('incremental only: the build the payload applies on'),
    sha256: sha256
      .optional()
      .describe('The digest the uploader expects; refused (422) when the bytes differ'),
  })
  .strict();

export const PatchFloorInput = named(
  'PatchFloorInput',
  z
    .object({
      institutionId: z.string().uuid().nullable().describe('null: the national floor'),
      minimumPatchLevel: patchMonth.nullable().describe('null: remove this floor'),
    })
    .strict(),
  'input',
);
export const PatchFloorView = named(
  'PatchFloor',
  z.object({
    institutionId: z.string().nullable(),
    minimumPatchLevel: z.string(),
    updatedBy: z.string(),
    updatedAt: isoDateTime(),
  }),
);
export const PatchFloorList = named('PatchFloorList', z.object({ floors: z.array(PatchFloorView) }));

export const modelView = (m: DeviceModelRow): z.infer<typeof DeviceModelView> => ({
  codename: m.codename,
  manufacturer: m.manufacturer,
  name: m.name,
  strongBox: m.strongBox,
  createdAt: m.createdAt.toISOString(),
});
export const keyView = (k: BootKeyRow): z.infer<typeof BootKeyView> => ({
  model: k.model,
  digest: k.digest,
  status: k.status,
  label: k.label,
  createdAt: k.createdAt.toISOString(),
  statusChangedAt: k.statusChangedAt.toISOString(),
});
export const payloadView = (p: PayloadRow): z.infer<typeof PayloadView> => ({
  kind: p.kind,
  fromBuildId: p.fromBuildId === '' ? null : p.fromBuildId,
  sha256: p.sha256,
  sizeBytes: p.sizeBytes,
  uploadedAt: p.uploadedAt.toISOString(),
});
export const releaseView = (r: ReleaseRow, payloads: readonly PayloadRow[]): z.infer<typeof ReleaseView> => ({
  id: r.id,
  model: r.model,
  buildId: r.buildId,
  fingerprint: r.fingerprint,
  version: r.version,
  securityPatchLevel: r.securityPatchLevel,
  vendorPatchLevel: r.vendorPatchLevel,
  bootPatchLevel: r.bootPatchLevel,
  channel: r.channel,
  notes: r.notes,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
  payloads: payloads.filter((p) => p.releaseId === r.id).map(payloadView),
});
