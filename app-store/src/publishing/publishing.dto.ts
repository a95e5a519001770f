import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { TRACKS } from './publishing-rules.js';
import type { AppRow, OrgRow, ReviewRow, VersionRow } from './publishing.repository.js';

const uuid = z.string().uuid();

export const OrgIdParam = uuid;
/** A policy's scope: 'national' (vendors' apps, and every institution without its own) or an institution id. */
export const PolicyScopeParam = z.union([z.literal('national'), uuid]);

const permission = z.string().regex(/^[A-Za-z0-9_.]{1,200}$/, 'expected a permission name');
export const StorePolicyInput = named(
  'StorePolicy',
  z
    .object({
      permissionAllow: z
        .array(permission)
        .max(1000)
        .nullable()
        .describe('Permissions an app may request; null: any that is not denied'),
      permissionDeny: z.array(permission).max(1000).describe('Permissions no app may request'),
      minTargetSdk: z.number().int().min(1).max(100).describe('Lowest targetSdkVersion accepted'),
      allowCleartext: z.boolean().describe('Whether apps may send cleartext HTTP'),
    })
    .strict(),
  'input',
);
export const StorePolicyView = named(
  'StorePolicyView',
  z.object({
    scope: z.string(),
    policy: StorePolicyInput,
    inherited: z.boolean().describe('No policy of its own: the national one (or the default) applies'),
    effective: StorePolicyInput.describe(
      "What uploads are checked against: the scope's policy raised to the national one in force (the " +
        'national policy is a floor: denied permissions joined, allow lists intersected, the higher target ' +
        'SDK, cleartext only where both allow it)',
    ),
  }),
);
export const AppIdParam = uuid;
export const VersionIdParam = uuid;

export const PublishQuery = named(
  'PublishQuery',
  z
    .object({
      track: z.enum(TRACKS).default('pilot').describe('Release track; versionCode must increase per track'),
      notes: z.string().max(4000).default('').describe('Release notes, shown to reviewers'),
      org: uuid
        .optional()
        .describe('The developer organisation that owns a new package (when the caller is in several)'),
    })
    .strict(),
  'input',
);

export const OrgInput = named(
  'DeveloperOrgInput',
  z
    .object({
      name: z.string().trim().min(1).max(120),
      institutionId: uuid
        .nullable()
        .describe('The institution whose developers these are; null for a vendor'),
    })
    .strict(),
  'input',
);
export const MemberInput = named(
  'DeveloperOrgMemberInput',
  z.object({ userId: uuid.describe('The user id of the developer (a user in your scope)') }).strict(),
  'input',
);
export const MandatoryInput = named(
  'AppMandatoryInput',
  z
    .object({ mandatory: z.boolean().describe('Installed on every handset: versions need two approvers') })
    .strict(),
  'input',
);
export const ReviewInput = named(
  'AppReviewInput',
  z
    .object({
      decision: z.enum(['approve', 'reject']),
      reason: z.string().trim().min(1).max(2000).describe('Why: recorded with the decision and audited'),
    })
    .strict(),
  'input',
);

export const OrgView = named(
  'DeveloperOrg',
  z.object({
    id: z.string(),
    name: z.string(),
    institutionId: z.string().nullable(),
    createdAt: isoDateTime(),
  }),
);
export const OrgList = named('DeveloperOrgList', z.object({ orgs: z.array(OrgView) }));

export const AppView = named(
  'StoreApp',
  z.object({
    id: z.string(),
    packageName: z.string(),
    orgId: z.string(),
    pinnedSigner: z.string().describe('SHA-256 of the certificate the first version was signed with'),
    lineage: z.array(z.string()).describe('v3 proof-of-rotation lineage accepted so far, oldest first'),
    mandatory: z.boolean(),
    createdAt: isoDateTime(),
  }),
);
export const AppList = named('StoreAppList', z.object({ apps: z.array(AppView) }));

