import { migrateDomains, openDatabase, platformDomain, rowsOf, sql } from '@pakawaaz/platform';
import { createTestDatabase, testLogger, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APP_FLEET_PAGE, type AppFleetCommand } from '../../src/app-fleet/app-fleet.js';
import { AppFleetRepository } from '../../src/app-fleet/app-fleet.repository.js';
import { AppFleetService } from '../../src/app-fleet/app-fleet.service.js';
import type { CheckInReportInput } from '../../src/check-in/check-in.dto.js';
import { CheckInService } from '../../src/check-in/check-in.service.js';
import { DEFAULT_EXPIRY_MINUTES } from '../../src/commands/command-types.js';
import { CommandsService } from '../../src/commands/commands.service.js';
import { deviceCommands } from '../../src/commands/device-commands.schema.js';
import { deviceMgmtDomain } from '../../src/device-mgmt.domain.js';
import { devices } from '../../src/devices/devices.schema.js';
import {
  addDevice,
  createDeviceMgmtFixture,
  devicePrincipal,
  principal,
  resetDeviceData,
  type DeviceMgmtFixture,
} from '../support/device-mgmt-fixture.js';

/*
 * The app store's view of the fleet (AppFleetService behind its APP_FLEET port), on PostgreSQL and on the
 * embedded database (one connection): keyset paging over more than a page, institutions kept apart, the
 * apps, crashes and attestation verdicts check-ins left, install commands queued once per key and delivered
 * and acknowledged through the handset's check-in, and their outcomes read by key prefix through the index.
 */
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
// SHA-256 of "abc" (FIPS 180-4, appendix B.1).
const SHA = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const STORE = { id: 'app-rollout:r1', name: 'App rollout gov.pk.mail 11' };
const REPORT: CheckInReportInput = {
  osBuild: 'PKZ.2026.11',
  osVersion: '15',
  securityPatch: '2026-11-05',
  apps: [],
  policyVersion: 0,
  screenLockSecure: true,
};

const install = (deviceId: string, key: string, versionCode = 11): AppFleetCommand => ({
  deviceId,
  type: 'install_app',
  params: { package: 'gov.pk.mail', versionCode, apkSha256: SHA },
  key,
});

const BACKENDS: [string, () => Promise<TestDatabase>][] = [
  ['PostgreSQL', () => createTestDatabase([platformDomain, deviceMgmtDomain])],
  [
    'the embedded database',
    async () => {
      const handle = await openDatabase({ dataDir: 'memory://', logger: testLogger });
      await migrateDomains(handle, [platformDomain, deviceMgmtDomain], testLogger);
      return { handle, url: undefined, drop: () => handle.close() };
    },
  ],
];

