import { describe, expect, it } from 'vitest';
import { patchLevelOf } from './device-admin.repository.js';

describe('a handset’s patch level in the devices list', () => {
  it('is the month it reported at check-in, else the attested OS patch level (YYYYMM → YYYY-MM)', () => {
    expect(
      patchLevelOf({ lastReport: { securityPatch: '2026-02-05' }, attestation: { osPatchLevel: 202511 } }),
    ).toBe('2026-02');
    expect(patchLevelOf({ lastReport: null, attestation: { osPatchLevel: 202511 } })).toBe('2025-11');
    expect(patchLevelOf({ lastReport: {}, attestation: { osPatchLevel: '202603' } })).toBe('2026-03');
  });

  it('is unknown when neither says', () => {
    expect(patchLevelOf({ lastReport: null, attestation: {} })).toBeNull();
    expect(
      patchLevelOf({ lastReport: { securityPatch: 5 }, attestation: { osPatchLevel: null } }),
    ).toBeNull();
  });
});