const Finding = z.object({
  code: z.enum([
    'permission_denied',
    'permission_not_allowed',
    'debuggable',
    'target_sdk_below_floor',
    'cleartext_traffic',
  ]),
  detail: z.string(),
});
const Manifest = z.object({
  package: z.string().nullable(),
  versionCode: z.number().nullable(),
  versionName: z.string().nullable(),
  minSdk: z.number().nullable(),
  targetSdk: z.number().nullable(),
  permissions: z.array(z.string()),
  debuggable: z.boolean(),
  usesCleartextTraffic: z.boolean().nullable(),
  cleartextTraffic: z
    .object({
      permitted: z.boolean(),
      domains: z.array(z.string()),
      decidedBy: z.enum(['network-security-config', 'manifest', 'platform-default']),
    })
    .optional()
    .describe('Whether the app may send cleartext as the platform decides it (absent on older versions)'),
  nativeAbis: z.array(z.string()),
  schemes: z.object({ v1: z.boolean(), v2: z.boolean(), v3: z.boolean() }),
  lineage: z.array(z.string()),
});
const PermissionDiff = z.object({ added: z.array(z.string()), removed: z.array(z.string()) });
const Review = z.object({
  reviewer: z.string(),
  decision: z.enum(['approve', 'reject']),
  reason: z.string(),
  at: isoDateTime(),
});

export const VersionView = named(
  'StoreAppVersion',
  z.object({
    id: z.string(),
    appId: z.string(),
    versionCode: z.number(),
    versionName: z.string().nullable(),
    track: z.enum(TRACKS),
    apkSha256: z.string(),
    sizeBytes: z.number(),
    signers: z.array(z.string()),
    manifest: Manifest,
    findings: z
      .array(Finding)
      .describe('Policy checks that failed; a version with findings cannot be approved'),
    notes: z.string(),
    state: z.enum(['uploaded', 'in_review', 'approved', 'rejected', 'withdrawn']),
    createdBy: z.string(),
    createdAt: isoDateTime(),
    reviews: z.array(Review),
  }),
);
export const VersionList = named('StoreAppVersionList', z.object({ versions: z.array(VersionView) }));

export const PublishResult = named(
  'StorePublishResult',
  z.object({
    app: AppView,
    version: VersionView,
    rotated: z.boolean().describe('The signer moved to a successor in its v3 lineage'),
    permissionDiff: PermissionDiff.describe('Against the latest approved version'),
  }),
);

export const ReviewQueueItem = named(
  'StoreReviewQueueItem',
  z.object({
    app: AppView,
    org: OrgView,
    version: VersionView,
    permissionDiff: PermissionDiff.describe('Against the latest approved version'),
    approvalsNeeded: z.number(),
  }),
);
export const ReviewQueue = named('StoreReviewQueue', z.object({ items: z.array(ReviewQueueItem) }));

export const orgView = (o: OrgRow): z.input<typeof OrgView> => ({
  id: o.id,
  name: o.name,
  institutionId: o.institutionId,
  createdAt: o.createdAt.toISOString(),
});
export const appView = (a: AppRow): z.input<typeof AppView> => ({
  id: a.id,
  packageName: a.packageName,
  orgId: a.orgId,
  pinnedSigner: a.pinnedSigner,
  lineage: a.lineage,
  mandatory: a.mandatory,
  createdAt: a.createdAt.toISOString(),
});
export const versionView = (v: VersionRow, rs: readonly ReviewRow[] = []): z.input<typeof VersionView> => ({
  id: v.id,
  appId: v.appId,
  versionCode: v.versionCode,
  versionName: v.versionName,
  track: v.track,
  apkSha256: v.apkSha256,
  sizeBytes: v.sizeBytes,
  signers: v.signers,
  manifest: v.manifest,
  findings: v.findings,
  notes: v.notes,
  state: v.state,
  createdBy: v.createdBy,
  createdAt: v.createdAt.toISOString(),
  reviews: rs
    .filter((r) => r.versionId === v.id)
    .map((r) => ({ reviewer: r.reviewer, decision: r.decision, reason: r.reason, at: r.at.toISOString() })),
});

export const MemberList = named('DeveloperOrgMembers', z.object({ userIds: z.array(z.string()) }));
