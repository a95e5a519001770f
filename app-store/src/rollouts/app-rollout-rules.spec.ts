import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FleetCommandOutcome, FleetDevice } from './app-fleet.js';
import {
  addSums,
  appAutoHaltReason,
  deviceSums,
  figuresOf,
  NO_SUMS,
  appBucket,
  inRollout,
  installKey,
  installKeyPrefix,
  mandatoryInstallKey,
  rolloutInstallPrefix,
  needsInstall,
  rolloutComplete,
  runsVersion,
  uninstallKey,
  weighVersion,
} from './app-rollout-rules.js';

const APP = '3f1e8a52-1b1c-4b1e-9f0a-2a6f4b7c9d01';
const PKG = 'gov.pk.mail';
const dev = (id: string, apps: FleetDevice['apps'] = [], attestationFailed = false): FleetDevice => ({
  id,
  institutionId: 'i',
  apps,
  attestationFailed,
});
const limits = { failureThreshold: 0.05, minDevices: 5 };

describe('the device bucket', () => {
  it('is the first 4 bytes of SHA-256(appId:deviceId), big-endian, mod 10000', () => {
    // Computed independently of the function: the digest's first 4 bytes as one big-endian integer.
    const hex = createHash('sha256').update(`${APP}:device-1`).digest('hex').slice(0, 8);
    expect(appBucket(APP, 'device-1')).toBe(parseInt(hex, 16) % 10_000);
  });

  it('keeps every earlier device when widening, and takes about the share asked for', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `d${i}`);
    const at10 = ids.filter((d) => inRollout(APP, d, 10));
    const at50 = new Set(ids.filter((d) => inRollout(APP, d, 50)));
    expect(at10.every((d) => at50.has(d))).toBe(true);
    expect(at10.length).toBeGreaterThan(850);
    expect(at10.length).toBeLessThan(1150);
    expect(ids.every((d) => inRollout(APP, d, 100))).toBe(true);
  });

  it('differs between apps (not always the same devices first)', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `d${i}`);
    const a = ids.filter((d) => inRollout(APP, d, 10));
    const b = ids.filter((d) => inRollout('another-app', d, 10));
    expect(a).not.toEqual(b);
  });
});

describe('which devices need the install', () => {
  it('those without the package or with an older versionCode', () => {
    expect(needsInstall(dev('a'), PKG, 5)).toBe(true);
    expect(needsInstall(dev('a', [{ package: 'other', versionCode: 9, crashes: 0 }]), PKG, 5)).toBe(true);
    expect(needsInstall(dev('a', [{ package: PKG, versionCode: 4, crashes: 0 }]), PKG, 5)).toBe(true);
    expect(needsInstall(dev('a', [{ package: PKG, versionCode: 5, crashes: 0 }]), PKG, 5)).toBe(false);
    expect(needsInstall(dev('a', [{ package: PKG, versionCode: 6, crashes: 0 }]), PKG, 5)).toBe(false);
  });

  it('the kill switch takes exactly the version', () => {
    expect(runsVersion(dev('a', [{ package: PKG, versionCode: 5, crashes: 0 }]), PKG, 5)).toBe(true);
    expect(runsVersion(dev('a', [{ package: PKG, versionCode: 6, crashes: 0 }]), PKG, 5)).toBe(false);
  });

  it('keys stay within the port’s 200 characters', () => {
    const uuid = '0d9f3f2e-8a52-4d0e-9a8c-2b8d6f7f1c11';
    expect(installKey(uuid, uuid, uuid)).toBe(`app:install:${uuid}:${uuid}:${uuid}`);
    expect(installKey(uuid, uuid, uuid).length).toBeLessThanOrEqual(200);
    expect(installKey(uuid, 'r', 'd').startsWith(rolloutInstallPrefix(uuid, 'r'))).toBe(true);
    expect(mandatoryInstallKey(uuid, uuid)).toBe(`app:install:${uuid}:${uuid}`);
    // A mandatory install is under the version's prefix (the kill cancels it) but under no rollout's.
    expect(mandatoryInstallKey(uuid, uuid).startsWith(installKeyPrefix(uuid))).toBe(true);
    expect(mandatoryInstallKey(uuid, uuid).startsWith(rolloutInstallPrefix(uuid, uuid))).toBe(false);
    expect(uninstallKey(uuid, 'x'.repeat(100)).length).toBeLessThanOrEqual(200);
  });
});

