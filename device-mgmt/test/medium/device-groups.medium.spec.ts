import { AppError, type Principal } from '@pakawaaz/platform';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckInReportInput } from '../../src/check-in/check-in.dto.js';
import { CheckInService } from '../../src/check-in/check-in.service.js';
import { ComplianceSweepService } from '../../src/compliance/compliance-sweep.service.js';
import { DeviceStateRepository } from '../../src/devices/device-state.repository.js';
import { DeviceGroupsService } from '../../src/groups/device-groups.service.js';
import { PoliciesService } from '../../src/policies/policies.service.js';
import { PolicySettingsSchema } from '../../src/policies/policy-settings.js';
import {
  addDevice,
  createDeviceMgmtFixture,
  devicePrincipal,
  DIRECTORY_PEOPLE,
  principal,
  resetDeviceData,
  type DeviceMgmtFixture,
} from '../support/device-mgmt-fixture.js';

/*
 * Device groups on PostgreSQL: the policy a handset follows is its group's, else its institution's, else the
 * national one, always raised to the national floors; joining, leaving or a group's new policy changes the
 * version its next check-in delivers; one institution never sees or changes another's groups.
 */
let fx: DeviceMgmtFixture;
let groups: DeviceGroupsService;
let policies: PoliciesService;
let checkIns: CheckInService;
let devices: DeviceStateRepository;
const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const MISSING = '00000000-0000-4000-8000-000000000000';
const adminA = principal(['device-admin'], A);
const adminB = principal(['device-admin'], B);
const viewerA = principal(['viewer'], A);
const national: Principal = principal(['device-admin']);
const settings = (s: object) => PolicySettingsSchema.parse(s);
const OFFICIAL_A = { userId: 'a0000000-0000-4000-8000-0000000000a1', username: 'field-officer-a' };
const REPORT: CheckInReportInput = {
  osBuild: 'PKZ.2026.11',
  osVersion: '15',
  securityPatch: '2026-11-05',
  apps: [{ package: 'org.pakawaaz.chat', versionCode: 12 }],
  policyVersion: 0,
  batteryPercent: 80,
  screenLockSecure: true,
};

beforeAll(async () => {
  DIRECTORY_PEOPLE[OFFICIAL_A.userId] = {
    ...OFFICIAL_A,
    displayName: 'Field Officer A',
    kind: 'official',
    status: 'active',
    institutionId: A,
    institutionName: 'Ministry A',
  };
  fx = await createDeviceMgmtFixture();
  groups = fx.get(DeviceGroupsService);
  policies = fx.get(PoliciesService);
  checkIns = fx.get(CheckInService);
  devices = fx.get(DeviceStateRepository);
});
afterAll(async () => fx?.close());
beforeEach(async () => resetDeviceData(fx.handle));

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a refusal');
}
const shown = (e: AppError) => ({ code: e.code, status: e.status, message: e.message, details: e.details });

