import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY_SETTINGS,
  PolicySettingsSchema,
  type EffectivePolicy,
} from '../policies/policy-settings.js';
import {
  evaluateCompliance,
  type ComplianceInput,
  type DeviceFacts,
  type ReportFacts,
} from './compliance.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

const attested = {
  rootOfTrust: { verifiedBootKey: 'ab', deviceLocked: true, verifiedBootState: 'SelfSigned' },
  osPatchLevel: 202611,
};
const device = (over: Partial<DeviceFacts> = {}): DeviceFacts => ({
  state: 'active',
  compliance: 'compliant',
  nonCompliantSince: null,
  attestation: attested,
  lastAttestedAt: ago(HOUR),
  lastCheckInAt: ago(60_000),
  enrolledAt: ago(30 * 24 * HOUR),
  ...over,
});
const report = (over: Partial<ReportFacts> = {}): ReportFacts => ({
  securityPatch: '2026-11-05',
  apps: [{ package: 'org.pakawaaz.chat' }],
  policyVersion: 3,
  developerOptionsEnabled: false,
  screenLockSecure: true,
  ...over,
});
const policy = (settings: object = {}, over: Partial<EffectivePolicy> = {}): EffectivePolicy => ({
  scope: 'national',
  version: 3,
  settings: PolicySettingsSchema.parse(settings),
  updatedAt: ago(30 * 24 * HOUR),
  ...over,
});
const evaluate = (over: Partial<ComplianceInput> = {}) =>
  evaluateCompliance({
    device: device(),
    report: report(),
    policy: policy(),
    releasesMinimumPatch: null,
    now: NOW,
    ...over,
  });

describe('compliance reasons', () => {
  it('a healthy device that applied the policy is compliant, with no reasons', () => {
    expect(evaluate()).toEqual({
      state: 'compliant',
      reasons: [],
      nonCompliantSince: null,
      becameNonCompliant: false,
    });
  });

  it.each([
    ['ATTESTATION_STALE', { device: device({ lastAttestedAt: ago(24 * HOUR + 1) }) }],
    [
      'BOOT_STATE',
      {
        device: device({
          attestation: { ...attested, rootOfTrust: { ...attested.rootOfTrust, deviceLocked: false } },
        }),
      },
    ],
    ['BOOT_STATE', { device: device({ attestation: { osPatchLevel: 202611, rootOfTrust: null } }) }],
    ['PATCH_LEVEL', { policy: policy({ minimumPatchLevel: '2026-12' }) }],
    ['PATCH_LEVEL', { releasesMinimumPatch: 202612 }],
    ['CHECK_IN_OVERDUE', { device: device({ lastCheckInAt: ago(3 * 900_000 + 1) }) }],
    ['POLICY_NOT_APPLIED', { report: report({ policyVersion: 2 }) }],
    ['REQUIRED_APP_MISSING', { policy: policy({ requiredApps: ['org.pakawaaz.mail'] }) }],
    ['FORBIDDEN_APP', { policy: policy({ allowedApps: ['org.pakawaaz.mail'] }) }],
    ['DEVELOPER_OPTIONS', { report: report({ developerOptionsEnabled: true }) }],
    ['SCREEN_LOCK', { report: report({ screenLockSecure: false }) }],
    ['DEVICE_LOST', { report: report({ lostMode: {} }) }],
    ['DEVICE_LOST', { device: device({ state: 'lost' }) }],
    ['BOOT_KEY_COMPROMISED', { bootKeyCompromised: true }],
  ] as const)('%s', (reason, over) => {
    expect(evaluate(over).reasons).toEqual([reason]);
  });

  it('what the handset does not report is unknown, never a reason', () => {
    const silent = report({ developerOptionsEnabled: undefined, screenLockSecure: undefined });
    expect(evaluate({ report: silent }).reasons).toEqual([]);
    expect(evaluate({ report: null }).reasons).toEqual([]);
  });

  it('allowed settings are no reasons: developer options allowed, no screen lock required', () => {
    const lax = policy({ developerOptionsAllowed: true, screenLock: { required: false } });
    expect(
      evaluate({ policy: lax, report: report({ developerOptionsEnabled: true, screenLockSecure: false }) })
        .reasons,
    ).toEqual([]);
  });

  it('patch levels: the policy’s month beats the releases’; attested and reported must both reach it; neither known fails', () => {
    expect(
      evaluate({ policy: policy({ minimumPatchLevel: '2026-11' }), releasesMinimumPatch: 202701 }).reasons,
    ).toEqual([]);
    expect(
      evaluate({ report: report({ securityPatch: '2026-10-05' }), releasesMinimumPatch: 202611 }).reasons,
    ).toEqual(['PATCH_LEVEL']);
    // A YYYYMMDD attested level compares by month.
    const daily = device({ attestation: { ...attested, osPatchLevel: 20261105 } });
    expect(evaluate({ device: daily, releasesMinimumPatch: 202611 }).reasons).toEqual([]);
    const unknown = device({ attestation: { rootOfTrust: attested.rootOfTrust } });
    expect(evaluate({ device: unknown, report: null, releasesMinimumPatch: 202611 }).reasons).toEqual([
      'PATCH_LEVEL',
    ]);
  });

  it('a changed policy is not held against the device for two check-in intervals', () => {
    const fresh = policy({}, { version: 4, updatedAt: ago(2 * 900_000 - 1) });
    expect(evaluate({ policy: fresh }).reasons).toEqual([]);
    expect(evaluate({ policy: { ...fresh, updatedAt: ago(2 * 900_000) } }).reasons).toEqual([
      'POLICY_NOT_APPLIED',
    ]);
  });

  it('exact boundaries: attestation age and overdue are "more than", not "at"', () => {
    expect(evaluate({ device: device({ lastAttestedAt: ago(24 * HOUR) }) }).reasons).toEqual([]);
    expect(evaluate({ device: device({ lastCheckInAt: ago(3 * 900_000) }) }).reasons).toEqual([]);
    // Never checked in: counted from enrolment.
    expect(
      evaluate({ device: device({ lastCheckInAt: null, enrolledAt: ago(3 * 900_000 + 1) }) }).reasons,
    ).toEqual(['CHECK_IN_OVERDUE']);
  });

  it('lists several reasons in their stable order', () => {
    const r = evaluate({
      device: device({ lastAttestedAt: ago(48 * HOUR) }),
      report: report({ screenLockSecure: false, developerOptionsEnabled: true, lostMode: {} }),
    });
    expect(r.reasons).toEqual(['DEVICE_LOST', 'ATTESTATION_STALE', 'DEVELOPER_OPTIONS', 'SCREEN_LOCK']);
  });
});

