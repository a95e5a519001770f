import { Global, Module, type INestApplicationContext, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  DeadLetterStore,
  FileKeyBackend,
  InProcessEventBus,
  institutionScope,
  KeyService,
  loadPlatformConfig,
  Metrics,
  NATIONAL_SCOPE,
  PlatformModule,
  platformDomain,
  sql,
  type DatabaseHandle,
  type DevicePrincipal,
  type DomainEvent,
  type Principal,
  type Role,
} from '@pakawaaz/platform';
import type { OfficialRecord } from '@pakawaaz/core-network';
import { OFFICIAL_DIRECTORY } from '@pakawaaz/identity';
import { compositionOf, createTestDatabase, testLogger, type TestDatabase } from '@pakawaaz/test-support';
import { AppFleetRepository } from '../../src/app-fleet/app-fleet.repository.js';
import { AppFleetService } from '../../src/app-fleet/app-fleet.service.js';
import { deviceMgmtDomain } from '../../src/device-mgmt.domain.js';
import { DeviceOperationsModule } from '../../src/device-operations.module.js';
import { DEVICE_CERTIFICATES, DEVICE_PUSH } from '../../src/devices/device-ports.js';
import { devices } from '../../src/devices/devices.schema.js';
import { OS_ROLLOUTS, type OsRollouts } from '../../src/os-updates/os-rollouts.js';

const DOMAINS = [platformDomain, deviceMgmtDomain];

/** The real DeviceOperationsModule (policies, compliance, commands, check-in) and AppFleetService in a Nest application context (no HTTP) on one test database, with fake ports. */
export type DeviceMgmtFixture = {
  testDb: TestDatabase;
  handle: DatabaseHandle;
  app: INestApplicationContext;
  /** Every event published on the bus, in order. */
  events: DomainEvent[];
  revoked: { deviceId: string; reason: string }[];
  pushed: string[][];
  get<T>(type: abstract new (...args: never[]) => T): T;
  /** Another application on the same database: a restarted node. */
  restart(): Promise<DeviceMgmtFixture>;
  close(): Promise<void>;
};

/** The directory's people (by user id): the test admin, under its display name. */
export const DIRECTORY_PEOPLE: Record<string, OfficialRecord> = {
  '00000000-0000-4000-8000-00000000ad01': {
    userId: '00000000-0000-4000-8000-00000000ad01',
    username: 'test-admin',
    displayName: 'Amina Test-Admin',
    kind: 'operator',
    status: 'active',
    institutionId: null,
    institutionName: null,
  },
};

