import { AppError, defineEvent, EVENT_BUS, type EventBus, type Principal } from '@pakawaaz/platform';
import { z } from 'zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { CheckInRepository } from '../../src/check-in/check-in.repository.js';
import { deviceCommands } from '../../src/commands/device-commands.schema.js';
import { deviceCertificates } from '../../src/device-ca/device-ca.schema.js';
import { CheckInService } from '../../src/check-in/check-in.service.js';
import type { CheckInReportInput } from '../../src/check-in/check-in.dto.js';
import { CommandsService } from '../../src/commands/commands.service.js';
import { ComplianceSweepService } from '../../src/compliance/compliance-sweep.service.js';
import { DeviceLost, DeviceNonCompliant } from '../../src/device-mgmt.events.js';
import { DeviceStateRepository } from '../../src/devices/device-state.repository.js';
import { PoliciesService } from '../../src/policies/policies.service.js';
import { PolicySettingsSchema } from '../../src/policies/policy-settings.js';
import {
  addDevice,
  createDeviceMgmtFixture,
  devicePrincipal,
  principal,
  resetDeviceData,
  type DeviceMgmtFixture,
} from '../support/device-mgmt-fixture.js';

/*
 * The check-in against PostgreSQL: policy delivery only when the handset applied another version, what is
 * stored of a report (no location without a delivered locate command), compliance transitions and their
 * events (each once, only with an IMSI), and the sweep for devices that stop checking in.
 */
let fx: DeviceMgmtFixture;
let checkIns: CheckInService;
let policies: PoliciesService;
let devices: DeviceStateRepository;
const national: Principal = principal(['device-admin']);
const INSTITUTION = '11111111-1111-4111-8111-111111111111';
const HOUR = 3_600_000;

const REPORT: CheckInReportInput = {
  osBuild: 'PKZ.2026.11',
  osVersion: '15',
  securityPatch: '2026-11-05',
  apps: [{ package: 'org.pakawaaz.chat', versionCode: 12 }],
  policyVersion: 0,
  batteryPercent: 80,
  screenLockSecure: true,
};
const settings = (s: object) => PolicySettingsSchema.parse(s);

beforeAll(async () => {
  fx = await createDeviceMgmtFixture();
  checkIns = fx.get(CheckInService);
  policies = fx.get(PoliciesService);
  devices = fx.get(DeviceStateRepository);
});
afterAll(async () => fx?.close());
beforeEach(async () => {
  await resetDeviceData(fx.handle);
  fx.events.length = 0;
});

