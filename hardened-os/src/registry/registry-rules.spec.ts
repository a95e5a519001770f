import { describe, expect, it } from 'vitest';
import {
  bootKeyVerdict,
  channelsFor,
  FINGERPRINT,
  floorFor,
  latestOf,
  NATIONAL_FLOOR,
  patchMonthOf,
  type KeyRow,
} from './registry-rules.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('patch levels', () => {
  it('compares by month, as attestation does (YYYY-MM-DD and YYYY-MM)', () => {
    expect(patchMonthOf('2024-08-05')).toBe(202408);
    expect(patchMonthOf('2024-08')).toBe(202408);
    expect(patchMonthOf('2024-13-01')).toBeNull();
    expect(patchMonthOf('20240805')).toBeNull();
  });
});

describe('fingerprints', () => {
  it('accepts Build.FINGERPRINT as Android composes it and refuses other text', () => {
    // The format of android.os.Build.FINGERPRINT (AOSP build/make/core/sysprop.mk), a real Pixel 8 value.
    expect(FINGERPRINT.test('google/shiba/shiba:14/AP2A.240805.005/12025142:user/release-keys')).toBe(true);
    expect(FINGERPRINT.test('google/shiba/shiba:14/AP2A.240805.005')).toBe(false);
    expect(FINGERPRINT.test('google shiba')).toBe(false);
  });
});

describe('channels and the latest release', () => {
  const at = (s: number) => new Date(s * 1000);
  const rows = [
    { id: 1, model: 'shiba', channel: 'stable', securityPatchLevel: '2024-07-05', createdAt: at(1) },
    { id: 2, model: 'shiba', channel: 'beta', securityPatchLevel: '2024-08-05', createdAt: at(2) },
    { id: 3, model: 'shiba', channel: 'pilot', securityPatchLevel: '2024-09-05', createdAt: at(3) },
    { id: 4, model: 'husky', channel: 'stable', securityPatchLevel: '2024-12-05', createdAt: at(4) },
    { id: 5, model: 'shiba', channel: 'stable', securityPatchLevel: '2024-07-05', createdAt: at(5) },
  ] as const;

  it('widens from stable to beta to pilot', () => {
    expect(channelsFor('stable')).toEqual(['stable']);
    expect(channelsFor('beta')).toEqual(['stable', 'beta']);
    expect(channelsFor('pilot')).toEqual(['stable', 'beta', 'pilot']);
  });

  it('picks the highest patch level of the model on the channel, then the newest added', () => {
    expect(latestOf(rows, 'shiba', 'stable')?.id).toBe(5);
    expect(latestOf(rows, 'shiba', 'beta')?.id).toBe(2);
    expect(latestOf(rows, 'shiba', 'pilot')?.id).toBe(3);
    expect(latestOf(rows, 'husky', 'beta')?.id).toBe(4);
    expect(latestOf(rows, 'felix', 'pilot')).toBeNull();
  });
});

describe('patch floors', () => {
  it("uses the institution's floor, else the national one, else none", () => {
    const floors = new Map([
      [NATIONAL_FLOOR, 202401],
      ['inst-1', 202406],
    ]);
    expect(floorFor(floors, 'inst-1')).toBe(202406);
    expect(floorFor(floors, 'inst-2')).toBe(202401);
    expect(floorFor(floors, null)).toBe(202401);
    expect(floorFor(new Map(), 'inst-1')).toBeNull();
  });

  it('never lets an institution fall below the national floor: the higher of the two applies', () => {
    const floors = new Map([
      [NATIONAL_FLOOR, 202406],
      ['inst-lax', 202401],
    ]);
    expect(floorFor(floors, 'inst-lax')).toBe(202406);
    expect(floorFor(new Map([['inst-lax', 202401]]), 'inst-lax')).toBe(202401);
  });
});

describe('boot key verdicts', () => {
  const keys: KeyRow[] = [
    { model: 'shiba', digest: A, status: 'active' },
    { model: 'husky', digest: B, status: 'retired' },
  ];

  it('knows a key on its own model, in any case of hex', () => {
    expect(bootKeyVerdict(keys, 'shiba', A.toUpperCase())).toBe('active');
    expect(bootKeyVerdict(keys, 'husky', B)).toBe('retired');
  });

  it("does not take another model's key, but matches any model when the model is not known", () => {
    expect(bootKeyVerdict(keys, 'husky', A)).toBe('unknown');
    expect(bootKeyVerdict(keys, null, A)).toBe('active');
    expect(bootKeyVerdict(keys, 'shiba', 'c'.repeat(64))).toBe('unknown');
  });

  it('calls a key compromised on every model once it is compromised on one', () => {
    const leaked: KeyRow[] = [...keys, { model: 'felix', digest: A, status: 'compromised' }];
    expect(bootKeyVerdict(leaked, 'shiba', A)).toBe('compromised');
    expect(bootKeyVerdict(leaked, null, A)).toBe('compromised');
  });
});
