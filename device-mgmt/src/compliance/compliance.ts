import { patchMonth } from '../attestation/policy.js';
import { patchMonthOf, type EffectivePolicy } from '../policies/policy-settings.js';

/**
 * Compliance of a handset: pure, time is a parameter. The check-in and the periodic sweep both call it, so a
 * rule lives in one place. Hardware facts (the last attestation) and what the handset reports are both
 * checked; a reported fact that is absent is unknown, never a reason.
 */

/** Stable reason codes, for the API, the CLI, the NOC and the events; in the order they are listed. */
export const COMPLIANCE_REASONS = [
  'DEVICE_LOST',
  'BOOT_KEY_COMPROMISED',
  'BOOT_STATE',
  'ATTESTATION_STALE',
  'PATCH_LEVEL',
  'CHECK_IN_OVERDUE',
  'POLICY_NOT_APPLIED',
  'REQUIRED_APP_MISSING',
  'FORBIDDEN_APP',
  'DEVELOPER_OPTIONS',
  'SCREEN_LOCK',
] as const;
export type ComplianceReason = (typeof COMPLIANCE_REASONS)[number];
export type ComplianceState = 'compliant' | 'grace' | 'non_compliant';

/**
 * Reasons that skip grace: a handset reported lost is non-compliant at once, and so is one booted with a
 * verified-boot key hardened-os marked compromised (whoever holds the key can sign any OS).
 */
const NO_GRACE: readonly ComplianceReason[] = ['DEVICE_LOST', 'BOOT_KEY_COMPROMISED'];
/** A device is overdue after this many missed check-in intervals. */
export const OVERDUE_INTERVALS = 3;
/** A changed policy is not held against a device until it has had this many intervals to apply it. */
export const POLICY_APPLY_INTERVALS = 2;

export type DeviceFacts = {
  state: 'active' | 'lost' | 'wiped' | 'retired';
  compliance: ComplianceState;
  nonCompliantSince: Date | null;
  /** The facts of the last accepted attestation (AttestationFacts, as stored). */
  attestation: Record<string, unknown>;
  lastAttestedAt: Date;
  lastCheckInAt: Date | null;
  enrolledAt: Date;
};

/** What compliance reads of a check-in report. */
export type ReportFacts = {
  securityPatch?: string | undefined;
  apps: readonly { package: string }[];
  policyVersion: number;
  developerOptionsEnabled?: boolean | undefined;
  screenLockSecure?: boolean | undefined;
  lostMode?: unknown;
};

export type ComplianceInput = {
  device: DeviceFacts;
  /** The last report (null: the device never checked in). */
  report: ReportFacts | null;
  policy: EffectivePolicy;
  /** YYYYMM from hardened-os when the policy sets none (null: no minimum). */
  releasesMinimumPatch: number | null;
  /** hardened-os marked the verified-boot key the device last attested compromised. */
  bootKeyCompromised?: boolean;
  now: Date;
};

export type ComplianceVerdict = {
  state: ComplianceState;
  reasons: ComplianceReason[];
  nonCompliantSince: Date | null;
  /** This evaluation moved the device to non_compliant (publish DeviceNonCompliant once). */
  becameNonCompliant: boolean;
};

const HOUR = 3_600_000;

export function evaluateCompliance(input: ComplianceInput): ComplianceVerdict {
  const found = new Set(reasonsOf(input));
  const reasons = COMPLIANCE_REASONS.filter((r) => found.has(r));
  const { device, policy, now } = input;
  if (reasons.length === 0)
    return { state: 'compliant', reasons, nonCompliantSince: null, becameNonCompliant: false };
  const since = device.nonCompliantSince ?? now;
  const graceEnds = since.getTime() + policy.settings.graceHours * HOUR;
  // Grace runs up to, not including, its end: at `since + graceHours` the device is non-compliant.
  const expired = now.getTime() >= graceEnds || reasons.some((r) => NO_GRACE.includes(r));
  const state: ComplianceState = expired ? 'non_compliant' : 'grace';
  return {
    state,
    reasons,
    nonCompliantSince: since,
    becameNonCompliant: state === 'non_compliant' && device.compliance !== 'non_compliant',
  };
}