const ofType = (type: string) => fx.events.filter((e) => e.type === type);
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('policy delivery', () => {
  it('sends the policy only when the handset applied another version; the institution’s own beats the national one', async () => {
    const d = await addDevice(fx.handle, { institutionId: INSTITUTION });
    const me = devicePrincipal(d);
    // Built-in default (version 0) already applied: nothing to send.
    const first = await checkIns.checkIn(me, REPORT);
    expect(first).toMatchObject({
      policy: null,
      commands: [],
      compliance: { state: 'compliant', reasons: [] },
      nextCheckInSeconds: 900,
    });
    const nat = await policies.put(
      'national',
      { settings: settings({ cameraAllowed: false }) },
      national,
      null,
    );
    const mine = await policies.put(
      INSTITUTION,
      { settings: settings({ cameraAllowed: false, checkInIntervalSeconds: 600 }) },
      national,
      null,
    );
    expect([nat.version, mine.version]).toEqual([1, 2]);
    const second = await checkIns.checkIn(me, REPORT);
    expect(second.policy).toEqual({
      version: 2,
      settings: settings({ cameraAllowed: false, checkInIntervalSeconds: 600 }),
    });
    expect(second.nextCheckInSeconds).toBe(600);
    const third = await checkIns.checkIn(me, { ...REPORT, policyVersion: 2 });
    expect(third.policy).toBeNull();
    expect((await devices.find(d.id))?.appliedPolicyVersion).toBe(2);
    // A device of no institution follows the national policy.
    const other = await addDevice(fx.handle, { imsi: '001010000000009' });
    expect((await checkIns.checkIn(devicePrincipal(other), REPORT)).policy?.version).toBe(1);
  });
  it('sends an institution’s policy raised to a national policy tightened later, on the plain path too', async () => {
    const d = await addDevice(fx.handle, { institutionId: INSTITUTION });
    const me = devicePrincipal(d);
    const own = await policies.put(
      INSTITUTION,
      { settings: settings({ cameraAllowed: false }) },
      national,
      null,
    );
    expect((await checkIns.checkIn(me, REPORT)).policy?.version).toBe(own.version);
    const tightened = await policies.put(
      'national',
      { settings: settings({ checkInIntervalSeconds: 300, requiredApps: ['gov.chat'] }) },
      national,
      null,
    );
    // A plain check-in (no acknowledgements) reads the versions in force in one statement: the raised
    // settings carry the national version, so a handset that applied the institution's is sent them.
    const raised = await checkIns.checkIn(me, { ...REPORT, policyVersion: own.version });
    expect(raised.policy).toEqual({
      version: tightened.version,
      settings: settings({ cameraAllowed: false, checkInIntervalSeconds: 300, requiredApps: ['gov.chat'] }),
    });
    expect(raised.nextCheckInSeconds).toBe(300);
    expect(raised.policy).toEqual({
      version: (await policies.effective(INSTITUTION)).version,
      settings: (await policies.effective(INSTITUTION)).settings,
    });
    const applied = await checkIns.checkIn(me, { ...REPORT, policyVersion: tightened.version });
    expect(applied.policy).toBeNull();
  });
});

describe('what is stored', () => {
  it('stores the report without acknowledgements and the check-in time; a reported IMSI never replaces the enrolled one', async () => {
    const d = await addDevice(fx.handle);
    await checkIns.checkIn(devicePrincipal(d), { ...REPORT, imsi: '001010000000077' });
    const row = await devices.find(d.id);
    // The IMSI events bar is the one bound at enrolment: a handset must not choose whose SIM is barred.
    expect(row?.imsi).toBe('001010000000001');
    expect(row?.lastReport).toMatchObject({ imsi: '001010000000077' });
    expect(row?.lastCheckInAt).toBeInstanceOf(Date);
    expect(row?.lastReport).toMatchObject({
      osBuild: 'PKZ.2026.11',
      securityPatch: '2026-11-05',
      batteryPercent: 80,
    });
    expect(row?.lastReport).not.toHaveProperty('acknowledgements');
  });

  it('drops a location unless a locate command delivered to the handset is outstanding', async () => {
    const d = await addDevice(fx.handle);
    const me = devicePrincipal(d);
    const where = { latitude: 33.7, longitude: 73.1, accuracyMeters: 20 };
    await checkIns.checkIn(me, { ...REPORT, lostMode: { location: where } });
    expect((await devices.find(d.id))?.lastReport?.lostMode).toEqual({});
    const locate = (await fx.get(CommandsService).create(d.id, { type: 'locate' }, national, null)).command;
    // Queued, not yet delivered: the handset did not know it was asked.
    await checkIns.checkIn(me, { ...REPORT, lostMode: { location: where } });
    expect((await devices.find(d.id))?.lastReport?.lostMode).toEqual({});
    // Delivered by that check-in: from now on the location is kept.
    await checkIns.checkIn(me, { ...REPORT, lostMode: { location: where } });
    expect((await devices.find(d.id))?.lastReport?.lostMode).toEqual({ location: where });
    await fx.get(CommandsService).cancel(d.id, locate.id, national, null);
    await checkIns.checkIn(me, { ...REPORT, lostMode: { location: where } });
    expect((await devices.find(d.id))?.lastReport?.lostMode).toEqual({});
  });
});

