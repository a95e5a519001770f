import {
  bigint,
  boolean,
  index,
  jsonb,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { appStoreSchema } from '../app-store.schema.js';
import type { ManifestFacts, PolicyFinding, StorePolicy } from './publishing-rules.js';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Who publishes apps: an institution's own developers (institution_id set) or a vendor working for the
 * state (institution_id null: only national reviewers see its versions).
 */
export const developerOrgs = appStoreSchema.table('developer_orgs', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull().unique(),
  institutionId: uuid('institution_id'),
  createdBy: text('created_by').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

/** A developer (an operator or official, by user id) belongs to one or more organisations. */
export const orgMembers = appStoreSchema.table(
  'org_members',
  {
    orgId: uuid('org_id').notNull(),
    userId: text('user_id').notNull(),
    addedBy: text('added_by').notNull(),
    addedAt: at('added_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index('org_members_user_idx').on(t.userId)],
);

/**
 * One Android package name, owned by one organisation. The first accepted version pins its signer (the
 * SHA-256 of the signing certificate); `lineage` is the newest v3 proof-of-rotation seen, oldest first.
 */
export const apps = appStoreSchema.table('apps', {
  id: uuid('id').primaryKey(),
  packageName: text('package_name').notNull().unique(),
  orgId: uuid('org_id').notNull(),
  pinnedSigner: text('pinned_signer').notNull(),
  lineage: jsonb('lineage').$type<string[]>().notNull().default([]),
  /** Installed on every handset of the institution: each version needs two distinct approvers. */
  mandatory: boolean('mandatory').notNull().default(false),
  createdAt: at('created_at').notNull().defaultNow(),
});

/** One uploaded APK: its facts as the inspector read them, where its bytes are, and its review state. */
export const appVersions = appStoreSchema.table(
  'app_versions',
  {
    id: uuid('id').primaryKey(),
    appId: uuid('app_id').notNull(),
    versionCode: bigint('version_code', { mode: 'number' }).notNull(),
    versionName: text('version_name'),
    track: text('track', { enum: ['pilot', 'beta', 'stable'] }).notNull(),
    apkSha256: text('apk_sha256').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    signers: jsonb('signers').$type<string[]>().notNull(),
    manifest: jsonb('manifest').$type<ManifestFacts>().notNull(),
    findings: jsonb('findings').$type<PolicyFinding[]>().notNull().default([]),
    notes: text('notes').notNull().default(''),
    blobPath: text('blob_path').notNull(),
    state: text('state', { enum: ['uploaded', 'in_review', 'approved', 'rejected', 'withdrawn'] }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  // Not unique on (app, track, versionCode): a rejected version's code may be sent again, fixed.
  (t) => [
    index('app_versions_app_track_idx').on(t.appId, t.track, t.versionCode),
    index('app_versions_state_idx').on(t.state),
  ],
);

/** Each reviewer's decision on a version (a mandatory app's version collects two approvals). */
export const reviews = appStoreSchema.table(
  'reviews',
  {
    id: uuid('id').primaryKey(),
    versionId: uuid('version_id').notNull(),
    reviewer: text('reviewer').notNull(),
    decision: text('decision', { enum: ['approve', 'reject'] }).notNull(),
    reason: text('reason').notNull(),
    at: at('at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('reviews_version_reviewer_uq').on(t.versionId, t.reviewer)],
);

/** Store policy per institution ('national' for vendor organisations and the default). */
export const storePolicies = appStoreSchema.table('store_policies', {
  scope: text('scope').primaryKey(),
  policy: jsonb('policy').$type<StorePolicy>().notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});
