import { refusal } from '@pakawaaz/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckInService } from '../../src/check-in/check-in.service.js';
import type { CheckInReportInput } from '../../src/check-in/check-in.dto.js';
import { CommandsService } from '../../src/commands/commands.service.js';
import { ComplianceSweepService } from '../../src/compliance/compliance-sweep.service.js';
import { DeviceStateRepository } from '../../src/devices/device-state.repository.js';
import {
  addDevice,
  createDeviceMgmtFixture,
  devicePrincipal,
  principal,
  resetDeviceData,
  type DeviceMgmtFixture,
} from '../support/device-mgmt-fixture.js';

/*
 * Commands against PostgreSQL: idempotency, delivery at check-in and acknowledgement (each once), expiry,
 * cancellation, wipe and relinquish as final states with their certificates revoked, and commands that
 * outlive the node that queued them.
 */
let fx: DeviceMgmtFixture;
let commands: CommandsService;
let checkIns: CheckInService;
const admin = principal(['device-admin']);

const REPORT: CheckInReportInput = {
  osBuild: 'PKZ.2026.11',
  osVersion: '15',
  securityPatch: '2026-11-05',
  apps: [],
  policyVersion: 0,
  screenLockSecure: true,
};

beforeAll(async () => {
  fx = await createDeviceMgmtFixture();
  commands = fx.get(CommandsService);
  checkIns = fx.get(CheckInService);
});
afterAll(async () => fx?.close());
beforeEach(async () => {
  await resetDeviceData(fx.handle);
  fx.revoked.length = 0;
  fx.pushed.length = 0;
});

describe('queueing', () => {
  it('queues a command, audits it, wakes the handset; the same idempotency key returns the same command', async () => {
    const d = await addDevice(fx.handle);
    const first = await commands.create(d.id, { type: 'lock', idempotencyKey: 'k-1' }, admin, 'req-1');
    expect(first).toMatchObject({
      created: true,
      command: { type: 'lock', state: 'queued', idempotencyKey: 'k-1' },
    });
    expect(first.command.createdBy).toMatchObject({
      id: 'operator:00000000-0000-4000-8000-00000000ad01',
      name: 'test-admin',
    });
    expect(fx.pushed).toEqual([[d.id]]);
    const again = await commands.create(d.id, { type: 'lock', idempotencyKey: 'k-1' }, admin, 'req-2');
    expect(again).toEqual({ created: false, command: first.command });
    expect((await commands.list(d.id, admin)).commands).toHaveLength(1);
    expect(fx.pushed).toHaveLength(1);
  });

  it('the history names who made each command by their display name in identity’s directory', async () => {
    const d = await addDevice(fx.handle);
    await commands.create(d.id, { type: 'lock' }, admin, null);
    const unknown = { ...admin, actor: { type: 'operator' as const, id: 'gone' }, name: 'former-op' };
    await commands.create(d.id, { type: 'reboot' }, unknown, null);
    const byType = Object.fromEntries(
      (await commands.list(d.id, admin)).commands.map((c) => [c.type, c.createdBy]),
    );
    expect(byType).toEqual({
      lock: {
        id: 'operator:00000000-0000-4000-8000-00000000ad01',
        name: 'test-admin',
        displayName: 'Amina Test-Admin',
      },
      // Someone the directory no longer knows: the name stored with the command.
      reboot: { id: 'operator:gone', name: 'former-op', displayName: 'former-op' },
    });
  });

  it('concurrent requests with one key make one command', async () => {
    const d = await addDevice(fx.handle);
    const all = await Promise.all(
      Array.from({ length: 8 }, () =>
        commands.create(d.id, { type: 'reboot', idempotencyKey: 'race' }, admin, null),
      ),
    );
    expect(new Set(all.map((r) => r.command.id)).size).toBe(1);
    expect(all.filter((r) => r.created)).toHaveLength(1);
  });

  it('a key reused for another type or other parameters is refused (409), never a second command', async () => {
    const d = await addDevice(fx.handle);
    const params = { package: 'org.pakawaaz.chat', versionCode: 3 };
    await commands.create(d.id, { type: 'install_app', params, idempotencyKey: 'k' }, admin, null);
    // Parameter order does not matter.
    const same = await commands.create(
      d.id,
      { type: 'install_app', params: { versionCode: 3, package: 'org.pakawaaz.chat' }, idempotencyKey: 'k' },
      admin,
      null,
    );
    expect(same.created).toBe(false);
    expect(
      (await refusal(commands.create(d.id, { type: 'wipe', idempotencyKey: 'k' }, admin, null))).code,
    ).toBe('idempotency_key_reused');
    expect(
      (
        await refusal(
          commands.create(
            d.id,
            { type: 'install_app', params: { package: 'org.other.app' }, idempotencyKey: 'k' },
            admin,
            null,
          ),
        )
      ).code,
    ).toBe('idempotency_key_reused');
  });

  it('refuses an unknown device (404) and a wiped or retired one (409)', async () => {
    expect(
      (await refusal(commands.create('00000000-0000-4000-8000-000000000000', { type: 'lock' }, admin, null)))
        .code,
    ).toBe('device_not_found');
    const wiped = await addDevice(fx.handle, { state: 'wiped', imei: null });
    expect((await refusal(commands.create(wiped.id, { type: 'lock' }, admin, null))).code).toBe(
      'device_not_active',
    );
  });
});