describe('compliance transitions', () => {
  it('lost mode: state lost, non-compliant at once, DeviceLost and DeviceNonCompliant published once each', async () => {
    const d = await addDevice(fx.handle);
    const me = devicePrincipal(d);
    // The handset names another SIM: ignored, the event names the SIM it was enrolled with.
    const reply = await checkIns.checkIn(me, { ...REPORT, imsi: '001010000000099', lostMode: {} });
    expect(reply.compliance).toEqual({ state: 'non_compliant', reasons: ['DEVICE_LOST'] });
    await checkIns.checkIn(me, { ...REPORT, lostMode: {} });
    await settle();
    expect(ofType(DeviceLost.type).map((e) => e.data)).toEqual([
      {
        deviceId: d.id,
        userId: d.userId,
        imsi: '001010000000001',
        reason: 'lost mode reported by the handset',
      },
    ]);
    expect(ofType(DeviceNonCompliant.type)).toHaveLength(1);
    expect((await devices.find(d.id))?.state).toBe('lost');
    // Out of lost mode (the owner unlocked it): active and compliant again.
    expect((await checkIns.checkIn(me, REPORT)).compliance.state).toBe('compliant');
    expect((await devices.find(d.id))?.state).toBe('active');
  });

  it('grace, then non-compliant when grace runs out (sweep), with one event; none without an IMSI', async () => {
    const d = await addDevice(fx.handle);
    const quiet = await addDevice(fx.handle, { imsi: null });
    for (const x of [d, quiet]) {
      const r = await checkIns.checkIn(devicePrincipal(x), { ...REPORT, screenLockSecure: false });
      expect(r.compliance).toEqual({ state: 'grace', reasons: ['SCREEN_LOCK'] });
    }
    const sweep = fx.get(ComplianceSweepService);
    const later = new Date(Date.now() + 24 * HOUR + 1000);
    // Still failing and now also overdue (a day without check-ins): both reasons, non-compliant.
    const r = await sweep.sweep(later);
    expect(r.changed).toBe(2);
    expect(await devices.find(d.id)).toMatchObject({
      compliance: 'non_compliant',
      complianceReasons: ['ATTESTATION_STALE', 'CHECK_IN_OVERDUE', 'SCREEN_LOCK'],
    });
    expect((await sweep.sweep(later)).changed).toBe(0);
    await settle();
    expect(ofType(DeviceNonCompliant.type).map((e) => e.data)).toEqual([
      {
        deviceId: d.id,
        userId: d.userId,
        imsi: '001010000000001',
        reason: 'ATTESTATION_STALE, CHECK_IN_OVERDUE, SCREEN_LOCK',
      },
    ]);
  });

  it('the sweep flags a device that stopped checking in, then lets its grace run', async () => {
    const d = await addDevice(fx.handle);
    await checkIns.checkIn(devicePrincipal(d), REPORT);
    const sweep = fx.get(ComplianceSweepService);
    const later = new Date(Date.now() + 46 * 60_000);
    expect(await sweep.sweep(later)).toMatchObject({ evaluated: 1, changed: 1 });
    expect(await devices.find(d.id)).toMatchObject({
      compliance: 'grace',
      complianceReasons: ['CHECK_IN_OVERDUE'],
    });
    // Already flagged and still in grace: the next sweep does not even read it.
    expect(await sweep.sweep(later)).toMatchObject({ evaluated: 0, changed: 0 });
    // Checking in again clears it.
    expect((await checkIns.checkIn(devicePrincipal(d), REPORT)).compliance.state).toBe('compliant');
  });

  it('concurrent check-ins of a device publish a transition once', async () => {
    const d = await addDevice(fx.handle);
    await Promise.all(
      Array.from({ length: 6 }, () => checkIns.checkIn(devicePrincipal(d), { ...REPORT, lostMode: {} })),
    );
    await settle();
    expect(ofType(DeviceLost.type)).toHaveLength(1);
    expect(ofType(DeviceNonCompliant.type)).toHaveLength(1);
  });

  it('a plain check-in whose device row changed after it was read writes and delivers nothing', async () => {
    const d = await addDevice(fx.handle);
    const lock = (await fx.get(CommandsService).create(d.id, { type: 'lock' }, national, null)).command;
    const repo = fx.get(CheckInRepository);
    const now = new Date();
    const set = {
      state: 'active' as const,
      compliance: 'compliant' as const,
      complianceReasons: [],
      nonCompliantSince: null,
      lastCheckInAt: now,
      lastReport: { osBuild: 'stale' },
      appliedPolicyVersion: 0,
    };
    const read = await repo.read(d.id);
    if (!read) throw new Error('no device');
    // Someone else (the sweep, an acknowledgement, a retirement) writes the row in between.
    await devices.update(d.id, { compliance: 'grace', complianceReasons: ['CHECK_IN_OVERDUE'] });
    expect(await repo.write(d.id, read, set, now)).toBeUndefined();
    const untouched = await devices.find(d.id);
    expect([untouched?.compliance, untouched?.lastReport]).toEqual(['grace', null]);
    const listed = (await fx.get(CommandsService).list(d.id, national)).commands;
    expect(listed.map((c) => c.state)).toEqual(['queued']);
    // Read again: stored, and the command delivered in the same statement.
    const fresh = await repo.read(d.id);
    if (!fresh) throw new Error('no device');
    const delivered = await repo.write(d.id, fresh, set, now);
    expect(delivered?.map((c) => [c.id, c.type])).toEqual([[lock.id, 'lock']]);
    expect((await devices.find(d.id))?.lastReport).toEqual({ osBuild: 'stale' });
  });

  it('an acknowledgement committed while a check-in delivers is not undone by the delivery', async () => {
    const d = await addDevice(fx.handle);
    const lock = (await fx.get(CommandsService).create(d.id, { type: 'lock' }, national, null)).command;
    expect((await checkIns.checkIn(devicePrincipal(d), REPORT)).commands).toHaveLength(1);
    const repo = fx.get(CheckInRepository);
    const read = await repo.read(d.id);
    if (!read) throw new Error('no device');
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let acked = () => {};
    const ackDone = new Promise<void>((r) => (acked = r));
    // The acknowledgement holds the command row (not the device row) until it commits.
    const ack = fx.handle.db.transaction(async (tx) => {
      await tx
        .update(deviceCommands)
        .set({ state: 'succeeded', acknowledgedAt: new Date() })
        .where(eq(deviceCommands.id, lock.id));
      acked();
      await held;
    });
    await ackDone;
    const now = new Date();
    const write = repo.write(
      d.id,
      read,
      {
        state: 'active',
        compliance: 'compliant',
        complianceReasons: [],
        nonCompliantSince: null,
        lastCheckInAt: now,
        lastReport: {},
        appliedPolicyVersion: 0,
      },
      now,
    );
    await new Promise((r) => setTimeout(r, 200));
    release();
    await ack;
    expect(await write).toEqual([]);
    const listed = (await fx.get(CommandsService).list(d.id, national)).commands;
    expect(listed.map((c) => c.state)).toEqual(['succeeded']);
  });

  it('a check-in in flight when an operator declares the device lost is refused and leaves it lost', async () => {
    const d = await addDevice(fx.handle);
    const me = devicePrincipal(d); // authenticated with its certificate before the declaration
    await fx.handle.db.delete(deviceCertificates).where(eq(deviceCertificates.thumbprint, me.certThumbprint));
    await checkIns.checkIn(me, REPORT); // remembered by this node: the next plain check-in skips the read
    // The operator's declaration: state lost and the certificate revoked, in one transaction.
    await fx.handle.db.insert(deviceCertificates).values({
      serial: 'a1',
      deviceId: d.id,
      thumbprint: me.certThumbprint,
      der: Buffer.from([0x30]),
      notBefore: new Date(Date.now() - HOUR),
      notAfter: new Date(Date.now() + 24 * HOUR),
      revokedAt: new Date(),
      revocationReason: 'keyCompromise',
    });
    await devices.update(d.id, { state: 'lost' });
    const err = await checkIns.checkIn(me, REPORT).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('device_not_active');
    expect((await devices.find(d.id))?.state).toBe('lost');
    await fx.handle.db.delete(deviceCertificates).where(eq(deviceCertificates.thumbprint, me.certThumbprint));
  });

  it('refuses a wiped device and an unknown one', async () => {
    const gone = await addDevice(fx.handle, { state: 'retired' });
    const err = await checkIns.checkIn(devicePrincipal(gone), REPORT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('device_not_active');
  });
});

describe('check-ins arriving together (group commit)', () => {
  const setOf = (now: Date, battery: number) => ({
    state: 'active' as const,
    compliance: 'compliant' as const,
    complianceReasons: [],
    nonCompliantSince: null,
    lastCheckInAt: now,
    lastReport: { batteryPercent: battery },
    appliedPolicyVersion: 0,
  });

  async function fleetWithCommands(n: number) {
    const commands = fx.get(CommandsService);
    const repo = fx.get(CheckInRepository);
    const fleet = [];
    for (let i = 0; i < n; i++) {
      const d = await addDevice(fx.handle);
      const lock = (await commands.create(d.id, { type: 'lock' }, national, null)).command;
      const read = await repo.read(d.id);
      if (!read) throw new Error('no device');
      fleet.push({ d, lock, read });
    }
    return fleet;
  }

  it('are written in shared statements, each device under its own guard, each getting only its own commands', async () => {
    const repo = fx.get(CheckInRepository);
    const fleet = await fleetWithCommands(24);
    // Two devices were changed by another writer after they were read: only they are refused.
    const stale = [fleet[5], fleet[17]].map((f) => f?.d.id);
    for (const id of stale) if (id) await devices.update(id, { compliance: 'grace' });
    const now = new Date();
    const answers = await Promise.all(fleet.map((f, i) => repo.write(f.d.id, f.read, setOf(now, i), now)));
    expect(repo.batchStats().largestBatch).toBeGreaterThan(1);
    for (const [i, f] of fleet.entries()) {
      const row = await devices.find(f.d.id);
      const listed = (await fx.get(CommandsService).list(f.d.id, national)).commands;
      if (stale.includes(f.d.id)) {
        expect(answers[i]).toBeUndefined();
        expect([row?.compliance, row?.lastReport, listed.map((c) => c.state)]).toEqual([
          'grace',
          null,
          ['queued'],
        ]);
      } else {
        expect(answers[i]?.map((c) => [c.id, c.type])).toEqual([[f.lock.id, 'lock']]);
        expect([row?.lastReport, listed.map((c) => c.state)]).toEqual([{ batteryPercent: i }, ['delivered']]);
      }
    }
    // The memory a batched write leaves is the row's real version: the next write of it is accepted.
    const again = fleet[0];
    if (!again) throw new Error('no fleet');
    const remembered = repo.remembered(again.d.id);
    if (!remembered) throw new Error('not remembered');
    expect(await repo.write(again.d.id, remembered, setOf(now, 99), now)).toEqual([
      expect.objectContaining({ id: again.lock.id }),
    ]);
  });

  it('a batch that fails as a whole is written one by one, so every check-in still gets its answer', async () => {
    const repo = fx.get(CheckInRepository);
    const fleet = await fleetWithCommands(8);
    const many = vi
      .spyOn(repo as unknown as { writeMany: () => Promise<never> }, 'writeMany')
      .mockRejectedValue(new Error('deadlock detected'));
    try {
      const now = new Date();
      const answers = await Promise.all(fleet.map((f, i) => repo.write(f.d.id, f.read, setOf(now, i), now)));
      expect(many).toHaveBeenCalled();
      expect(answers.map((a) => a?.map((c) => c.id))).toEqual(fleet.map((f) => [f.lock.id]));
    } finally {
      many.mockRestore();
    }
  });
});

describe("a node's memory of its last check-ins", () => {
  it('a device checking in again costs no read, and what changed meanwhile (row, policy, retirement) still counts', async () => {
    const d = await addDevice(fx.handle, { institutionId: INSTITUTION });
    const me = devicePrincipal(d);
    const repo = fx.get(CheckInRepository);
    const reads = vi.spyOn(repo, 'read');
    try {
      await checkIns.checkIn(me, REPORT);
      expect(reads).toHaveBeenCalledTimes(1);
      await checkIns.checkIn(me, { ...REPORT, batteryPercent: 41 });
      expect(reads).toHaveBeenCalledTimes(1);
      expect((await devices.find(d.id))?.lastReport).toMatchObject({ batteryPercent: 41 });

      // Another writer (the sweep, another node) changed the row: the remembered version is refused, the
      // check-in reads and stores on top of what that writer wrote.
      await devices.update(d.id, { compliance: 'grace', complianceReasons: ['CHECK_IN_OVERDUE'] });
      const again = await checkIns.checkIn(me, { ...REPORT, batteryPercent: 40 });
      expect(reads).toHaveBeenCalledTimes(2);
      expect(again.compliance.state).toBe('compliant');
      expect((await devices.find(d.id))?.lastReport).toMatchObject({ batteryPercent: 40 });

      // A policy put since (the device row untouched): the reply carries it although the row was remembered.
      const own = await policies.put(
        INSTITUTION,
        { settings: settings({ cameraAllowed: false }) },
        national,
        null,
      );
      const withPolicy = await checkIns.checkIn(me, REPORT);
      expect(withPolicy.policy).toMatchObject({ version: own.version, settings: { cameraAllowed: false } });

      // Retired elsewhere: refused, never written over.
      await devices.update(d.id, { state: 'retired' });
      const err = await checkIns.checkIn(me, REPORT).catch((e: unknown) => e);
      expect((err as AppError).code).toBe('device_not_active');
      expect((await devices.find(d.id))?.state).toBe('retired');
    } finally {
      reads.mockRestore();
    }
  });
});

describe('a verified-boot key marked compromised', () => {
  const KEY = 'c4'.repeat(32);
  const withKey = (key: string) => ({
    attestation: {
      rootOfTrust: { verifiedBootKey: key, deviceLocked: true, verifiedBootState: 'SelfSigned' },
      osPatchLevel: 202611,
    },
  });
  // hardened-os's event as it publishes it (hardened-os.events.ts), defined here by shape.
  const Compromised = defineEvent(
    'hardened-os.boot-key.compromised',
    z.object({ model: z.string(), digest: z.string() }),
    { examples: [{ model: 'shiba', digest: KEY }] },
  );

  it("re-evaluates at once, on hardened-os's event, only the handsets booting with it", async () => {
    const a = await addDevice(fx.handle, withKey(KEY));
    const b = await addDevice(fx.handle, { ...withKey(KEY.toUpperCase()), imsi: '001010000000002' });
    const other = await addDevice(fx.handle, withKey('d5'.repeat(32)));
    await fx.app.get<EventBus>(EVENT_BUS).publish(Compromised.create({ model: 'shiba', digest: KEY }));
    for (let i = 0; i < 40 && ofType(DeviceNonCompliant.type).length < 2; i++) await settle();
    for (const d of [a, b])
      expect(await devices.find(d.id)).toMatchObject({
        compliance: 'non_compliant',
        complianceReasons: ['BOOT_KEY_COMPROMISED'],
      });
    expect((await devices.find(other.id))?.compliance).toBe('compliant');
    expect(
      ofType(DeviceNonCompliant.type)
        .map((e) => (e.data as { deviceId: string }).deviceId)
        .sort(),
    ).toEqual([a.id, b.id].sort());
  });

  it('goes through the devices in bounded pages, and a second pass changes nothing', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await addDevice(fx.handle, withKey(KEY))).id);
    const sweep = fx.get(ComplianceSweepService);
    expect(await sweep.reevaluateBootKey(KEY, new Date(), 2)).toMatchObject({ evaluated: 5, changed: 5 });
    expect(await sweep.reevaluateBootKey(KEY, new Date(), 2)).toMatchObject({ evaluated: 5, changed: 0 });
  });
});