describe('the policy a handset follows', () => {
  it('is its group’s, else its institution’s, else the national one — raised to the national floors', async () => {
    const inGroup = await addDevice(fx.handle, { institutionId: A, imsi: '001010000000011' });
    const outside = await addDevice(fx.handle, { institutionId: A, imsi: '001010000000012' });
    const g = await groups.create(adminA, { name: 'Field officers' }, 'r1');
    await groups.addMembers(g.id, { devices: [inGroup.id] }, adminA, 'r2');
    // No policy of its own yet: the group's devices follow the institution's (here the built-in default).
    expect(await groups.getPolicy(g.id, adminA)).toMatchObject({ source: 'default', version: 0 });
    const nat = await policies.put('national', { settings: settings({ graceHours: 12 }) }, national, null);
    const inst = await policies.put(
      A,
      { settings: settings({ graceHours: 12, cameraAllowed: false }) },
      adminA,
      null,
    );
    expect(await groups.getPolicy(g.id, viewerA)).toMatchObject({
      source: 'institution',
      version: inst.version,
    });
    // A group may be looser than its institution where the national policy allows it (camera), never looser
    // than the national floors.
    const floor = await refusal(
      groups.putPolicy(g.id, { settings: settings({ graceHours: 48, cameraAllowed: true }) }, adminA, 'r3'),
    );
    expect(shown(floor)).toMatchObject({
      code: 'policy_below_national_floor',
      status: 422,
      details: { fields: ['graceHours'] },
    });
    const own = await groups.putPolicy(
      g.id,
      { settings: settings({ graceHours: 6, cameraAllowed: true, screenshotsAllowed: false }) },
      adminA,
      'r4',
    );
    expect(own).toMatchObject({ source: 'group', scope: `group:${g.id}` });
    expect([nat.version, inst.version, own.version]).toEqual([1, 2, 3]);

    const grouped = await checkIns.checkIn(devicePrincipal(inGroup), REPORT);
    expect(grouped.policy).toEqual({
      version: 3,
      settings: settings({ graceHours: 6, cameraAllowed: true, screenshotsAllowed: false }),
    });
    expect((await checkIns.checkIn(devicePrincipal(outside), REPORT)).policy?.version).toBe(2);
    // The national policy tightened later binds the group at once, under the national (newer) version.
    const tightened = await policies.put(
      'national',
      { settings: settings({ graceHours: 12, cameraAllowed: false }) },
      national,
      null,
    );
    const raised = await checkIns.checkIn(devicePrincipal(inGroup), { ...REPORT, policyVersion: 3 });
    expect(raised.policy).toEqual({
      version: tightened.version,
      settings: settings({ graceHours: 6, cameraAllowed: false, screenshotsAllowed: false }),
    });
    // The group's policy is not listed among the institutions' (it is read through its group).
    expect((await policies.list(national)).policies.map((p) => p.scope)).toEqual(['national', A]);
  });

  it('changes version when the handset joins, leaves or its group’s policy changes: the next check-in delivers it', async () => {
    const d = await addDevice(fx.handle, { institutionId: A });
    const me = devicePrincipal(d);
    const inst = await policies.put(A, { settings: settings({ cameraAllowed: false }) }, adminA, null);
    const g = await groups.create(adminA, { name: 'Cabinet' }, 'r1');
    const other = await groups.create(adminA, { name: 'Drivers' }, 'r2');
    const own = await groups.putPolicy(g.id, { settings: settings({ usbDataAllowed: false }) }, adminA, 'r3');
    // Applied the institution's: nothing to send (this check-in also makes the node remember the row).
    expect((await checkIns.checkIn(me, { ...REPORT, policyVersion: inst.version })).policy).toBeNull();
    expect((await checkIns.checkIn(me, { ...REPORT, policyVersion: inst.version })).policy).toBeNull();

    await groups.addMembers(g.id, { devices: [d.id] }, adminA, 'r4');
    const joined = await checkIns.checkIn(me, { ...REPORT, policyVersion: inst.version });
    expect(joined.policy).toEqual({ version: own.version, settings: settings({ usbDataAllowed: false }) });
    expect((await checkIns.checkIn(me, { ...REPORT, policyVersion: own.version })).policy).toBeNull();

    const changed = await groups.putPolicy(
      g.id,
      { settings: settings({ usbDataAllowed: false, cameraAllowed: false }), baseVersion: own.version },
      adminA,
      'r5',
    );
    const next = await checkIns.checkIn(me, { ...REPORT, policyVersion: own.version });
    expect(next.policy?.version).toBe(changed.version);
    // A stale baseVersion is refused (someone changed the group's policy in between).
    expect(
      (
        await refusal(
          groups.putPolicy(g.id, { settings: settings({}), baseVersion: own.version }, adminA, 'r6'),
        )
      ).code,
    ).toBe('policy_changed');

    // Moving to a group without a policy of its own: the institution's again. A device is in one group only.
    await groups.addMembers(other.id, { devices: [d.id] }, adminA, 'r7');
    expect((await devices.find(d.id))?.groupId).toBe(other.id);
    expect((await groups.show(g.id, adminA)).devices).toEqual([]);
    const moved = await checkIns.checkIn(me, { ...REPORT, policyVersion: changed.version });
    expect(moved.policy?.version).toBe(inst.version);

    // Leaving the group, or the group being deleted, leaves the institution's in force.
    await groups.addMembers(g.id, { devices: [d.id] }, adminA, 'r8');
    expect((await checkIns.checkIn(me, { ...REPORT, policyVersion: inst.version })).policy?.version).toBe(
      changed.version,
    );
    expect(await groups.delete(g.id, adminA, 'r9')).toEqual({ id: g.id, deleted: true, released: 1 });
    expect((await devices.find(d.id))?.groupId).toBeNull();
    expect((await checkIns.checkIn(me, { ...REPORT, policyVersion: changed.version })).policy?.version).toBe(
      inst.version,
    );
  });
});

