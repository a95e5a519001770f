import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckInService } from '../../src/check-in/check-in.service.js';
import type { CheckInReportInput } from '../../src/check-in/check-in.dto.js';
import { CommandsRepository } from '../../src/commands/commands.repository.js';
import { CommandsService } from '../../src/commands/commands.service.js';
import { DeviceStateRepository } from '../../src/devices/device-state.repository.js';
import { DeviceOsUpdate, type DeviceOsUpdateEvent } from '../../src/device-mgmt.events.js';
import type { OsRollouts, OsUpdateTarget } from '../../src/os-updates/os-rollouts.js';
import { OsUpdateRecorder } from '../../src/os-updates/os-update-recorder.js';
import { OsUpdateRelay } from '../../src/os-updates/os-update-relay.js';
import { OsUpdatesRepository } from '../../src/os-updates/os-updates.repository.js';
import { osUpdateEvents } from '../../src/os-updates/os-updates.schema.js';
import { migrateDomains, openDatabase, platformDomain, sql } from '@pakawaaz/platform';
import { testLogger } from '@pakawaaz/test-support';
import { deviceMgmtDomain } from '../../src/device-mgmt.domain.js';
import {
  addDevice,
  createDeviceMgmtFixture,
  devicePrincipal,
  principal,
  resetDeviceData,
  type DeviceMgmtFixture,
} from '../support/device-mgmt-fixture.js';

/*
 * OS rollouts at check-in, on PostgreSQL (PGlite when TEST_DATABASE_URL points nowhere), with an in-memory
 * rollout port standing in for hardened-os: the update_os command is queued once per device and rollout and
 * delivered in the same reply, and each outcome (offered, updated, failed) is recorded and published once.
 */
const TARGET: OsUpdateTarget = {
  rolloutId: 'rollout-7',
  releaseId: 'release-12',
  buildId: 'PKZ.2026.12',
  version: '15.1',
  fingerprint: 'pakawaaz/lab/PKZ.2026.12:user/release-keys',
  securityPatchLevel: '2026-12-05',
};
const INSTITUTION = '11111111-1111-4111-8111-111111111111';
const REPORT: CheckInReportInput = {
  osBuild: 'PKZ.2026.11',
  osVersion: '15',
  securityPatch: '2026-11-05',
  apps: [],
  policyVersion: 0,
  screenLockSecure: true,
};

/** The in-memory rollout: the devices in it get TARGET until they run it; the calls are counted. */
const inRollout = new Set<string>();
let portCalls = 0;
const rollouts: OsRollouts = {
  targetFor(device) {
    portCalls++;
    return Promise.resolve(inRollout.has(device.id) && device.osBuild !== TARGET.buildId ? TARGET : null);
  },
};

let fx: DeviceMgmtFixture;
let checkIns: CheckInService;
beforeAll(async () => {
  fx = await createDeviceMgmtFixture(undefined, rollouts);
  checkIns = fx.get(CheckInService);
});
afterAll(async () => fx?.close());
beforeEach(async () => {
  await resetDeviceData(fx.handle);
  fx.events.length = 0;
  inRollout.clear();
  portCalls = 0;
});

const settle = () => new Promise((r) => setTimeout(r, 50));
const outcomes = async () => {
  await settle();
  return fx.events
    .filter((e) => e.type === DeviceOsUpdate.type)
    .map((e) => e.data as DeviceOsUpdateEvent)
    .map(({ deviceId, institutionId, rolloutId, releaseId, outcome, detail }) => ({
      deviceId,
      institutionId,
      rolloutId,
      releaseId,
      outcome,
      ...(detail === undefined ? {} : { detail }),
    }));
};
const expected = (deviceId: string, outcome: string, detail?: string) => ({
  deviceId,
  institutionId: INSTITUTION,
  rolloutId: TARGET.rolloutId,
  releaseId: TARGET.releaseId,
  outcome,
  ...(detail === undefined ? {} : { detail }),
});