describe('delivery and acknowledgement', () => {
  it('check-in delivers queued commands oldest first and again until acknowledged; the ack is recorded once', async () => {
    const d = await addDevice(fx.handle);
    const lock = (await commands.create(d.id, { type: 'lock' }, admin, null)).command;
    const reboot = (await commands.create(d.id, { type: 'reboot' }, admin, null)).command;
    const me = devicePrincipal(d);
    const first = await checkIns.checkIn(me, REPORT);
    expect(first.commands.map((c) => c.id)).toEqual([lock.id, reboot.id]);
    expect(first.commands[0]).toEqual({
      id: lock.id,
      type: 'lock',
      params: {},
      createdAt: lock.createdAt,
      expiresAt: lock.expiresAt,
    });
    // The reply was lost: the next check-in brings them again (still "delivered", first delivery time kept).
    const second = await checkIns.checkIn(me, REPORT);
    expect(second.commands.map((c) => c.id)).toEqual([lock.id, reboot.id]);
    const listed = (await commands.list(d.id, admin)).commands;
    expect(listed.map((c) => c.state)).toEqual(['delivered', 'delivered']);
    // Acknowledged inside a check-in: not delivered again.
    const third = await checkIns.checkIn(me, {
      ...REPORT,
      acknowledgements: [{ commandId: lock.id, state: 'succeeded' }],
    });
    expect(third.commands.map((c) => c.id)).toEqual([reboot.id]);
    // And by the ack route; repeating it (or contradicting it) changes nothing.
    const acked = await commands.acknowledge(me, {
      commandId: reboot.id,
      state: 'failed',
      detail: 'user busy',
    });
    expect(acked).toMatchObject({ state: 'failed', result: { detail: 'user busy' } });
    const repeated = await commands.acknowledge(me, { commandId: reboot.id, state: 'succeeded' });
    expect(repeated).toEqual(acked);
    expect((await checkIns.checkIn(me, REPORT)).commands).toEqual([]);
  });

  it('a device acknowledges only its own, delivered commands', async () => {
    const d = await addDevice(fx.handle);
    const other = await addDevice(fx.handle, { imsi: '001010000000002' });
    const cmd = (await commands.create(d.id, { type: 'lock' }, admin, null)).command;
    expect(
      (await refusal(commands.acknowledge(devicePrincipal(d), { commandId: cmd.id, state: 'succeeded' })))
        .code,
    ).toBe('command_not_delivered');
    await checkIns.checkIn(devicePrincipal(d), REPORT);
    expect(
      (await refusal(commands.acknowledge(devicePrincipal(other), { commandId: cmd.id, state: 'succeeded' })))
        .code,
    ).toBe('command_not_found');
    // An acknowledgement inside a check-in for a command of another device is ignored.
    await checkIns.checkIn(devicePrincipal(other), {
      ...REPORT,
      acknowledgements: [{ commandId: cmd.id, state: 'succeeded' }],
    });
    expect((await commands.list(d.id, admin)).commands[0]?.state).toBe('delivered');
  });

  it('expired commands are not delivered and show as expired', async () => {
    const d = await addDevice(fx.handle);
    const cmd = (await commands.create(d.id, { type: 'reboot', expiresInMinutes: 1 }, admin, null)).command;
    const sweep = fx.get(ComplianceSweepService);
    const r = await sweep.sweep(new Date(Date.now() + 2 * 60_000));
    expect(r.expiredCommands).toBe(1);
    expect((await commands.list(d.id, admin)).commands[0]).toMatchObject({ id: cmd.id, state: 'expired' });
    expect((await checkIns.checkIn(devicePrincipal(d), REPORT)).commands).toEqual([]);
  });

  it('cancel stops delivery; a cancelled or acknowledged command cannot be cancelled', async () => {
    const d = await addDevice(fx.handle);
    const cmd = (await commands.create(d.id, { type: 'lock' }, admin, null)).command;
    expect(await commands.cancel(d.id, cmd.id, admin, null)).toMatchObject({ state: 'cancelled' });
    expect((await checkIns.checkIn(devicePrincipal(d), REPORT)).commands).toEqual([]);
    const again = await refusal(commands.cancel(d.id, cmd.id, admin, null));
    expect(again.code).toBe('command_not_cancellable');
    expect(
      (await refusal(commands.cancel(d.id, '00000000-0000-4000-8000-000000000000', admin, null))).code,
    ).toBe('command_not_found');
  });
});