/** `osRollouts`: bound to OS_ROLLOUTS (hardened-os's rollout engine in the server); absent: no rollouts. */
export async function createDeviceMgmtFixture(
  database?: TestDatabase,
  osRollouts?: OsRollouts,
): Promise<DeviceMgmtFixture> {
  const testDb = database ?? (await createTestDatabase(DOMAINS));
  const handle = testDb.handle;
  const metrics = new Metrics();
  const deadLetters = new DeadLetterStore(handle.db, metrics, testLogger);
  const bus = new InProcessEventBus(testLogger, { retryBaseMs: 10, retryMaxMs: 50, deadLetters });
  const events: DomainEvent[] = [];
  await bus.subscribeBroadcast('test-recorder', '>', (e) => {
    events.push(e);
    return Promise.resolve();
  });
  const revoked: { deviceId: string; reason: string }[] = [];
  const pushed: string[][] = [];
  const providers: Provider[] = [
    // Identity's directory as its public face offers it: the people the tests' principals are.
    {
      provide: OFFICIAL_DIRECTORY,
      useValue: {
        find: (ref: string) =>
          Promise.resolve(
            Object.values(DIRECTORY_PEOPLE).find((p) => p.userId === ref || p.username === ref) ?? null,
          ),
        byIds: (ids: readonly string[]) =>
          Promise.resolve(
            new Map(ids.flatMap((id) => (DIRECTORY_PEOPLE[id] ? [[id, DIRECTORY_PEOPLE[id]] as const] : []))),
          ),
      },
    },
    {
      provide: DEVICE_CERTIFICATES,
      useValue: {
        revokeForDevice: (deviceId: string, reason: string) => {
          revoked.push({ deviceId, reason });
          return Promise.resolve(1);
        },
      },
    },
    {
      provide: DEVICE_PUSH,
      useValue: {
        notify: (ids: readonly string[]) => {
          pushed.push([...ids]);
          return Promise.resolve();
        },
      },
    },
  ];
  if (osRollouts) providers.push({ provide: OS_ROLLOUTS, useValue: osRollouts });
  @Global()
  @Module({
    providers,
    exports: [DEVICE_CERTIFICATES, DEVICE_PUSH, OFFICIAL_DIRECTORY, ...(osRollouts ? [OS_ROLLOUTS] : [])],
  })
  class TestPorts {}
  const resources = {
    config: loadPlatformConfig(
      { PAKAWAAZ_DATA_DIR: '/tmp/pakawaaz-dm-test' },
      process.cwd(),
      compositionOf(DOMAINS),
    ),
    logger: testLogger,
    database: handle,
    eventBus: bus,
    deadLetters,
    metrics,
    appInfo: { version: 'test', startedAt: new Date() },
    keys: new KeyService(new FileKeyBackend(), testLogger),
  };
  // AppFleetService as DeviceMgmtModule provides it (the rest of that module needs keys and a CA).
  @Module({
    imports: [PlatformModule.forRoot(resources), TestPorts, DeviceOperationsModule],
    providers: [AppFleetRepository, AppFleetService],
  })
  class Root {}
  const app = await NestFactory.createApplicationContext(Root, { logger: false, abortOnError: false });
  await app.init();
  return {
    testDb,
    handle,
    app,
    events,
    revoked,
    pushed,
    get: (type) => app.get(type),
    restart: async () => createDeviceMgmtFixture(testDb, osRollouts),
    async close() {
      await app.close();
      await bus.close();
      if (!database) await testDb.drop();
    },
  };
}

/** A caller for service-level calls, as the auth guard would establish it. */
export function principal(roles: Role[], institutionId: string | null = null): Principal {
  return {
    actor: { type: 'operator', id: '00000000-0000-4000-8000-00000000ad01' },
    name: 'test-admin',
    roles,
    institutionId,
    amr: ['pwd', 'otp', 'mfa'],
    acr: 'aal2',
    tokenId: 'test',
    scope: institutionId ? institutionScope([institutionId]) : NATIONAL_SCOPE,
  };
}

export type NewDevice = Partial<typeof devices.$inferInsert>;

/** Inserts a device row as enrolment would, with healthy attested facts. */
export async function addDevice(
  handle: DatabaseHandle,
  over: NewDevice = {},
): Promise<typeof devices.$inferSelect> {
  const rows = await handle.db
    .insert(devices)
    .values({
      userId: 'official-1',
      institutionId: null,
      imsi: '001010000000001',
      attestation: {
        rootOfTrust: { verifiedBootKey: 'ab', deviceLocked: true, verifiedBootState: 'SelfSigned' },
        osPatchLevel: 202611,
      },
      lastAttestedAt: new Date(),
      ...over,
    })
    .returning();
  const row = rows[0];
  if (!row) throw new Error('no device inserted');
  return row;
}

export function devicePrincipal(row: {
  id: string;
  userId: string;
  institutionId: string | null;
}): DevicePrincipal {
  return {
    deviceId: row.id,
    userId: row.userId,
    institutionId: row.institutionId,
    certThumbprint: 'test-thumbprint',
    compliance: 'compliant',
  };
}

/** Empties this slice's tables between tests. */
export async function resetDeviceData(handle: DatabaseHandle): Promise<void> {
  await handle.db.execute(
    sql.raw(
      'truncate device_mgmt.devices, device_mgmt.device_groups, device_mgmt.device_commands, device_mgmt.device_policies, device_mgmt.device_os_updates, device_mgmt.os_update_events',
    ),
  );
}