describe('OS rollouts at check-in', () => {
  it('offered → updated: the command comes in the same reply, once; the target build reported is updated', async () => {
    const d = await addDevice(fx.handle, { institutionId: INSTITUTION });
    const me = devicePrincipal(d);
    inRollout.add(d.id);
    const first = await checkIns.checkIn(me, REPORT);
    expect(portCalls).toBe(1);
    expect(first.commands).toEqual([
      expect.objectContaining({
        type: 'update_os',
        params: {
          version: '15.1',
          buildId: 'PKZ.2026.12',
          fingerprint: TARGET.fingerprint,
          securityPatchLevel: '2026-12-05',
        },
      }),
    ]);
    const commandId = first.commands[0]!.id;
    // Not acknowledged yet: delivered again, never queued twice.
    const again = await checkIns.checkIn(me, REPORT);
    expect(again.commands.map((c) => c.id)).toEqual([commandId]);
    const history = await fx.get(CommandsService).list(d.id, principal(['device-admin']));
    expect(history.commands).toHaveLength(1);
    // The handset installs, acknowledges and comes back on the new build.
    await checkIns.checkIn(me, {
      ...REPORT,
      osBuild: TARGET.buildId,
      acknowledgements: [{ commandId, state: 'succeeded' }],
    });
    await checkIns.checkIn(me, { ...REPORT, osBuild: TARGET.buildId });
    expect(await outcomes()).toEqual([expected(d.id, 'offered'), expected(d.id, 'updated')]);
    // A refusal that does not speak to the OS (what any handset can send on purpose) decides nothing.
    await fx.get(OsUpdateRecorder).attestationAfterUpdate(d.id, { refused: ['CHALLENGE_MISMATCH'] });
    expect((await fx.get(OsUpdatesRepository).find(d.id, TARGET.rolloutId))?.state).toBe('updated');
    // The first attestation after the update showing the release's patch level verifies it: later trouble
    // is not the rollout's.
    await fx.get(OsUpdateRecorder).attestationAfterUpdate(d.id, { accepted: { osPatchLevel: 202612 } });
    expect((await fx.get(OsUpdatesRepository).find(d.id, TARGET.rolloutId))?.state).toBe('verified');
  });

  it('offered → failed when the handset acknowledges the update failed (also through the ack route), once', async () => {
    const [a, b] = [
      await addDevice(fx.handle, { institutionId: INSTITUTION }),
      await addDevice(fx.handle, { institutionId: INSTITUTION, imei: null, imsi: '001010000000002' }),
    ];
    inRollout.add(a.id).add(b.id);
    const ca = (await checkIns.checkIn(devicePrincipal(a), REPORT)).commands[0]!;
    const cb = (await checkIns.checkIn(devicePrincipal(b), REPORT)).commands[0]!;
    const failed = { state: 'failed' as const, detail: 'install verification failed' };
    await checkIns.checkIn(devicePrincipal(a), {
      ...REPORT,
      acknowledgements: [{ commandId: ca.id, ...failed }],
    });
    await fx.get(CommandsService).acknowledge(devicePrincipal(b), { commandId: cb.id, ...failed });
    await fx.get(CommandsService).acknowledge(devicePrincipal(b), { commandId: cb.id, ...failed });
    // Failed devices are not offered the same rollout again.
    expect((await checkIns.checkIn(devicePrincipal(a), REPORT)).commands).toEqual([]);
    // This node remembered b's last check-in (rollout row: offered) before the failure came through the ack
    // route: b coming back on the target build is still not taken for a success.
    await checkIns.checkIn(devicePrincipal(b), { ...REPORT, osBuild: TARGET.buildId });
    const seen = await outcomes();
    for (const d of [a, b])
      expect(seen.filter((e) => e.deviceId === d.id)).toEqual([
        expected(d.id, 'offered'),
        expected(d.id, 'failed', 'install verification failed'),
      ]);
  });

  it('concurrent check-ins of one device queue one command and one offer', async () => {
    const d = await addDevice(fx.handle, { institutionId: INSTITUTION });
    inRollout.add(d.id);
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => checkIns.checkIn(devicePrincipal(d), REPORT)),
    );
    const ids = new Set(replies.flatMap((r) => r.commands.map((c) => c.id)));
    expect(ids.size).toBe(1);
    const history = await fx.get(CommandsService).list(d.id, principal(['device-admin']));
    expect(history.commands.map((c) => c.type)).toEqual(['update_os']);
    expect(await outcomes()).toEqual([expected(d.id, 'offered')]);
  });

  it('an update_os command that expired unacknowledged: the device is offered the rollout again, with a new command', async () => {
    const d = await addDevice(fx.handle, { institutionId: INSTITUTION });
    const me = devicePrincipal(d);
    inRollout.add(d.id);
    const first = (await checkIns.checkIn(me, REPORT)).commands[0]!.id;
    // The handset was off for the command's whole life; the sweep marked it expired.
    await fx.handle.db.execute(
      sql`update device_mgmt.device_commands set expires_at = now() - interval '1 minute' where id = ${first}`,
    );
    expect(await fx.get(CommandsRepository).expire(new Date())).toBeGreaterThanOrEqual(1);
    const back = await checkIns.checkIn(me, REPORT);
    expect(back.commands).toEqual([expect.objectContaining({ type: 'update_os' })]);
    const second = back.commands[0]!.id;
    expect(second).not.toBe(first);
    const row = await fx.get(OsUpdatesRepository).find(d.id, TARGET.rolloutId);
    expect([row?.state, row?.commandId]).toEqual(['offered', second]);
    // Delivered again until acknowledged, never queued a third time; hardened-os heard of the offer once.
    expect((await checkIns.checkIn(me, REPORT)).commands.map((c) => c.id)).toEqual([second]);
    // The renewed command still belongs to the rollout: its failure fails the device's rollout row.
    await checkIns.checkIn(me, {
      ...REPORT,
      acknowledgements: [{ commandId: second, state: 'failed', detail: 'not enough space' }],
    });
    expect((await fx.get(OsUpdatesRepository).find(d.id, TARGET.rolloutId))?.state).toBe('failed');
    expect(await outcomes()).toEqual([
      expected(d.id, 'offered'),
      expected(d.id, 'failed', 'not enough space'),
    ]);
  });

  it('a rollout the device has a row for (an older one, after its newest halted) is skipped without the lock', async () => {
    const d = await addDevice(fx.handle, { institutionId: INSTITUTION });
    const other = await addDevice(fx.handle, { institutionId: INSTITUTION });
    const repo = fx.get(OsUpdatesRepository);
    const row = (deviceId: string, rolloutId: string, at: Date) => ({
      deviceId,
      rolloutId,
      institutionId: INSTITUTION,
      releaseId: TARGET.releaseId,
      buildId: TARGET.buildId,
      securityPatchLevel: TARGET.securityPatchLevel,
      offeredAt: at,
      changedAt: at,
    });
    // Offered TARGET's rollout (completed since), then a newer rollout that was halted: hardened-os answers
    // the completed one again at every check-in.
    await repo.offer(row(d.id, TARGET.rolloutId, new Date(Date.now() - 60_000)), fx.handle.db);
    await repo.offer(row(d.id, 'rollout-8-halted', new Date(Date.now() - 30_000)), fx.handle.db);
    await repo.offer(row(other.id, 'rollout-8-halted', new Date(Date.now() - 30_000)), fx.handle.db);
    inRollout.add(d.id);
    inRollout.add(other.id);
    const lock = vi.spyOn(fx.get(DeviceStateRepository), 'lock');
    try {
      for (let i = 0; i < 3; i++)
        expect((await checkIns.checkIn(devicePrincipal(d), REPORT)).commands).toEqual([]);
      expect(lock).not.toHaveBeenCalled();
      // The control: a device that never had a row for it is offered it, through the locking path.
      const offered = await checkIns.checkIn(devicePrincipal(other), REPORT);
      expect(offered.commands.map((c) => c.type)).toEqual(['update_os']);
      expect(lock).toHaveBeenCalledTimes(1);
    } finally {
      lock.mockRestore();
    }
  });

  it('no offer and no rollout rows when the port answers null; one port call per check-in', async () => {
    const d = await addDevice(fx.handle, { institutionId: INSTITUTION });
    for (let i = 0; i < 3; i++)
      expect((await checkIns.checkIn(devicePrincipal(d), REPORT)).commands).toEqual([]);
    expect(portCalls).toBe(3);
    expect(await fx.get(OsUpdatesRepository).newest(d.id)).toBeNull();
    expect(await outcomes()).toEqual([]);
  });

  it('an attestation refused after the update fails it; an unpublished event is sent by the relay after a restart', async () => {
    const d = await addDevice(fx.handle, { institutionId: INSTITUTION });
    inRollout.add(d.id);
    await checkIns.checkIn(devicePrincipal(d), REPORT);
    await checkIns.checkIn(devicePrincipal(d), { ...REPORT, osBuild: TARGET.buildId });
    await fx.get(OsUpdateRecorder).attestationAfterUpdate(d.id, { refused: ['BOOT_KEY_UNKNOWN'] });
    await fx.get(OsUpdateRecorder).attestationAfterUpdate(d.id, { refused: ['BOOT_KEY_UNKNOWN'] });
    expect((await outcomes()).map((e) => e.outcome)).toEqual(['offered', 'updated', 'failed']);
    expect((await outcomes()).at(-1)?.detail).toBe('attestation after the update refused: BOOT_KEY_UNKNOWN');
    // A node that died between commit and publish: the row stays unpublished until a relay pass sends it,
    // with the same event id.
    await fx.handle.db.update(osUpdateEvents).set({ publishedAt: null });
    const rows = await fx.handle.db.select().from(osUpdateEvents);
    fx.events.length = 0;
    const restarted = await fx.restart();
    try {
      expect(await restarted.get(OsUpdateRelay).pass(new Date(Date.now() + 60_000))).toBe(3);
      expect(await restarted.get(OsUpdateRelay).pass(new Date(Date.now() + 60_000))).toBe(0);
      await settle();
      expect(restarted.events.map((e) => e.id).sort()).toEqual(rows.map((r) => r.id).sort());
    } finally {
      await restarted.close();
    }
  });
});