describe('final states', () => {
  it('an acknowledged wipe makes the device wiped and revokes its certificates, once', async () => {
    const d = await addDevice(fx.handle);
    const wipe = (await commands.create(d.id, { type: 'wipe' }, admin, null)).command;
    await checkIns.checkIn(devicePrincipal(d), REPORT);
    await commands.acknowledge(devicePrincipal(d), { commandId: wipe.id, state: 'succeeded' });
    await commands.acknowledge(devicePrincipal(d), { commandId: wipe.id, state: 'succeeded' });
    expect((await fx.get(DeviceStateRepository).find(d.id))?.state).toBe('wiped');
    expect(fx.revoked).toEqual([{ deviceId: d.id, reason: 'wiped' }]);
    expect((await refusal(checkIns.checkIn(devicePrincipal(d), REPORT))).code).toBe('device_not_active');
  });

  it('a failed wipe changes nothing; an acknowledged relinquish (inside a check-in) retires the device', async () => {
    const d = await addDevice(fx.handle);
    const wipe = (await commands.create(d.id, { type: 'wipe' }, admin, null)).command;
    const give = (await commands.create(d.id, { type: 'relinquish' }, admin, null)).command;
    await checkIns.checkIn(devicePrincipal(d), REPORT);
    await commands.acknowledge(devicePrincipal(d), { commandId: wipe.id, state: 'failed' });
    expect((await fx.get(DeviceStateRepository).find(d.id))?.state).toBe('active');
    const reply = await checkIns.checkIn(devicePrincipal(d), {
      ...REPORT,
      acknowledgements: [{ commandId: give.id, state: 'succeeded' }],
    });
    expect(reply.commands).toEqual([]);
    expect((await fx.get(DeviceStateRepository).find(d.id))?.state).toBe('retired');
    expect(fx.revoked).toEqual([{ deviceId: d.id, reason: 'retired' }]);
  });
});

describe('restart', () => {
  it('a command queued before a restart is delivered and acknowledged by the new node', async () => {
    const d = await addDevice(fx.handle);
    const cmd = (
      await commands.create(d.id, { type: 'update_os', params: { version: '2026.12' } }, admin, null)
    ).command;
    const node2 = await fx.restart();
    try {
      const reply = await node2.get(CheckInService).checkIn(devicePrincipal(d), REPORT);
      expect(reply.commands).toEqual([
        expect.objectContaining({ id: cmd.id, type: 'update_os', params: { version: '2026.12' } }),
      ]);
      const acked = await node2
        .get(CommandsService)
        .acknowledge(devicePrincipal(d), { commandId: cmd.id, state: 'succeeded' });
      expect(acked.state).toBe('succeeded');
    } finally {
      await node2.close();
    }
    expect((await commands.list(d.id, admin)).commands[0]?.state).toBe('succeeded');
  });
});