function reasonsOf({
  device,
  report,
  policy,
  releasesMinimumPatch,
  bootKeyCompromised = false,
  now,
}: ComplianceInput): ComplianceReason[] {
  const s = policy.settings;
  const out: ComplianceReason[] = [];
  if (device.state === 'lost' || (report?.lostMode !== undefined && report.lostMode !== null))
    out.push('DEVICE_LOST');
  if (bootKeyCompromised) out.push('BOOT_KEY_COMPROMISED');
  if (!bootStateOk(device.attestation)) out.push('BOOT_STATE');
  if (now.getTime() - device.lastAttestedAt.getTime() > s.maxAttestationAgeHours * HOUR)
    out.push('ATTESTATION_STALE');
  const minimum = s.minimumPatchLevel !== null ? patchMonthOf(s.minimumPatchLevel) : releasesMinimumPatch;
  if (minimum !== null && !patchOk(device.attestation, report, minimum)) out.push('PATCH_LEVEL');
  const lastSeen = device.lastCheckInAt ?? device.enrolledAt;
  if (now.getTime() - lastSeen.getTime() > OVERDUE_INTERVALS * s.checkInIntervalSeconds * 1000)
    out.push('CHECK_IN_OVERDUE');
  if (report) out.push(...reportReasons(report, policy, now));
  return out;
}

function reportReasons(report: ReportFacts, policy: EffectivePolicy, now: Date): ComplianceReason[] {
  const s = policy.settings;
  const out: ComplianceReason[] = [];
  const applyBy =
    (policy.updatedAt?.getTime() ?? 0) + POLICY_APPLY_INTERVALS * s.checkInIntervalSeconds * 1000;
  if (report.policyVersion !== policy.version && now.getTime() >= applyBy) out.push('POLICY_NOT_APPLIED');
  const installed = new Set(report.apps.map((a) => a.package));
  if (s.requiredApps.some((p) => !installed.has(p))) out.push('REQUIRED_APP_MISSING');
  const allowed = s.allowedApps;
  if (allowed && [...installed].some((p) => !allowed.includes(p))) out.push('FORBIDDEN_APP');
  if (!s.developerOptionsAllowed && report.developerOptionsEnabled === true) out.push('DEVELOPER_OPTIONS');
  if (s.screenLock.required && report.screenLockSecure === false) out.push('SCREEN_LOCK');
  return out;
}

/** The verified-boot key digest the device last attested (lower-case hex), or null. */
export function attestedBootKey(attestation: Record<string, unknown>): string | null {
  const rot = attestation.rootOfTrust as { verifiedBootKey?: unknown } | null | undefined;
  const key = rot && typeof rot === 'object' ? rot.verifiedBootKey : undefined;
  return typeof key === 'string' && key.length > 0 ? key.toLowerCase() : null;
}

/** Verified boot with a locked bootloader, as the hardware attested it (enrolment refuses anything else). */
function bootStateOk(attestation: Record<string, unknown>): boolean {
  const rot = attestation.rootOfTrust as { verifiedBootState?: unknown; deviceLocked?: unknown } | null;
  if (!rot || typeof rot !== 'object') return false;
  return (
    rot.deviceLocked === true &&
    (rot.verifiedBootState === 'Verified' || rot.verifiedBootState === 'SelfSigned')
  );
}

/**
 * The attested OS patch level (hardware) and the reported one (after an update, until the next
 * attestation) must both reach the minimum month; with neither known, the level is not proven.
 */
function patchOk(attestation: Record<string, unknown>, report: ReportFacts | null, minimum: number): boolean {
  const attested = typeof attestation.osPatchLevel === 'number' ? patchMonth(attestation.osPatchLevel) : null;
  const reported = report?.securityPatch ? patchMonthOf(report.securityPatch) : null;
  if (attested === null && reported === null) return false;
  return (attested === null || attested >= minimum) && (reported === null || reported >= minimum);
}