describe.each(BACKENDS)('on %s', (_name, open) => {
  let testDb: TestDatabase;
  let fx: DeviceMgmtFixture;
  let fleet: AppFleetService;
  let checkIns: CheckInService;

  beforeAll(async () => {
    testDb = await open();
    fx = await createDeviceMgmtFixture(testDb);
    fleet = fx.get(AppFleetService);
    checkIns = fx.get(CheckInService);
  });
  afterAll(async () => {
    await fx?.close();
    await testDb?.drop();
  });
  beforeEach(async () => {
    await resetDeviceData(fx.handle);
    fx.pushed.length = 0;
  });

  async function commandRows() {
    return fx.handle.db.select().from(deviceCommands).orderBy(deviceCommands.idempotencyKey);
  }

  describe('devices', () => {
    it('pages an institution’s active devices by id, more than a page of them, and nothing of another', async () => {
      const base = { userId: 'official-1', attestation: {}, lastAttestedAt: new Date() };
      const mine = await fx.handle.db
        .insert(devices)
        .values(Array.from({ length: 2 * APP_FLEET_PAGE + 1 }, () => ({ ...base, institutionId: A })))
        .returning({ id: devices.id });
      await fx.handle.db.insert(devices).values([
        { ...base, institutionId: B },
        { ...base, institutionId: B },
        { ...base, institutionId: null },
        { ...base, institutionId: A, state: 'lost' },
        { ...base, institutionId: A, state: 'retired' },
        { ...base, institutionId: A, state: 'wiped' },
      ]);
      const pages: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = await fleet.devices(A, after);
        pages.push(page.map((d) => d.id));
        expect(page.every((d) => d.institutionId === A)).toBe(true);
        if (page.length < APP_FLEET_PAGE) break;
        after = page.at(-1)!.id;
      }
      expect(pages.map((p) => p.length)).toEqual([APP_FLEET_PAGE, APP_FLEET_PAGE, 1]);
      const all = pages.flat();
      // Ordered by id (uuid order is byte order of the hex), every active device of A once, nothing else.
      expect(all).toEqual(mine.map((d) => d.id).sort());
      expect((await fleet.devices(B)).map((d) => d.institutionId)).toEqual([B, B]);
      expect(await fleet.devices('33333333-3333-4333-8333-333333333333')).toEqual([]);
      // The last page's last id: nothing after it.
      expect(await fleet.devices(A, all.at(-1))).toEqual([]);
    });

    it('shows the apps and crash counts of the last check-in (either path), none before the first', async () => {
      const d = await addDevice(fx.handle, { institutionId: A });
      expect(await fleet.devices(A)).toEqual([
        { id: d.id, institutionId: A, apps: [], attestationFailed: false },
      ]);
      // A plain check-in (the optimistic write): crashes kept, an app without a count shows 0.
      await checkIns.checkIn(devicePrincipal(d), {
        ...REPORT,
        apps: [
          { package: 'gov.pk.mail', versionCode: 11, crashes: 2 },
          { package: 'gov.pk.chat', versionCode: 3 },
        ],
      });
      expect((await fleet.devices(A))[0]?.apps).toEqual([
        { package: 'gov.pk.mail', versionCode: 11, crashes: 2 },
        { package: 'gov.pk.chat', versionCode: 3, crashes: 0 },
      ]);
      // A check-in with an acknowledgement (the locking path) stores its report the same way.
      const lock = (
        await fx.get(CommandsService).create(d.id, { type: 'lock' }, principal(['device-admin']), null)
      ).command;
      await checkIns.checkIn(devicePrincipal(d), REPORT);
      await checkIns.checkIn(devicePrincipal(d), {
        ...REPORT,
        apps: [{ package: 'gov.pk.mail', versionCode: 11, crashes: 7 }],
        acknowledgements: [{ commandId: lock.id, state: 'succeeded' }],
      });
      expect((await fleet.devices(A))[0]?.apps).toEqual([
        { package: 'gov.pk.mail', versionCode: 11, crashes: 7 },
      ]);
    });

    it('says attestation failed when the verdict names bad boot state or stale evidence, not otherwise', async () => {
      const healthy = await addDevice(fx.handle, { institutionId: A });
      const unlocked = await addDevice(fx.handle, {
        institutionId: A,
        attestation: {
          rootOfTrust: { verifiedBootKey: 'ab', deviceLocked: false, verifiedBootState: 'Unverified' },
          osPatchLevel: 202611,
        },
      });
      // No attestation accepted for two days (the default policy allows 24 hours).
      const stale = await addDevice(fx.handle, {
        institutionId: A,
        lastAttestedAt: new Date(Date.now() - 48 * 3_600_000),
      });
      for (const d of [healthy, unlocked, stale]) await checkIns.checkIn(devicePrincipal(d), REPORT);
      const verdicts = new Map((await fleet.devices(A)).map((d) => [d.id, d.attestationFailed]));
      expect(verdicts).toEqual(
        new Map([
          [healthy.id, false],
          [unlocked.id, true],
          [stale.id, true],
        ]),
      );
    });
  });

  describe('queue', () => {
    it('queues each key once per device, in one statement, and pushes only the devices with something new', async () => {
      const d1 = await addDevice(fx.handle, { institutionId: A });
      const d2 = await addDevice(fx.handle, { institutionId: A, imsi: '001010000000002' });
      const retired = await addDevice(fx.handle, { institutionId: A, state: 'retired' });
      const before = Date.now();
      expect(
        await fleet.queue(
          [
            install(d1.id, 'app:r1:11'),
            // The same key twice in one call, and a device that takes no more commands: skipped.
            install(d1.id, 'app:r1:11'),
            install(d2.id, 'app:r1:11'),
            install(retired.id, 'app:r1:11'),
          ],
          STORE,
        ),
      ).toBe(2);
      expect(fx.pushed.map((ids) => [...ids].sort())).toEqual([[d1.id, d2.id].sort()]);
      // Again (a reconciliation repeating its wish): nothing new, nobody pushed.
      expect(await fleet.queue([install(d1.id, 'app:r1:11'), install(d2.id, 'app:r1:11')], STORE)).toBe(0);
      expect(fx.pushed).toHaveLength(1);
      // A new key for one device: one new command, that device pushed.
      expect(
        await fleet.queue(
          [
            install(d1.id, 'app:r1:11'),
            {
              deviceId: d2.id,
              type: 'uninstall_app',
              params: { package: 'gov.pk.old', versionCode: 3 },
              key: 'app:r1:old',
            },
          ],
          STORE,
        ),
      ).toBe(1);
      expect(fx.pushed.at(-1)).toEqual([d2.id]);
      const rows = await commandRows();
      expect(rows).toHaveLength(3);
      for (const r of rows) {
        expect(r).toMatchObject({
          institutionId: A,
          state: 'queued',
          createdBy: STORE.id,
          createdByName: STORE.name,
        });
        const life = r.expiresAt.getTime() - r.createdAt.getTime();
        expect(life).toBe(DEFAULT_EXPIRY_MINUTES * 60_000);
        expect(r.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
      }
      expect(rows.find((r) => r.deviceId === d1.id)?.params).toEqual({
        package: 'gov.pk.mail',
        versionCode: 11,
        apkSha256: SHA,
      });
      expect(await fleet.queue([], STORE)).toBe(0);
    });

    it('refuses a malformed call whole, queueing nothing: keys, parameters, types, size', async () => {
      const d = await addDevice(fx.handle, { institutionId: A });
      const bad: [string, AppFleetCommand][] = [
        ['key without app:', install(d.id, 'r1:11')],
        ['key of 201 characters', install(d.id, `app:${'x'.repeat(197)}`)],
        [
          'digest in upper case',
          {
            deviceId: d.id,
            type: 'install_app',
            key: 'app:k',
            params: { package: 'a.b', versionCode: 1, apkSha256: SHA.toUpperCase() },
          },
        ],
        ['no digest', { ...install(d.id, 'app:k'), params: { package: 'a.b', versionCode: 1 } as never }],
        ['an operator’s command type', { ...install(d.id, 'app:k'), type: 'wipe' as never }],
        ['not a device id', install('d-1', 'app:k')],
      ];
      for (const [what, command] of bad)
        await expect(fleet.queue([install(d.id, 'app:ok'), command], STORE), what).rejects.toThrow(
          /^app fleet: /,
        );
      const tooMany = Array.from({ length: APP_FLEET_PAGE + 1 }, (_, i) => install(d.id, `app:${i}`));
      await expect(fleet.queue(tooMany, STORE)).rejects.toThrow(/at most 1000/);
      await expect(fleet.queue([install(d.id, 'app:ok')], { id: '', name: 'x' })).rejects.toThrow(/actor/);
      expect(await commandRows()).toEqual([]);
      expect(fx.pushed).toEqual([]);
      // Exactly 200 characters is allowed.
      expect(await fleet.queue([install(d.id, `app:${'x'.repeat(196)}`)], STORE)).toBe(1);
    });

    it('a failing push does not fail the call: the commands are queued', async () => {
      const d = await addDevice(fx.handle, { institutionId: A });
      const broken = new AppFleetService(fx.handle, fx.get(AppFleetRepository), testLogger, {
        notify: () => Promise.reject(new Error('broker down')),
      });
      expect(await broken.queue([install(d.id, 'app:r1:11')], STORE)).toBe(1);
      expect(await commandRows()).toHaveLength(1);
    });
  });

  describe('outcomes', () => {
    it('reads the state and the handset’s detail of exactly the commands under a key prefix', async () => {
      const [ok, refused, waiting, late] = await Promise.all(
        ['1', '2', '3', '4'].map((n) =>
          addDevice(fx.handle, { institutionId: A, imsi: `00101000000000${n}` }),
        ),
      );
      await fleet.queue(
        [
          install(ok!.id, 'app:r1:11'),
          install(refused!.id, 'app:r1:11'),
          install(waiting!.id, 'app:r1:11'),
          install(late!.id, 'app:r1:11'),
          // Neighbours of the prefix in every order: none is under 'app:r1:'.
          install(ok!.id, 'app:r1', 9),
          install(ok!.id, 'app:r10:11', 9),
          install(ok!.id, 'app:r1;', 9),
          install(ok!.id, 'app:r1_11', 9),
        ],
        STORE,
      );
      // The handsets receive the install, with the APK's digest, at check-in.
      const got = await checkIns.checkIn(devicePrincipal(ok!), REPORT);
      const mine = got.commands.find((c) => c.params.versionCode === 11);
      expect(mine).toMatchObject({
        type: 'install_app',
        params: { package: 'gov.pk.mail', versionCode: 11, apkSha256: SHA },
      });
      const theirs = (await checkIns.checkIn(devicePrincipal(refused!), REPORT)).commands[0]!;
      // One acknowledges inside its next check-in, the other by the acknowledgement route, with its reason.
      await checkIns.checkIn(devicePrincipal(ok!), {
        ...REPORT,
        apps: [{ package: 'gov.pk.mail', versionCode: 11, crashes: 0 }],
        acknowledgements: [{ commandId: mine!.id, state: 'succeeded' }],
      });
      await fx.get(CommandsService).acknowledge(devicePrincipal(refused!), {
        commandId: theirs.id,
        state: 'failed',
        detail: 'apk_signer_mismatch: the APK is not signed by the catalogue’s signer',
      });
      // One was never picked up before its expiry (the sweep has not marked it yet).
      await fx.handle.db
        .update(deviceCommands)
        .set({ expiresAt: new Date(Date.now() - 1_000) })
        .where(sql`${deviceCommands.deviceId} = ${late!.id}`);
      const outcomes = await fleet.outcomes('app:r1:');
      expect(new Map(outcomes.map((o) => [o.deviceId, o]))).toEqual(
        new Map([
          [ok!.id, { deviceId: ok!.id, key: 'app:r1:11', state: 'succeeded', detail: null }],
          [
            refused!.id,
            {
              deviceId: refused!.id,
              key: 'app:r1:11',
              state: 'failed',
              detail: 'apk_signer_mismatch: the APK is not signed by the catalogue’s signer',
            },
          ],
          [waiting!.id, { deviceId: waiting!.id, key: 'app:r1:11', state: 'queued', detail: null }],
          [late!.id, { deviceId: late!.id, key: 'app:r1:11', state: 'expired', detail: null }],
        ]),
      );
      expect(outcomes).toHaveLength(4);
      // LIKE's wildcards are plain characters in a prefix.
      expect((await fleet.outcomes('app:r1_')).map((o) => o.key)).toEqual(['app:r1_11']);
      expect((await fleet.outcomes('app:r1')).map((o) => o.key).sort()).toEqual(
        [
          'app:r1',
          'app:r1:11',
          'app:r1:11',
          'app:r1:11',
          'app:r1:11',
          'app:r10:11',
          'app:r1;',
          'app:r1_11',
        ].sort(),
      );
      expect(await fleet.outcomes('app:none')).toEqual([]);
      await expect(fleet.outcomes('r1:')).rejects.toThrow(/app:/);
      await expect(fleet.outcomes(`app:${'x'.repeat(197)}`)).rejects.toThrow(/app:/);
    });
  });

  describe('cancel', () => {
    it('cancels the open commands under a prefix with the reason, and nothing else', async () => {
      const [waiting, received, done, late, other] = await Promise.all(
        ['1', '2', '3', '4', '5'].map((n) =>
          addDevice(fx.handle, { institutionId: A, imsi: `00101000000001${n}` }),
        ),
      );
      await fleet.queue(
        [
          install(waiting!.id, 'app:r1:11'),
          install(received!.id, 'app:r1:11'),
          install(done!.id, 'app:r1:11'),
          install(late!.id, 'app:r1:11'),
          // Neighbours of the prefix, and the same device under another key: untouched.
          install(waiting!.id, 'app:r1', 9),
          install(waiting!.id, 'app:r10:11', 9),
          install(waiting!.id, 'app:r1;', 9),
          install(other!.id, 'app:r1_11', 9),
          {
            deviceId: other!.id,
            type: 'uninstall_app',
            params: { package: 'gov.pk.mail', versionCode: 9 },
            key: 'app:u:r1:11',
          },
        ],
        STORE,
      );
      // One received its install (not acknowledged yet), one installed it, one was never picked up in time.
      const got = (await checkIns.checkIn(devicePrincipal(received!), REPORT)).commands[0]!;
      const ran = (await checkIns.checkIn(devicePrincipal(done!), REPORT)).commands[0]!;
      await fx
        .get(CommandsService)
        .acknowledge(devicePrincipal(done!), { commandId: ran.id, state: 'succeeded' });
      await fx.handle.db
        .update(deviceCommands)
        .set({ expiresAt: new Date(Date.now() - 1_000) })
        .where(sql`${deviceCommands.deviceId} = ${late!.id}`);

      expect(await fleet.cancel('app:r1:', 'halted: wrong server URL')).toBe(2);
      const state = async (deviceId: string, key: string) => {
        const [row] = await fx.handle.db
          .select()
          .from(deviceCommands)
          .where(sql`${deviceCommands.deviceId} = ${deviceId} and ${deviceCommands.idempotencyKey} = ${key}`);
        return { state: row!.state, result: row!.result };
      };
      expect(await state(waiting!.id, 'app:r1:11')).toEqual({
        state: 'cancelled',
        result: { detail: 'halted: wrong server URL' },
      });
      expect(await state(received!.id, 'app:r1:11')).toEqual({
        state: 'cancelled',
        result: { detail: 'halted: wrong server URL' },
      });
      expect(await state(done!.id, 'app:r1:11')).toEqual({ state: 'succeeded', result: {} });
      expect((await state(late!.id, 'app:r1:11')).state).toBe('queued');
      for (const [deviceId, key] of [
        [waiting!.id, 'app:r1'],
        [waiting!.id, 'app:r10:11'],
        [waiting!.id, 'app:r1;'],
        [other!.id, 'app:r1_11'],
        [other!.id, 'app:u:r1:11'],
      ] as const)
        expect((await state(deviceId, key)).state, key).toBe('queued');
      // Cancelled commands are not delivered any more; the next check-in carries only the neighbours.
      const next = await checkIns.checkIn(devicePrincipal(waiting!), REPORT);
      expect(next.commands.map((c) => c.params.versionCode)).toEqual([9, 9, 9]);
      expect((await checkIns.checkIn(devicePrincipal(received!), REPORT)).commands).toEqual([]);
      // The handset that had received it ran it after all: its acknowledgement says what happened.
      await fx.get(CommandsService).acknowledge(devicePrincipal(received!), {
        commandId: got.id,
        state: 'succeeded',
      });
      expect((await state(received!.id, 'app:r1:11')).state).toBe('succeeded');
      const outcomes = new Map((await fleet.outcomes('app:r1:')).map((o) => [o.deviceId, o.state]));
      expect(outcomes).toEqual(
        new Map([
          [waiting!.id, 'cancelled'],
          [received!.id, 'succeeded'],
          [done!.id, 'succeeded'],
          [late!.id, 'expired'],
        ]),
      );
      // Again: nothing open is left under the prefix.
      expect(await fleet.cancel('app:r1:', 'again')).toBe(0);
      await expect(fleet.cancel('r1:', 'x')).rejects.toThrow(/app:/);
      await expect(fleet.cancel('app:r1:', '')).rejects.toThrow(/reason/);
    });
  });

  describe('outcomes at scale', () => {
    it('is a range scan of the key index among 10,000 rollout commands', async () => {
      await fx.handle.db.execute(sql`
        insert into device_mgmt.device_commands
          (device_id, type, idempotency_key, created_by, created_by_name, expires_at)
        select gen_random_uuid(), 'install_app', 'app:r' || (i % 100) || ':' || i, 'x', 'x', now() + interval '1 day'
        from generate_series(1, 10000) i`);
      await fx.handle.db.execute(sql`analyze device_mgmt.device_commands`);
      const repo = fx.get(AppFleetRepository);
      const plan = await fx.handle.db.execute(sql`explain ${repo.byKeyRange('app:r42:', 'app:r42;')}`);
      const text = rowsOf<{ 'QUERY PLAN': string }>(plan)
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(text).toContain('device_commands_key_idx');
      expect(text).not.toContain('Seq Scan');
      expect(await fleet.outcomes('app:r42:')).toHaveLength(100);
    });
  });
});