describe('grace', () => {
  const failing = report({ screenLockSecure: false });

  it('a compromised boot key skips grace: non_compliant at once, like a lost handset', () => {
    expect(evaluate({ bootKeyCompromised: true })).toEqual({
      state: 'non_compliant',
      reasons: ['BOOT_KEY_COMPROMISED'],
      nonCompliantSince: NOW,
      becameNonCompliant: true,
    });
  });

  it('a new reason starts grace now', () => {
    expect(evaluate({ report: failing })).toEqual({
      state: 'grace',
      reasons: ['SCREEN_LOCK'],
      nonCompliantSince: NOW,
      becameNonCompliant: false,
    });
  });

  it('grace runs up to, not including, nonCompliantSince + graceHours; then non_compliant, once', () => {
    const since = ago(24 * HOUR - 1);
    const inGrace = evaluate({
      report: failing,
      device: device({ compliance: 'grace', nonCompliantSince: since }),
    });
    expect(inGrace).toMatchObject({ state: 'grace', nonCompliantSince: since, becameNonCompliant: false });
    const at = ago(24 * HOUR);
    const expired = evaluate({
      report: failing,
      device: device({ compliance: 'grace', nonCompliantSince: at }),
    });
    expect(expired).toMatchObject({
      state: 'non_compliant',
      nonCompliantSince: at,
      becameNonCompliant: true,
    });
    const again = evaluate({
      report: failing,
      device: device({ compliance: 'non_compliant', nonCompliantSince: at }),
    });
    expect(again).toMatchObject({ state: 'non_compliant', becameNonCompliant: false });
  });

  it('graceHours from the policy; 0 means no grace', () => {
    expect(evaluate({ report: failing, policy: policy({ graceHours: 0 }) }).state).toBe('non_compliant');
    const since = ago(2 * HOUR);
    const d = device({ compliance: 'grace', nonCompliantSince: since });
    expect(evaluate({ report: failing, device: d, policy: policy({ graceHours: 2 }) }).state).toBe(
      'non_compliant',
    );
    expect(evaluate({ report: failing, device: d, policy: policy({ graceHours: 3 }) }).state).toBe('grace');
  });

  it('a lost device gets no grace', () => {
    expect(evaluate({ report: report({ lostMode: {} }) })).toMatchObject({
      state: 'non_compliant',
      becameNonCompliant: true,
    });
  });

  it('back to compliant clears nonCompliantSince', () => {
    const d = device({ compliance: 'non_compliant', nonCompliantSince: ago(48 * HOUR) });
    expect(evaluate({ device: d })).toMatchObject({ state: 'compliant', nonCompliantSince: null });
  });
});

describe('policy settings', () => {
  it('{} is the documented national default', () => {
    expect(DEFAULT_POLICY_SETTINGS).toEqual({
      screenLock: { required: true, minLength: 6, maxIdleSeconds: 300 },
      cameraAllowed: true,
      usbDataAllowed: false,
      screenshotsAllowed: false,
      developerOptionsAllowed: false,
      requiredApps: [],
      updateWindow: { start: '02:00', end: '05:00' },
      maxAttestationAgeHours: 24,
      minimumPatchLevel: null,
      graceHours: 24,
      checkInIntervalSeconds: 900,
      allowDesktop: true,
    });
  });

  it.each([
    [{ unknown: true }, ''],
    [{ screenLock: { required: true, pin: 4 } }, 'screenLock'],
    [{ screenLock: { minLength: 2 } }, 'screenLock.minLength'],
    [{ updateWindow: { start: '24:00', end: '05:00' } }, 'updateWindow.start'],
    [{ minimumPatchLevel: '2026-13' }, 'minimumPatchLevel'],
    [{ minimumPatchLevel: '2026-1' }, 'minimumPatchLevel'],
    [{ requiredApps: ['not a package'] }, 'requiredApps.0'],
    [{ allowedApps: ['org.a.b'], requiredApps: ['org.c.d'] }, 'allowedApps'],
    [{ checkInIntervalSeconds: 10 }, 'checkInIntervalSeconds'],
    [{ graceHours: -1 }, 'graceHours'],
    [{ cameraAllowed: 'yes' }, 'cameraAllowed'],
  ])('refuses %j (at %s)', (input, path) => {
    const r = PolicySettingsSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