describe('the compliance sweep', () => {
  it("holds a group's handsets to the group's policy, the others to their institution's or the national one", async () => {
    const grouped = await addDevice(fx.handle, { institutionId: A, imsi: '001010000000031' });
    const inInstitution = await addDevice(fx.handle, { institutionId: A, imsi: '001010000000032' });
    const national = await addDevice(fx.handle, { imsi: '001010000000033' });
    await policies.put(A, { settings: settings({ cameraAllowed: false }) }, adminA, null);
    const g = await groups.create(adminA, { name: 'Cabinet' }, 'r1');
    await groups.addMembers(g.id, { devices: [grouped.id] }, adminA, 'r2');
    // The group's handsets must check in every 5 minutes; the others every 15 (the default).
    await groups.putPolicy(
      g.id,
      { settings: settings({ cameraAllowed: false, checkInIntervalSeconds: 300 }) },
      adminA,
      'r3',
    );
    for (const d of [grouped, inInstitution, national]) await checkIns.checkIn(devicePrincipal(d), REPORT);
    // 16 minutes later: overdue under the group's 3 × 5 minutes, not under anyone else's 3 × 15.
    const sweep = fx.get(ComplianceSweepService);
    await sweep.sweep(new Date(Date.now() + 16 * 60_000));
    // (It never applied the group's policy either: two of its intervals have passed.)
    expect((await devices.find(grouped.id))?.complianceReasons).toEqual([
      'CHECK_IN_OVERDUE',
      'POLICY_NOT_APPLIED',
    ]);
    expect((await devices.find(inInstitution.id))?.compliance).toBe('compliant');
    expect((await devices.find(national.id))?.compliance).toBe('compliant');
    await sweep.sweep(new Date(Date.now() + 46 * 60_000));
    expect((await devices.find(inInstitution.id))?.complianceReasons).toContain('CHECK_IN_OVERDUE');
    expect((await devices.find(national.id))?.complianceReasons).toEqual(['CHECK_IN_OVERDUE']);
  });
});

