import {
  bigint,
  boolean,
  index,
  integer,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { hardenedOsSchema } from '../hardened-os.schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Handset models our OS is built for, by Android codename (ro.product.device, attestationIdDevice). */
export const deviceModels = hardenedOsSchema.table('device_models', {
  codename: text('codename').primaryKey(),
  manufacturer: text('manufacturer').notNull(),
  /** Marketing name (attestationIdModel, e.g. "Pixel 8"); optional, a label and a second way to match. */
  name: text('name'),
  strongBox: boolean('strongbox').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

/**
 * Verified-boot keys per model: SHA-256 (lower-case hex) of the AVB public key, as the hardware attests it in
 * rootOfTrust.verifiedBootKey. `compromised` makes every device booted with it non-compliant.
 */
export const bootKeys = hardenedOsSchema.table(
  'boot_keys',
  {
    model: text('model').notNull(),
    digest: text('digest').notNull(),
    status: text('status', { enum: ['active', 'retired', 'compromised'] }).notNull(),
    label: text('label'),
    createdAt: at('created_at').notNull().defaultNow(),
    statusChangedAt: at('status_changed_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.model, t.digest] }), index('boot_keys_digest_idx').on(t.digest)],
);

/** One OS build for one model. Patch levels as Android writes them (YYYY-MM-DD). */
export const releases = hardenedOsSchema.table(
  'releases',
  {
    id: uuid('id').primaryKey(),
    model: text('model').notNull(),
    buildId: text('build_id').notNull(),
    fingerprint: text('fingerprint').notNull().unique(),
    version: text('version').notNull(),
    securityPatchLevel: text('security_patch_level').notNull(),
    vendorPatchLevel: text('vendor_patch_level'),
    bootPatchLevel: text('boot_patch_level'),
    channel: text('channel', { enum: ['stable', 'beta', 'pilot'] }).notNull(),
    notes: text('notes').notNull().default(''),
    createdBy: text('created_by').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [unique('releases_model_build_uq').on(t.model, t.buildId)],
);

/** OTA payloads of a release, stored on disk by SHA-256 (payloads/<sha256>). */
export const otaPayloads = hardenedOsSchema.table(
  'ota_payloads',
  {
    releaseId: uuid('release_id').notNull(),
    kind: text('kind', { enum: ['full', 'incremental'] }).notNull(),
    /** The build an incremental payload applies on; '' for a full one. */
    fromBuildId: text('from_build_id').notNull().default(''),
    sha256: text('sha256').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: at('uploaded_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.releaseId, t.kind, t.fromBuildId] })],
);

/** Oldest patch level (YYYYMM) a handset may run: national ('*') and per-institution floors. */
export const patchFloors = hardenedOsSchema.table('patch_floors', {
  scope: text('scope').primaryKey(),
  minimumPatchLevel: integer('minimum_patch_level').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});
