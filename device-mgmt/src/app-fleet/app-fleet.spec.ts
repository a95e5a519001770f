import { describe, expect, it } from 'vitest';
import { APP_FLEET_PARAMS } from '../commands/command-types.js';
import { appsOf, attestationFailed, isAppFleetKey, prefixEnd } from './app-fleet.js';

// SHA-256 of "abc" (FIPS 180-4, appendix B.1).
const SHA_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('the app store’s install parameters', () => {
  it('name the exact APK: package, versionCode and a lower-case hex SHA-256, nothing more', () => {
    const ok = { package: 'gov.pk.mail', versionCode: 11, apkSha256: SHA_ABC };
    expect(APP_FLEET_PARAMS.install_app.parse(ok)).toEqual(ok);
    for (const bad of [
      { package: 'gov.pk.mail', versionCode: 11 },
      { package: 'gov.pk.mail', apkSha256: SHA_ABC },
      { ...ok, apkSha256: SHA_ABC.toUpperCase() },
      { ...ok, apkSha256: SHA_ABC.slice(2) },
      { ...ok, apkSha256: `${SHA_ABC.slice(1)}z` },
      { ...ok, versionCode: 0 },
      { ...ok, extra: true },
    ])
      expect(APP_FLEET_PARAMS.install_app.safeParse(bad).success).toBe(false);
    // The store's uninstall names the version (a handset on another version keeps it).
    expect(APP_FLEET_PARAMS.uninstall_app.safeParse({ package: 'gov.pk.mail', versionCode: 1 }).success).toBe(
      true,
    );
    expect(APP_FLEET_PARAMS.uninstall_app.safeParse({ package: 'gov.pk.mail' }).success).toBe(false);
    expect(
      APP_FLEET_PARAMS.uninstall_app.safeParse({ package: 'gov.pk.mail', versionCode: 1, extra: 1 }).success,
    ).toBe(false);
  });
});

describe('keys and key prefixes', () => {
  it('start with app: and have at most 200 characters (code points)', () => {
    expect(isAppFleetKey('app:r1:d1')).toBe(true);
    expect(isAppFleetKey(`app:${'x'.repeat(196)}`)).toBe(true);
    expect(isAppFleetKey(`app:${'x'.repeat(197)}`)).toBe(false);
    expect(isAppFleetKey(`app:${'😀'.repeat(196)}`)).toBe(true);
    expect(isAppFleetKey('APP:r1')).toBe(false);
    expect(isAppFleetKey('ap')).toBe(false);
  });

  it('a prefix’s range end bounds exactly the keys that start with it, in code point order', () => {
    expect(prefixEnd('app:r1:')).toBe('app:r1;');
    expect(prefixEnd('app:z')).toBe('app:{');
    expect(prefixEnd('app:\u{10ffff}\u{10ffff}')).toBe('app;');
    expect(prefixEnd('app:\ud7ff')).toBe('app:\ue000');
    expect(prefixEnd('\u{10ffff}')).toBeUndefined();
    const byCodePoint = (a: string, b: string) => {
      const x = [...a].map((c) => c.codePointAt(0)!);
      const y = [...b].map((c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return x.length - y.length;
    };
    const prefix = 'app:r1:';
    const end = prefixEnd(prefix)!;
    const keys = [
      'app:r1',
      'app:r1:',
      'app:r1:\u{10ffff}x',
      'app:r1:a',
      'app:r1;',
      'app:r10',
      'app:r2',
      'app:r1:é',
    ];
    const inRange = keys.filter((k) => byCodePoint(k, prefix) >= 0 && byCodePoint(k, end) < 0);
    expect(inRange).toEqual(keys.filter((k) => k.startsWith(prefix)));
  });
});

describe('a device as the store sees it', () => {
  it('apps come from the stored report, crashes 0 when the handset counted none', () => {
    expect(
      appsOf([
        { package: 'gov.pk.mail', versionCode: 11, crashes: 4 },
        { package: 'gov.pk.chat', versionCode: 3 },
      ]),
    ).toEqual([
      { package: 'gov.pk.mail', versionCode: 11, crashes: 4 },
      { package: 'gov.pk.chat', versionCode: 3, crashes: 0 },
    ]);
    expect(appsOf(null)).toEqual([]);
    expect(appsOf(undefined)).toEqual([]);
  });

  it('attestation failed: boot state, compromised boot key or stale evidence; not patch level or the rest', () => {
    for (const r of ['BOOT_STATE', 'BOOT_KEY_COMPROMISED', 'ATTESTATION_STALE'])
      expect(attestationFailed(['CHECK_IN_OVERDUE', r])).toBe(true);
    expect(attestationFailed([])).toBe(false);
    expect(attestationFailed(['PATCH_LEVEL', 'DEVICE_LOST', 'FORBIDDEN_APP', 'SCREEN_LOCK'])).toBe(false);
  });
});
