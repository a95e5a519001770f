import { describe, expect, it } from 'vitest';
import type { PlatformConfig } from '@pakawaaz/platform';
import { loadDeviceMgmtConfig } from './device-mgmt.config.js';

const platform = (seedDemo: boolean) =>
  ({ dataDir: '/srv/pakawaaz', HOST: '127.0.0.1', seedDemo }) as unknown as PlatformConfig;

describe('the demo fleet and the lab root', () => {
  it('runs the demo fleet and trusts the lab root with demo data, by default', () => {
    const c = loadDeviceMgmtConfig({}, platform(true));
    expect(c).toMatchObject({ demoFleet: true, trustLabRoot: true });
    expect(c.labRootFile).toBe('/srv/pakawaaz/lab/attestation-root.pem');
  });

  it('never runs it, nor trusts the lab root, without demo data (production), even when asked', () => {
    expect(loadDeviceMgmtConfig({}, platform(false))).toMatchObject({
      demoFleet: false,
      trustLabRoot: false,
    });
    expect(loadDeviceMgmtConfig({ PAKAWAAZ_DEMO_FLEET: 'true' }, platform(false)).demoFleet).toBe(false);
  });

  it('turns off with PAKAWAAZ_DEMO_FLEET=false, and with it the lab root unless trusted explicitly', () => {
    expect(loadDeviceMgmtConfig({ PAKAWAAZ_DEMO_FLEET: 'false' }, platform(true))).toMatchObject({
      demoFleet: false,
      trustLabRoot: false,
    });
    const trusted = { PAKAWAAZ_DEMO_FLEET: 'false', PAKAWAAZ_TRUST_LAB_ROOT: '1' };
    expect(loadDeviceMgmtConfig(trusted, platform(true)).trustLabRoot).toBe(true);
  });

  it('does not run when the lab root is explicitly distrusted: its handsets could not enrol', () => {
    const c = loadDeviceMgmtConfig({ PAKAWAAZ_TRUST_LAB_ROOT: 'false' }, platform(true));
    expect(c).toMatchObject({ demoFleet: false, trustLabRoot: false });
  });
});

describe('the check-in group commit', () => {
  it('writes up to 64 check-ins in one statement by default; 1 turns it off; out of range stops the start', () => {
    expect(loadDeviceMgmtConfig({}, platform(false)).checkInBatch).toBe(64);
    expect(loadDeviceMgmtConfig({ PAKAWAAZ_CHECK_IN_BATCH: '1' }, platform(false)).checkInBatch).toBe(1);
    for (const bad of ['0', '257', 'many'])
      expect(() => loadDeviceMgmtConfig({ PAKAWAAZ_CHECK_IN_BATCH: bad }, platform(false))).toThrow(
        /PAKAWAAZ_CHECK_IN_BATCH/,
      );
  });
});

describe('what enrolling a desktop takes', () => {
  it('a sign-in of the last 300 s with a second factor (aal2); aal1 with the demo data, whose officials hold none', () => {
    expect(loadDeviceMgmtConfig({}, platform(false)).desktopEnrolment).toEqual({
      maxAuthAgeSeconds: 300,
      acr: 'aal2',
    });
    expect(loadDeviceMgmtConfig({}, platform(true)).desktopEnrolment.acr).toBe('aal1');
    const set = { PAKAWAAZ_DESKTOP_ENROL_MAX_AUTH_AGE_SECONDS: '60', PAKAWAAZ_DESKTOP_ENROL_ACR: 'aal3' };
    expect(loadDeviceMgmtConfig(set, platform(true)).desktopEnrolment).toEqual({
      maxAuthAgeSeconds: 60,
      acr: 'aal3',
    });
    for (const bad of [
      { PAKAWAAZ_DESKTOP_ENROL_MAX_AUTH_AGE_SECONDS: '5' },
      { PAKAWAAZ_DESKTOP_ENROL_ACR: 'aal4' },
    ])
      expect(() => loadDeviceMgmtConfig(bad, platform(false))).toThrow(/PAKAWAAZ_DESKTOP_ENROL_/);
  });
});
