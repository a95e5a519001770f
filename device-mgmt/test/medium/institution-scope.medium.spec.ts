import { AppError } from '@pakawaaz/platform';
import { refusal } from '@pakawaaz/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommandsService } from '../../src/commands/commands.service.js';
import { PoliciesService } from '../../src/policies/policies.service.js';
import { PolicySettingsSchema } from '../../src/policies/policy-settings.js';
import {
  addDevice,
  createDeviceMgmtFixture,
  principal,
  resetDeviceData,
  type DeviceMgmtFixture,
} from '../support/device-mgmt-fixture.js';

/*
 * Institution scope on every operator operation of this slice: an institution's device-admin acts on its own
 * devices and policy only; another institution's device or policy answers exactly as one that does not exist.
 */
let fx: DeviceMgmtFixture;
let commands: CommandsService;
let policies: PoliciesService;
const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const MISSING = '00000000-0000-4000-8000-000000000000';
const adminA = principal(['device-admin'], A);
const adminB = principal(['device-admin'], B);
const national = principal(['device-admin']);
const settings = (s: object) => PolicySettingsSchema.parse(s);

beforeAll(async () => {
  fx = await createDeviceMgmtFixture();
  commands = fx.get(CommandsService);
  policies = fx.get(PoliciesService);
});
afterAll(async () => fx?.close());
beforeEach(async () => resetDeviceData(fx.handle));

/** What a refusal shows the caller: another institution's row must look exactly like a missing one. */
const shown = (e: AppError) => ({ code: e.code, status: e.status, message: e.message, details: e.details });

describe('commands', () => {
  it('another institution’s device is not found on every command operation, exactly like a missing one', async () => {
    const dA = await addDevice(fx.handle, { institutionId: A });
    const cmd = (await commands.create(dA.id, { type: 'lock' }, adminA, null)).command;
    const missing = shown(await refusal(commands.list(MISSING, adminB)));
    expect(missing).toMatchObject({ code: 'device_not_found', status: 404 });
    expect(shown(await refusal(commands.create(dA.id, { type: 'wipe' }, adminB, null)))).toEqual(missing);
    expect(shown(await refusal(commands.list(dA.id, adminB)))).toEqual(missing);
    expect(shown(await refusal(commands.cancel(dA.id, cmd.id, adminB, null)))).toEqual(missing);
    // Nothing was queued or cancelled by B.
    expect((await commands.list(dA.id, adminA)).commands.map((c) => [c.type, c.state])).toEqual([
      ['lock', 'queued'],
    ]);
  });

  it('a device of no institution is national: institution operators cannot reach it', async () => {
    const dN = await addDevice(fx.handle);
    expect((await refusal(commands.list(dN.id, adminA))).code).toBe('device_not_found');
    expect((await commands.list(dN.id, national)).commands).toEqual([]);
  });

  it('national operators reach every institution’s devices', async () => {
    const dA = await addDevice(fx.handle, { institutionId: A });
    expect((await commands.create(dA.id, { type: 'reboot' }, national, null)).created).toBe(true);
  });
});

