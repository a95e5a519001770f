import { typedList } from '../../format';
import type { DevicePolicy, PolicySettings } from './types';

/** The form's text for a list of packages: one per line. */
const lines = (list: readonly string[] | undefined): string => (list ?? []).join('\n');

export type PolicyDraft = {
  screenLockRequired: boolean;
  minLength: string;
  maxIdleSeconds: string;
  cameraAllowed: boolean;
  usbDataAllowed: boolean;
  screenshotsAllowed: boolean;
  developerOptionsAllowed: boolean;
  allowDesktop: boolean;
  restrictApps: boolean;
  allowedApps: string;
  requiredApps: string;
  updateStart: string;
  updateEnd: string;
  maxAttestationAgeHours: string;
  minimumPatchLevel: string;
  graceHours: string;
  checkInMinutes: string;
};

export function draftOf(s: PolicySettings): PolicyDraft {
  return {
    screenLockRequired: s.screenLock.required,
    minLength: String(s.screenLock.minLength),
    maxIdleSeconds: String(s.screenLock.maxIdleSeconds),
    cameraAllowed: s.cameraAllowed,
    usbDataAllowed: s.usbDataAllowed,
    screenshotsAllowed: s.screenshotsAllowed,
    developerOptionsAllowed: s.developerOptionsAllowed,
    allowDesktop: s.allowDesktop,
    restrictApps: s.allowedApps !== undefined,
    allowedApps: lines(s.allowedApps),
    requiredApps: lines(s.requiredApps),
    updateStart: s.updateWindow.start,
    updateEnd: s.updateWindow.end,
    maxAttestationAgeHours: String(s.maxAttestationAgeHours),
    minimumPatchLevel: s.minimumPatchLevel ?? '',
    graceHours: String(s.graceHours),
    checkInMinutes: String(Math.round(s.checkInIntervalSeconds / 60)),
  };
}

export function settingsOf(d: PolicyDraft): PolicySettings {
  return {
    screenLock: {
      required: d.screenLockRequired,
      minLength: Number(d.minLength),
      maxIdleSeconds: Number(d.maxIdleSeconds),
    },
    cameraAllowed: d.cameraAllowed,
    usbDataAllowed: d.usbDataAllowed,
    screenshotsAllowed: d.screenshotsAllowed,
    developerOptionsAllowed: d.developerOptionsAllowed,
    allowDesktop: d.allowDesktop,
    ...(d.restrictApps ? { allowedApps: typedList(d.allowedApps) } : {}),
    requiredApps: typedList(d.requiredApps),
    updateWindow: { start: d.updateStart, end: d.updateEnd },
    maxAttestationAgeHours: Number(d.maxAttestationAgeHours),
    minimumPatchLevel: d.minimumPatchLevel || null,
    graceHours: Number(d.graceHours),
    checkInIntervalSeconds: Number(d.checkInMinutes) * 60,
  };
}

/** The version a save is made against: the scope's own policy's, 0 while it follows another. */
export function baseVersionOf(scope: string, policy: DevicePolicy): number {
  const own =
    scope === 'national'
      ? policy.source === 'national'
      : scope.startsWith('group:')
        ? policy.source === 'group'
        : policy.source === 'institution';
  return own ? policy.version : 0;
}
