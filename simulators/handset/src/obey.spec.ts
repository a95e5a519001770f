import { describe, expect, it } from 'vitest';
import { failsUpdate, obey, type HandsetState } from './obey.js';
import type { VerifiedUpdate } from './ota-client.js';

const base: HandsetState = {
  locked: false,
  retired: false,
  lostMode: false,
  lastBootAt: '2026-12-01T00:00:00.000Z',
  apps: [{ package: 'org.pakawaaz.agent', versionCode: 1 }],
  osBuild: 'PKZ.1',
};
const now = new Date('2026-12-04T10:00:00Z');

describe('a simulated handset obeying commands', () => {
  it('locks, and acknowledges the command it obeyed', () => {
    const r = obey(base, { id: 'c1', type: 'lock' }, now);
    expect(r.state.locked).toBe(true);
    expect(r.ack).toEqual({ commandId: 'c1', state: 'succeeded' });
  });

  it('forgets its identity on wipe and relinquish (it stops checking in)', () => {
    expect(obey(base, { id: 'c', type: 'wipe' }, now).state).toMatchObject({ retired: true, apps: [] });
    expect(obey(base, { id: 'c', type: 'relinquish' }, now).state.retired).toBe(true);
  });

  it('reboots (a new boot time, locked after boot)', () => {
    expect(obey(base, { id: 'c', type: 'reboot' }, now).state).toMatchObject({
      lastBootAt: now.toISOString(),
      locked: true,
    });
  });

  it('installs and uninstalls apps, and fails what it cannot do, saying why', () => {
    const installed = obey(
      base,
      { id: 'i', type: 'install_app', params: { package: 'gov.mail', versionCode: 7 } },
      now,
    );
    expect(installed.state.apps).toContainEqual({ package: 'gov.mail', versionCode: 7 });
    const removed = obey(
      installed.state,
      { id: 'u', type: 'uninstall_app', params: { package: 'gov.mail' } },
      now,
    );
    expect(removed.state.apps.map((a) => a.package)).toEqual(['org.pakawaaz.agent']);
    // The kill switch's uninstall names its version: a handset on another version keeps it.
    const kept = obey(
      installed.state,
      { id: 'k', type: 'uninstall_app', params: { package: 'gov.mail', versionCode: 6 } },
      now,
    );
    expect(kept.state.apps).toContainEqual({ package: 'gov.mail', versionCode: 7 });
    expect(kept.ack.state).toBe('failed');
    expect(kept.ack.detail).toMatch(/^app_version_mismatch: /);
    const exact = obey(
      installed.state,
      { id: 'e', type: 'uninstall_app', params: { package: 'gov.mail', versionCode: 7 } },
      now,
    );
    expect(exact.state.apps.map((a) => a.package)).toEqual(['org.pakawaaz.agent']);
    expect(obey(base, { id: 'x', type: 'uninstall_app', params: { package: 'gov.mail' } }, now).ack).toEqual({
      commandId: 'x',
      state: 'failed',
      detail: 'not installed',
    });
    expect(obey(base, { id: 'y', type: 'self_destruct' }, now).ack.state).toBe('failed');
  });

  it('with a store, installs only what the installer verified, and a refusal changes nothing', () => {
    const command = {
      id: 'i',
      type: 'install_app',
      params: { package: 'gov.mail', versionCode: 7, apkSha256: 'a'.repeat(64) },
    };
    const refused = obey(base, command, now, {}, undefined, {
      ok: false,
      detail: 'apk_hash_mismatch: the APK downloaded hashes to …',
    });
    expect(refused.state).toEqual(base);
    expect(refused.ack).toEqual({
      commandId: 'i',
      state: 'failed',
      detail: 'apk_hash_mismatch: the APK downloaded hashes to …',
    });
    const app = { package: 'gov.mail', versionCode: 7, apkSha256: 'a'.repeat(64), signers: ['b'.repeat(64)] };
    const crashed = { ...base, apps: [...base.apps, { ...app, versionCode: 6, crashes: 3 }] };
    const upgraded = obey(crashed, command, now, {}, undefined, { ok: true, app });
    expect(upgraded.ack).toEqual({ commandId: 'i', state: 'succeeded' });
    // The new version's crashes count from its install.
    expect(upgraded.state.apps).toEqual([base.apps[0], app]);
  });

  it('applies a verified OS update (the signed build, version, patch level, a new boot) or fails it as a lab fault', () => {
    const command = {
      id: 'u',
      type: 'update_os',
      params: {
        version: '15.1',
        buildId: 'PKZ.2026.12',
        fingerprint: 'pakawaaz/lab/PKZ.2026.12:user/release-keys',
        securityPatchLevel: '2026-12-05',
      },
    };
    const verified: VerifiedUpdate = {
      ok: true,
      name: 'labphone/15.1/full.zip',
      sha256: 'ab'.repeat(32),
      length: 10,
      target: {
        model: 'labphone',
        buildId: 'PKZ.2026.12',
        version: '15.1',
        securityPatchLevel: '2026-12-05',
        kind: 'full',
      },
    };
    expect(obey(base, command, now, {}, verified)).toEqual({
      state: {
        ...base,
        osBuild: 'PKZ.2026.12',
        osVersion: '15.1',
        securityPatch: '2026-12-05',
        lastBootAt: now.toISOString(),
      },
      ack: { commandId: 'u', state: 'succeeded' },
    });
    expect(obey(base, command, now, { failUpdates: true }, verified)).toEqual({
      state: base,
      ack: { commandId: 'u', state: 'failed', detail: 'install verification failed' },
    });
  });

  it('installs nothing the OTA client did not verify, and says why', () => {
    const command = { id: 'u', type: 'update_os', params: { version: '15.1' } };
    expect(obey(base, command, now)).toEqual({
      state: base,
      ack: { commandId: 'u', state: 'failed', detail: 'tuf: the update was not verified' },
    });
    const expired: VerifiedUpdate = { ok: false, detail: 'tuf: timestamp metadata expired' };
    expect(obey(base, command, now, {}, expired)).toEqual({
      state: base,
      ack: { commandId: 'u', state: 'failed', detail: 'tuf: timestamp metadata expired' },
    });
  });

  it('fails updates on a stable fraction of handsets, chosen by device id', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `device-${i}`);
    const failing = ids.filter((id) => failsUpdate(id, 0.25));
    expect(failing.length / ids.length).toBeGreaterThan(0.2);
    expect(failing.length / ids.length).toBeLessThan(0.3);
    expect(ids.filter((id) => failsUpdate(id, 0.25))).toEqual(failing);
    // Widening the fault keeps the handsets that already failed.
    expect(failing.every((id) => failsUpdate(id, 0.5))).toBe(true);
    expect(ids.some((id) => failsUpdate(id, 0))).toBe(false);
    expect(ids.every((id) => failsUpdate(id, 1))).toBe(true);
  });
});