describe('on the embedded database (one connection)', () => {
  it('a check-in with an acknowledgement asks the rollouts port before its transaction (the port may read the database)', async () => {
    const handle = await openDatabase({ dataDir: 'memory://', logger: testLogger });
    await migrateDomains(handle, [platformDomain, deviceMgmtDomain], testLogger);
    // hardened-os's snapshot refresh reads through the pool, not through the check-in's transaction.
    const reading: OsRollouts = {
      async targetFor() {
        await handle.db.execute(sql`select 1`);
        return null;
      },
    };
    const emb = await createDeviceMgmtFixture(
      { handle, url: undefined, drop: () => handle.close() },
      reading,
    );
    try {
      const d = await addDevice(emb.handle, { institutionId: INSTITUTION });
      const me = devicePrincipal(d);
      const embCheckIns = emb.get(CheckInService);
      const lock = (
        await emb.get(CommandsService).create(d.id, { type: 'lock' }, principal(['device-admin']), null)
      ).command;
      expect((await embCheckIns.checkIn(me, REPORT)).commands.map((c) => c.id)).toEqual([lock.id]);
      const acked = embCheckIns.checkIn(me, {
        ...REPORT,
        acknowledgements: [{ commandId: lock.id, state: 'succeeded' }],
      });
      const hung = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5_000).unref());
      expect(await Promise.race([acked.then(() => 'answered' as const), hung])).toBe('answered');
    } finally {
      await emb.close();
    }
  });
});
