import { describe, expect, it } from 'vitest';
import { weakerThanNational, withNationalFloors } from './policy-floors.js';
import { PolicySettingsSchema } from './policy-settings.js';

const settings = (s: object) => PolicySettingsSchema.parse(s);

const NATIONAL = settings({
  screenLock: { required: true, minLength: 8, maxIdleSeconds: 120 },
  cameraAllowed: false,
  usbDataAllowed: false,
  screenshotsAllowed: false,
  developerOptionsAllowed: false,
  allowedApps: ['gov.chat', 'gov.mail', 'gov.docs'],
  requiredApps: ['gov.chat'],
  maxAttestationAgeHours: 12,
  minimumPatchLevel: '2026-09',
  graceHours: 6,
  checkInIntervalSeconds: 600,
});

describe('weakerThanNational', () => {
  it('accepts a policy as strict as the national one, or stricter', () => {
    expect(weakerThanNational(NATIONAL, NATIONAL)).toEqual([]);
    const stricter = settings({
      ...NATIONAL,
      screenLock: { required: true, minLength: 12, maxIdleSeconds: 60 },
      allowedApps: ['gov.chat'],
      requiredApps: ['gov.chat'],
      maxAttestationAgeHours: 6,
      minimumPatchLevel: '2026-11',
      graceHours: 0,
      checkInIntervalSeconds: 300,
      updateWindow: { start: '22:00', end: '23:00' }, // scheduling, not a floor
    });
    expect(weakerThanNational(stricter, NATIONAL)).toEqual([]);
  });

  it('names every weaker setting', () => {
    const weaker = settings({
      screenLock: { required: false, minLength: 4, maxIdleSeconds: 600 },
      cameraAllowed: true,
      usbDataAllowed: true,
      screenshotsAllowed: true,
      developerOptionsAllowed: true,
      allowedApps: ['gov.chat', 'com.game'],
      requiredApps: ['gov.chat'],
      maxAttestationAgeHours: 48,
      minimumPatchLevel: '2026-08',
      graceHours: 24,
      checkInIntervalSeconds: 900,
    });
    expect(weakerThanNational(weaker, NATIONAL)).toEqual([
      'screenLock.required',
      'screenLock.minLength',
      'screenLock.maxIdleSeconds',
      'cameraAllowed',
      'usbDataAllowed',
      'screenshotsAllowed',
      'developerOptionsAllowed',
      'allowedApps',
      'maxAttestationAgeHours',
      'minimumPatchLevel',
      'graceHours',
      'checkInIntervalSeconds',
    ]);
  });

  it('refuses dropping a required app, dropping the allow-list, or no patch floor under a national one', () => {
    const own = settings({ ...NATIONAL, requiredApps: [], allowedApps: undefined, minimumPatchLevel: null });
    expect(weakerThanNational(own, NATIONAL)).toEqual(['allowedApps', 'requiredApps', 'minimumPatchLevel']);
  });

  it('lets an institution turn on what the national policy leaves off', () => {
    const lax = settings({
      screenLock: { required: false, minLength: 4, maxIdleSeconds: 3600 },
      cameraAllowed: true,
    });
    const own = settings({ requiredApps: ['gov.x'], minimumPatchLevel: '2026-01', usbDataAllowed: false });
    expect(weakerThanNational(own, lax)).toEqual([]);
  });
});

describe('withNationalFloors', () => {
  it('raises each weaker setting to the national one and keeps the stricter ones', () => {
    const own = settings({
      screenLock: { required: false, minLength: 10, maxIdleSeconds: 600 },
      cameraAllowed: true,
      allowedApps: ['gov.chat', 'gov.docs', 'com.game'],
      requiredApps: ['gov.docs'],
      maxAttestationAgeHours: 6,
      minimumPatchLevel: '2026-01',
      graceHours: 24,
      checkInIntervalSeconds: 300,
      updateWindow: { start: '01:00', end: '02:00' },
    });
    const merged = withNationalFloors(own, NATIONAL);
    expect(merged).toEqual({
      screenLock: { required: true, minLength: 10, maxIdleSeconds: 120 },
      cameraAllowed: false,
      usbDataAllowed: false,
      screenshotsAllowed: false,
      developerOptionsAllowed: false,
      allowedApps: ['gov.chat', 'gov.docs'],
      requiredApps: ['gov.docs', 'gov.chat'],
      updateWindow: { start: '01:00', end: '02:00' },
      maxAttestationAgeHours: 6,
      minimumPatchLevel: '2026-09',
      graceHours: 6,
      checkInIntervalSeconds: 300,
      allowDesktop: true,
    });
    expect(weakerThanNational(merged, NATIONAL)).toEqual([]);
    // Still a valid policy (required apps allowed).
    expect(PolicySettingsSchema.parse(merged)).toEqual(merged);
  });

  it('keeps desktop devices forbidden for every institution when the national policy forbids them', () => {
    const national = settings({ allowDesktop: false });
    expect(weakerThanNational(settings({ allowDesktop: true }), national)).toEqual(['allowDesktop']);
    expect(withNationalFloors(settings({ allowDesktop: true }), national).allowDesktop).toBe(false);
    expect(withNationalFloors(settings({ allowDesktop: false }), settings({})).allowDesktop).toBe(false);
  });

  it('gives the national allow-list to an institution without one, with the national required apps in it', () => {
    const merged = withNationalFloors(settings({}), NATIONAL);
    expect(merged.allowedApps).toEqual(['gov.chat', 'gov.mail', 'gov.docs']);
    expect(merged.requiredApps).toEqual(['gov.chat']);
  });

  it('changes nothing in a policy that is already stricter', () => {
    expect(withNationalFloors(NATIONAL, settings({}))).toEqual(NATIONAL);
  });

  it('drops an app the institution requires when a national allow-list tightened later leaves it out', () => {
    const own = settings({ allowedApps: ['gov.health', 'gov.chat'], requiredApps: ['gov.health'] });
    const merged = withNationalFloors(own, NATIONAL);
    expect(merged.allowedApps).toEqual(['gov.chat']);
    expect(merged.requiredApps).toEqual(['gov.chat']);
    // A required app outside the allow-list would be a policy no handset can satisfy (and the schema refuses).
    expect(PolicySettingsSchema.parse(merged)).toEqual(merged);
  });

  it('binds the lock length and idle time only where the national policy requires a screen lock', () => {
    const national = settings({ screenLock: { required: false, minLength: 8, maxIdleSeconds: 60 } });
    const own = settings({ screenLock: { required: true, minLength: 4, maxIdleSeconds: 600 } });
    expect(weakerThanNational(own, national)).toEqual([]);
    expect(withNationalFloors(own, national).screenLock).toEqual(own.screenLock);
  });
});