describe('membership', () => {
  it('adds an official’s live handsets by username, names are unique per institution, rename and remove', async () => {
    const d1 = await addDevice(fx.handle, {
      institutionId: A,
      userId: OFFICIAL_A.userId,
      imsi: '001010000000021',
    });
    const d2 = await addDevice(fx.handle, {
      institutionId: A,
      userId: OFFICIAL_A.userId,
      imsi: '001010000000022',
    });
    await addDevice(fx.handle, { institutionId: A, userId: OFFICIAL_A.userId, state: 'retired', imsi: null });
    const g = await groups.create(adminA, { name: 'Field officers' }, 'r1');
    const shownGroup = await groups.addMembers(g.id, { officials: [OFFICIAL_A.username] }, adminA, 'r2');
    expect(shownGroup.devices.map((d) => d.id).sort()).toEqual([d1.id, d2.id].sort());
    expect(shownGroup.devices[0]?.official.username).toBe(OFFICIAL_A.username);
    expect((await refusal(groups.create(adminA, { name: 'FIELD OFFICERS' }, 'r3'))).code).toBe(
      'device_group_name_taken',
    );
    // Two operators creating the same name at once: one group, the other gets the 409 too.
    const both = await Promise.allSettled([
      groups.create(adminA, { name: 'Drivers' }, 'c1'),
      groups.create(adminA, { name: 'drivers' }, 'c2'),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = both.find((r) => r.status === 'rejected');
    expect((lost?.reason as AppError | undefined)?.code).toBe('device_group_name_taken');
    await groups.delete(
      (await groups.list(adminA)).groups.find((x) => x.name.toLowerCase() === 'drivers')!.id,
      adminA,
      'c3',
    );
    // The same name in another institution is another group.
    await groups.create(adminB, { name: 'Field officers' }, 'r4');
    const cabinet = await groups.create(adminA, { name: 'Cabinet' }, 'r5');
    expect((await refusal(groups.rename(cabinet.id, 'field officers', adminA, 'r6'))).code).toBe(
      'device_group_name_taken',
    );
    expect((await groups.rename(g.id, 'Field staff', adminA, 'r7')).name).toBe('Field staff');
    const after = await groups.removeMember(g.id, d1.id, adminA, 'r8');
    expect(after.devices.map((d) => d.id)).toEqual([d2.id]);
    expect((await refusal(groups.removeMember(g.id, d1.id, adminA, 'r9'))).code).toBe('device_not_found');
    expect((await groups.list(adminA)).groups.map((x) => [x.name, x.members])).toEqual([
      ['Cabinet', 0],
      ['Field staff', 1],
    ]);
    // A national operator names the institution.
    expect((await refusal(groups.create(national, { name: 'X' }, 'r10'))).code).toBe(
      'device_group_institution_required',
    );
    expect((await groups.create(national, { name: 'X', institutionId: A }, 'r11')).institutionId).toBe(A);
  });
});

describe('institution scope', () => {
  it('another institution’s group answers exactly like a missing one, on every operation', async () => {
    const dA = await addDevice(fx.handle, { institutionId: A, userId: OFFICIAL_A.userId });
    const gA = await groups.create(adminA, { name: 'Cabinet' }, 'r1');
    await groups.addMembers(gA.id, { devices: [dA.id] }, adminA, 'r2');
    await groups.putPolicy(gA.id, { settings: settings({ cameraAllowed: false }) }, adminA, 'r3');
    const missing = shown(await refusal(groups.show(MISSING, adminB)));
    expect(missing).toMatchObject({ code: 'device_group_not_found', status: 404 });
    const attempts: (() => Promise<unknown>)[] = [
      () => groups.show(gA.id, adminB),
      () => groups.rename(gA.id, 'Taken by B', adminB, 'x'),
      () => groups.delete(gA.id, adminB, 'x'),
      () => groups.addMembers(gA.id, { devices: [dA.id] }, adminB, 'x'),
      () => groups.removeMember(gA.id, dA.id, adminB, 'x'),
      () => groups.getPolicy(gA.id, adminB),
      () => groups.putPolicy(gA.id, { settings: settings({}) }, adminB, 'x'),
    ];
    for (const attempt of attempts) expect(shown(await refusal(attempt()))).toEqual(missing);
    expect((await groups.list(adminB)).groups).toEqual([]);
    expect((await groups.list(adminB, A)).groups).toEqual([]);
    // B cannot pull A's handset or A's official into B's own group, nor create a group in A.
    const gB = await groups.create(adminB, { name: 'Cabinet' }, 'r4');
    expect((await refusal(groups.addMembers(gB.id, { devices: [dA.id] }, adminB, 'x'))).code).toBe(
      'device_not_found',
    );
    expect(
      (await refusal(groups.addMembers(gB.id, { officials: [OFFICIAL_A.username] }, adminB, 'x'))).code,
    ).toBe('official_not_found');
    expect((await refusal(groups.create(adminB, { name: 'Y', institutionId: A }, 'x'))).code).toBe(
      'out_of_scope',
    );
    // A viewer reads but does not change.
    expect((await refusal(groups.rename(gA.id, 'Viewer', viewerA, 'x'))).status).toBe(403);
    // A's group is as it was.
    expect(await groups.show(gA.id, adminA)).toMatchObject({
      name: 'Cabinet',
      policy: { source: 'group' },
      devices: [{ id: dA.id }],
    });
  });
});