describe('weighing a version', () => {
  it('counts failed installs, crashes and attestation failures once per device', () => {
    const f = weighVersion(
      PKG,
      5,
      [
        { deviceId: 'a', state: 'succeeded' },
        { deviceId: 'b', state: 'failed' },
        { deviceId: 'c', state: 'queued' },
        { deviceId: 'd', state: 'succeeded' },
        { deviceId: 'e', state: 'expired' },
      ],
      [
        dev('a', [{ package: PKG, versionCode: 5, crashes: 2 }], true),
        dev('b', [{ package: PKG, versionCode: 4, crashes: 9 }]),
        dev('c'),
        dev('d', [{ package: PKG, versionCode: 5, crashes: 0 }]),
        // Reporting it, crashing, with no install command: its own word, not weighed.
        dev('f', [{ package: PKG, versionCode: 5, crashes: 7 }]),
        // Failing attestation without the version: not the version's fault.
        dev('g', [], true),
      ],
    );
    // e expired: never taken, not attempted.
    expect(f).toEqual({
      queued: 5,
      installed: 2,
      failed: 1,
      crashing: 1,
      attestationFailures: 1,
      attempted: 3,
      failures: 2,
      failureRate: 2 / 3,
    });
  });

  it('is the sum of each device’s part, however the devices are split into passes', () => {
    const states = new Map<string, FleetCommandOutcome['state']>([
      ['a', 'succeeded'],
      ['b', 'failed'],
      ['c', 'queued'],
      ['d', 'succeeded'],
      ['e', 'expired'],
    ]);
    const devices = [
      dev('a', [{ package: PKG, versionCode: 5, crashes: 2 }], true),
      dev('b', [{ package: PKG, versionCode: 4, crashes: 9 }]),
      dev('c'),
      dev('d', [{ package: PKG, versionCode: 5, crashes: 0 }]),
      dev('e'),
      dev('f', [{ package: PKG, versionCode: 5, crashes: 0 }]),
      dev('g', [], true),
    ];
    const part = (d: FleetDevice) => deviceSums(PKG, 5, d, states.get(d.id), d.id !== 'g');
    const first = devices.slice(0, 3).map(part).reduce(addSums, NO_SUMS);
    const rest = devices.slice(3).map(part).reduce(addSums, NO_SUMS);
    const total = addSums(first, rest);
    expect(figuresOf(total)).toEqual(
      weighVersion(
        PKG,
        5,
        [...states].map(([deviceId, state]) => ({ deviceId, state })),
        devices,
      ),
    );
    // In the share: all but g; lacking version 5 (or newer): b, c, e.
    expect(total).toMatchObject({ targeted: 6, stillNeeding: 3 });
    // A command withdrawn before the handset took it is no attempt.
    expect(deviceSums(PKG, 5, dev('h'), 'cancelled', true)).toMatchObject({ queued: 1, attempted: 0 });
    expect(deviceSums(PKG, 5, dev('h'), 'expired', true)).toMatchObject({ queued: 1, attempted: 0 });
    // Crashing without a command of its own: weighed only when another key installed it, and in the share.
    const crashy = dev('i', [{ package: PKG, versionCode: 5, crashes: 1 }]);
    expect(deviceSums(PKG, 5, crashy, undefined, true)).toMatchObject({ attempted: 0, failures: 0 });
    expect(deviceSums(PKG, 5, crashy, undefined, false, true)).toMatchObject({ attempted: 0, failures: 0 });
    expect(deviceSums(PKG, 5, crashy, undefined, true, true)).toMatchObject({ attempted: 1, crashing: 1 });
  });

  it('halts over the threshold with the reason in words and figures', () => {
    const devices = Array.from({ length: 20 }, (_, i) =>
      dev(`d${i}`, [{ package: PKG, versionCode: 5, crashes: i < 2 ? 1 : 0 }]),
    );
    const f = weighVersion(
      PKG,
      5,
      devices.map((d) => ({ deviceId: d.id, state: 'succeeded' as const })),
      devices,
    );
    expect(appAutoHaltReason(f, limits)).toBe(
      'failure rate 10.0% (2 of 20 devices: 0 failed installs, 2 crashing, 0 failed attestation) is over the threshold of 5.0%',
    );
  });

  it('does not halt at the threshold, nor below minDevices', () => {
    const twenty = Array.from({ length: 20 }, (_, i) =>
      dev(`d${i}`, [{ package: PKG, versionCode: 5, crashes: i < 1 ? 1 : 0 }]),
    );
    const at = weighVersion(
      PKG,
      5,
      twenty.map((d) => ({ deviceId: d.id, state: 'succeeded' as const })),
      twenty,
    );
    expect(at.failureRate).toBe(0.05);
    expect(appAutoHaltReason(at, limits)).toBeNull();
    const few = weighVersion(
      PKG,
      5,
      [
        { deviceId: 'a', state: 'failed' },
        { deviceId: 'b', state: 'failed' },
        { deviceId: 'c', state: 'failed' },
        { deviceId: 'd', state: 'failed' },
      ],
      [],
    );
    expect(few.failureRate).toBe(1);
    expect(appAutoHaltReason(few, limits)).toBeNull();
    expect(appAutoHaltReason(few, { ...limits, minDevices: 4 })).toMatch(/^failure rate 100\.0% \(4 of 4/);
  });

  it('completes at 100 % once no device lacks the version', () => {
    expect(rolloutComplete(100, 0)).toBe(true);
    expect(rolloutComplete(100, 1)).toBe(false);
    expect(rolloutComplete(50, 0)).toBe(false);
  });
});