describe('policies', () => {
  it('an institution sees the national policy and its own, never another’s', async () => {
    await policies.put('national', { settings: settings({ graceHours: 12 }) }, national, null);
    await policies.put(A, { settings: settings({ cameraAllowed: false, graceHours: 12 }) }, adminA, null);
    await policies.put(B, { settings: settings({ graceHours: 1 }) }, national, null);
    expect((await policies.list(adminA)).policies.map((p) => [p.scope, p.source, p.version])).toEqual([
      ['national', 'national', 1],
      [A, 'institution', 2],
    ]);
    expect((await policies.list(national)).policies.map((p) => p.scope)).toEqual(['national', A, B]);
    expect((await policies.get(A, adminA)).settings.cameraAllowed).toBe(false);
    const missing = shown(await refusal(policies.get(MISSING, adminA)));
    expect(missing.code).toBe('policy_not_found');
    expect(shown(await refusal(policies.get(B, adminA)))).toEqual(missing);
    expect(shown(await refusal(policies.put(B, { settings: settings({}) }, adminA, null)))).toEqual(missing);
  });

  it('an institution without its own policy shows the national one; national is changed by national principals only', async () => {
    expect(await policies.get(A, adminA)).toMatchObject({ scope: A, source: 'default', version: 0 });
    const refused = await refusal(policies.put('national', { settings: settings({}) }, adminA, null));
    expect([refused.code, refused.status]).toEqual(['national_only', 403]);
    await policies.put('national', { settings: settings({ graceHours: 6 }) }, national, null);
    expect(await policies.get(A, adminA)).toMatchObject({ scope: A, source: 'national', version: 1 });
  });

  it('baseVersion guards against a change made in between (409 policy_changed); history is kept', async () => {
    const v1 = await policies.put(A, { settings: settings({}), baseVersion: 0 }, adminA, null);
    const v2 = await policies.put(
      A,
      { settings: settings({ cameraAllowed: false }), baseVersion: v1.version },
      adminA,
      null,
    );
    const stale = await refusal(
      policies.put(A, { settings: settings({}), baseVersion: v1.version }, adminA, null),
    );
    expect([stale.code, stale.status, stale.details]).toEqual([
      'policy_changed',
      409,
      { baseVersion: v1.version, currentVersion: v2.version },
    ]);
    expect((await policies.get(A, adminA)).version).toBe(v2.version);
  });

  it('refuses an institution’s policy weaker than the national one (422, naming the settings)', async () => {
    await policies.put(
      'national',
      { settings: settings({ minimumPatchLevel: '2026-09', requiredApps: ['gov.chat'], graceHours: 12 }) },
      national,
      null,
    );
    const weaker = settings({
      screenLock: { required: false },
      minimumPatchLevel: '2026-01',
      graceHours: 12,
    });
    for (const by of [adminA, national]) {
      const refused = await refusal(policies.put(A, { settings: weaker }, by, null));
      expect([refused.code, refused.status, refused.details]).toEqual([
        'policy_below_national_floor',
        422,
        { fields: ['screenLock.required', 'requiredApps', 'minimumPatchLevel'] },
      ]);
    }
    expect((await policies.get(A, adminA)).source).toBe('national');
    const ok = settings({ requiredApps: ['gov.chat'], minimumPatchLevel: '2026-10', graceHours: 2 });
    expect((await policies.put(A, { settings: ok }, adminA, null)).source).toBe('institution');
  });

  it('raises an institution’s policy to a national policy tightened later (the effective policy)', async () => {
    const own = await policies.put(A, { settings: settings({ cameraAllowed: false }) }, adminA, null);
    // A national policy it is already as strict as changes nothing: the institution's own version.
    await policies.put('national', { settings: settings({ cameraAllowed: false }) }, national, null);
    expect(await policies.effective(A)).toMatchObject({ version: own.version, settings: own.settings });
    const tightened = await policies.put(
      'national',
      {
        settings: settings({
          checkInIntervalSeconds: 300,
          maxAttestationAgeHours: 6,
          requiredApps: ['gov.chat'],
        }),
      },
      national,
      null,
    );
    const effective = await policies.effective(A);
    // The national version, newer than the one handsets applied: they are sent the raised settings.
    expect(effective.version).toBe(tightened.version);
    // In force since the national change: handsets get their usual time to apply it (no POLICY_NOT_APPLIED
    // dated back to the institution's older policy).
    expect(effective.updatedAt).toEqual(tightened.updatedAt);
    expect(effective.settings).toEqual(
      settings({
        cameraAllowed: false,
        checkInIntervalSeconds: 300,
        maxAttestationAgeHours: 6,
        requiredApps: ['gov.chat'],
      }),
    );
  });

  it('keeps a policy with the longest app list (the audit records its digest, not the list)', async () => {
    const allowedApps = Array.from({ length: 1000 }, (_, i) => `gov.ministry.apps.department${i}.client`);
    const saved = await policies.put(A, { settings: settings({ allowedApps }) }, adminA, null);
    expect((await policies.get(A, adminA)).version).toBe(saved.version);
  });
});
