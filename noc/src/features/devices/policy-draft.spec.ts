import { describe, expect, it } from 'vitest';
import type { DevicePolicy, PolicySettings } from './types';
import { baseVersionOf, draftOf, settingsOf } from './policy-draft';

const SETTINGS: PolicySettings = {
  screenLock: { required: true, minLength: 6, maxIdleSeconds: 300 },
  cameraAllowed: true,
  usbDataAllowed: false,
  screenshotsAllowed: false,
  developerOptionsAllowed: false,
  requiredApps: ['org.pakawaaz.chat'],
  updateWindow: { start: '02:00', end: '05:00' },
  maxAttestationAgeHours: 24,
  minimumPatchLevel: null,
  graceHours: 24,
  checkInIntervalSeconds: 900,
  allowDesktop: true,
};

describe('policy form', () => {
  it('gives back the settings it was made from', () => {
    expect(settingsOf(draftOf(SETTINGS))).toEqual(SETTINGS);
    const restricted = { ...SETTINGS, allowedApps: ['org.pakawaaz.chat', 'org.example.maps'] };
    expect(settingsOf(draftOf(restricted))).toEqual(restricted);
  });

  it('reads package lists one per line (or separated by commas and spaces), the patch month empty as none', () => {
    const draft = {
      ...draftOf(SETTINGS),
      requiredApps: ' a.b\n\nc.d, e.f ',
      minimumPatchLevel: '',
      checkInMinutes: '5',
    };
    const settings = settingsOf(draft);
    expect(settings.requiredApps).toEqual(['a.b', 'c.d', 'e.f']);
    expect(settings.minimumPatchLevel).toBeNull();
    expect(settings.checkInIntervalSeconds).toBe(300);
    expect(settings.allowedApps).toBeUndefined();
  });

  it("saves against the scope's own version, 0 while it follows the national policy or the default", () => {
    const policy = (source: DevicePolicy['source'], version: number) =>
      ({ scope: 'x', source, version, settings: SETTINGS, updatedBy: null, updatedAt: null }) as DevicePolicy;
    expect(baseVersionOf('national', policy('national', 7))).toBe(7);
    expect(baseVersionOf('national', policy('default', 0))).toBe(0);
    expect(baseVersionOf('inst-1', policy('institution', 9))).toBe(9);
    expect(baseVersionOf('inst-1', policy('national', 7))).toBe(0);
  });
});
