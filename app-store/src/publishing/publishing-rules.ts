import type { ApkInspection } from '@pakawaaz/apk';

/*
 * The app store's publishing rules, pure: what an uploaded APK must be to enter review. No Nest, no database;
 * the service feeds them rows and the inspector's result.
 */

export type Track = 'pilot' | 'beta' | 'stable';
export const TRACKS = ['pilot', 'beta', 'stable'] as const satisfies readonly Track[];

/** What the store keeps of an inspection (the JSON column `manifest` of a version). */
export type ManifestFacts = Pick<
  ApkInspection,
  | 'package'
  | 'versionCode'
  | 'versionName'
  | 'minSdk'
  | 'targetSdk'
  | 'permissions'
  | 'debuggable'
  | 'usesCleartextTraffic'
  | 'nativeAbis'
  | 'schemes'
  | 'lineage'
> &
  // Absent on versions stored before the inspector read network security configs.
  Partial<Pick<ApkInspection, 'cleartextTraffic'>>;

export function manifestFacts(i: ApkInspection): ManifestFacts {
  return {
    package: i.package,
    versionCode: i.versionCode,
    versionName: i.versionName,
    minSdk: i.minSdk,
    targetSdk: i.targetSdk,
    permissions: [...i.permissions],
    debuggable: i.debuggable,
    usesCleartextTraffic: i.usesCleartextTraffic,
    cleartextTraffic: { ...i.cleartextTraffic, domains: [...i.cleartextTraffic.domains] },
    nativeAbis: [...i.nativeAbis],
    schemes: { ...i.schemes },
    lineage: [...i.lineage],
  };
}

export type RuleRefusal = {
  ok: false;
  code: 'signer_mismatch' | 'version_code_not_increasing';
  message: string;
};

/** The signer facts an app row keeps. */
export type PinnedApp = { pinnedSigner: string; lineage: readonly string[] };

export type SignerDecision =
  | {
      ok: true;
      /** The signer this version is signed with (the one a later version must chain from). */
      signer: string;
      /** The lineage to keep on the app (the longest accepted so far, oldest first). */
      lineage: string[];
      rotated: boolean;
    }
  | RuleRefusal;

/**
 * Signer pinning, trust on first use like Android's own update rule: a package may only be updated by an APK
 * signed with the same certificate as the installed one, or by a successor the old key vouched for in a v3
 * proof-of-rotation lineage (APK Signature Scheme v3, source.android.com/docs/security/features/apksigning/v3;
 * AOSP PackageManagerServiceUtils.verifySignatures / SigningDetails.checkCapability).
 *
 * - The first version pins its signer.
 * - A later version signed by the app's current signer is accepted.
 * - A later version signed by another key is accepted only when its lineage starts with the pinned signer,
 *   ends with its own signer (v3 puts the signing certificate last), contains the current signer, and extends
 *   the lineage we accepted before (the same history, longer): a lineage that forks or drops nodes would let
 *   a stolen intermediate key sign off a different history.
 * - An APK with several signers (v1/v2 multi-signer) is refused: v3 rotation has one signer per APK, and
 *   pinning a set would make rotation undefined.
 */
export function checkSigner(app: PinnedApp | null, inspection: ApkInspection): SignerDecision {
  const [signer, ...more] = inspection.signers;
  if (signer === undefined || more.length > 0)
    return refuse(
      'signer_mismatch',
      `the store accepts APKs signed by exactly one certificate (this one has ${inspection.signers.length})`,
    );
  if (app === null) return { ok: true, signer, lineage: [...inspection.lineage], rotated: false };
  const current = app.lineage.at(-1) ?? app.pinnedSigner;
  if (signer === current)
    return { ok: true, signer, lineage: longer(app.lineage, inspection.lineage), rotated: false };
  const lineage = inspection.lineage;
  const extendsKnown = app.lineage.every((cert, i) => lineage[i] === cert);
  if (
    lineage.length >= 2 &&
    lineage[0] === app.pinnedSigner &&
    lineage.at(-1) === signer &&
    lineage.includes(current) &&
    extendsKnown
  )
    return { ok: true, signer, lineage: [...lineage], rotated: true };
  return refuse(
    'signer_mismatch',
    `the APK is signed by ${signer}, not by the app's signer ${current}` +
      (lineage.length > 0
        ? ', and its rotation lineage does not chain from the pinned signer'
        : ', and it has no rotation lineage (APK Signature Scheme v3) that vouches for the new key'),
  );
}

/** The longer of two lineages where one extends the other (the stored one otherwise). */
function longer(known: readonly string[], seen: readonly string[]): string[] {
  return seen.length > known.length && known.every((c, i) => seen[i] === c) ? [...seen] : [...known];
}

/**
 * versionCode strictly increasing per track: Android refuses to install a lower versionCode over a higher one
 * (INSTALL_FAILED_VERSION_DOWNGRADE, AOSP PackageManagerServiceUtils.checkDowngrade), and an equal one would
 * be two different APKs under one identity. `highest` is the highest code on the track that is not rejected
 * (a rejected version never reached a handset, so its code may be sent again fixed).
 */
export function checkVersionCode(
  highest: number | null,
  versionCode: number,
  track: Track,
): { ok: true } | RuleRefusal {
  if (highest === null || versionCode > highest) return { ok: true };
  return refuse(
    'version_code_not_increasing',
    `versionCode ${versionCode} is not above ${highest}, the highest on the ${track} track`,
  );
}

/** An institution's store policy ('national' for vendors' apps and as every institution's default). */
export type StorePolicy = {
  /** Permissions an app may request; null: any that is not denied. */
  permissionAllow: string[] | null;
  /** Permissions no app may request. */
  permissionDeny: string[];
  /** Lowest targetSdkVersion accepted. */
  minTargetSdk: number;
  /** Whether apps may send cleartext HTTP (android:usesCleartextTraffic). */
  allowCleartext: boolean;
};

/**
 * The default: Google Play's target API requirement for new apps and updates since 31 August 2025 (API 35,
 * developer.android.com/google/play/requirements/target-sdk), no cleartext, and no permission a government
 * handset's app has no business holding (SMS interception, installing packages, reading the call log).
 */
export const DEFAULT_STORE_POLICY: StorePolicy = {
  permissionAllow: null,
  permissionDeny: [
    'android.permission.READ_SMS',
    'android.permission.RECEIVE_SMS',
    'android.permission.REQUEST_INSTALL_PACKAGES',
    'android.permission.READ_CALL_LOG',
  ],
  minTargetSdk: 35,
  allowCleartext: false,
};

export type PolicyFindingCode =
  | 'permission_denied'
  | 'permission_not_allowed'
  | 'debuggable'
  | 'target_sdk_below_floor'
  | 'cleartext_traffic';

/** A policy check that failed; reviewers see them, and a version with findings cannot be approved. */
export type PolicyFinding = { code: PolicyFindingCode; detail: string };

/**
 * Policy checks of one version against its institution's policy. Debuggable APKs are never accepted: any app
 * on the device can then be debugged through JDWP and its data read (android:debuggable, AOSP
 * ApplicationInfo.FLAG_DEBUGGABLE). Cleartext: when the manifest does not say, the platform default applies —
 * allowed below targetSdk 28, refused from 28 on (developer.android.com/privacy-and-security/security-config,
 * "Opt out of cleartext traffic"); an app with a network security config is judged by it alone (the platform
 * then ignores usesCleartextTraffic), including every domain it lets through.
 */
/** Why the app may send cleartext, in words; null when it may not (ApkInspection.cleartextTraffic). */
function cleartextFinding(m: ManifestFacts): string | null {
  const c = m.cleartextTraffic ?? {
    permitted: m.usesCleartextTraffic ?? (m.targetSdk ?? 0) < 28,
    domains: [],
    decidedBy: m.usesCleartextTraffic === null ? 'platform-default' : 'manifest',
  };
  if (c.decidedBy === 'network-security-config') {
    if (c.permitted) return 'the network security config permits cleartext (or cannot be read)';
    return c.domains.length > 0
      ? `the network security config permits cleartext to ${c.domains.join(', ')}`
      : null;
  }
  if (!c.permitted) return null;
  return c.decidedBy === 'manifest'
    ? 'android:usesCleartextTraffic="true"'
    : `cleartext allowed by default below targetSdk 28 (${m.targetSdk ?? 'absent'})`;
}

export function policyFindings(m: ManifestFacts, policy: StorePolicy): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  const deny = new Set(policy.permissionDeny);
  const allow = policy.permissionAllow === null ? null : new Set(policy.permissionAllow);
  for (const p of m.permissions) {
    if (deny.has(p)) findings.push({ code: 'permission_denied', detail: p });
    else if (allow && !allow.has(p)) findings.push({ code: 'permission_not_allowed', detail: p });
  }
  if (m.debuggable) findings.push({ code: 'debuggable', detail: 'android:debuggable="true"' });
  if (m.targetSdk === null || m.targetSdk < policy.minTargetSdk)
    findings.push({
      code: 'target_sdk_below_floor',
      detail: `targetSdk ${m.targetSdk ?? 'absent'} < ${policy.minTargetSdk}`,
    });
  const cleartext = cleartextFinding(m);
  if (cleartext && !policy.allowCleartext) findings.push({ code: 'cleartext_traffic', detail: cleartext });
  return findings;
}

export type PermissionDiff = { added: string[]; removed: string[] };

/** What a version asks for that the previous one did not, and what it dropped (sorted). */
export function permissionDiff(previous: readonly string[] | null, next: readonly string[]): PermissionDiff {
  const before = new Set(previous ?? []);
  const after = new Set(next);
  return {
    added: [...after].filter((p) => !before.has(p)).sort(),
    removed: [...before].filter((p) => !after.has(p)).sort(),
  };
}

/**
 * Whether a version has its approvals: one reviewer for an ordinary app, two distinct ones for a mandatory
 * app (installed on every handset, so one reviewer's mistake or compromise reaches everyone: four eyes).
 */
export function approvalsNeeded(mandatory: boolean): number {
  return mandatory ? 2 : 1;
}

function refuse(code: RuleRefusal['code'], message: string): RuleRefusal {
  return { ok: false, code, message };
}
