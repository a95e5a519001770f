import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import { Global, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  AuditService,
  DeadLetterStore,
  DEVICE_AUTHENTICATOR,
  DEVICE_EDGE_TLS,
  EVENT_BUS,
  FileKeyBackend,
  InProcessEventBus,
  KeyService,
  LOGGER,
  Metrics,
  PLATFORM_CONFIG,
  platformDomain,
} from '@pakawaaz/platform';
import { createTestDatabase, operatorPrincipal, type TestDatabase, testLogger } from '@pakawaaz/test-support';
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceCaPorts } from '../../src/device-ca/device-ca-ports.js';
import type { PoliciesService } from '../../src/policies/policies.service.js';
import { DeviceCaRepository } from '../../src/device-ca/device-ca.repository.js';
import { DeviceCaService, openDeviceCaState } from '../../src/device-ca/device-ca.service.js';
import { verifiedCsr } from '../../src/device-ca/device-ca.js';
import { loadPushConfig, type DeviceMgmtConfig } from '../../src/device-mgmt.config.js';
import { deviceMgmtDomain } from '../../src/device-mgmt.domain.js';
import { DeviceAdminRepository } from '../../src/devices/device-admin.repository.js';
import { DeviceAdminService } from '../../src/devices/device-admin.service.js';
import { devices } from '../../src/devices/devices.schema.js';
import type { Officials } from '../../src/enrolment/officials.js';
import { DevicePushService } from '../../src/push/device-push.service.js';
import { PushModule } from '../../src/push/push.module.js';
import { pushTopic } from '../../src/push/push-topic.js';

/*
 * Revocation closes a live MQTT connection: the device CA and its ports on PostgreSQL, the event bus, and the
 * embedded broker booted by DevicePushService; handsets are real MQTT clients on mutual TLS with certificates
 * the device CA issued. The paths: retirement (the devices route), a wipe acknowledged (DEVICE_CERTIFICATES,
 * as CommandOutcomes calls it) and a renewal that supersedes the certificate a connection was made with.
 */
const national = operatorPrincipal('op-1', ['super-admin']);

let db: TestDatabase;
let dir: string;
let ca: DeviceCaService;
let ports: DeviceCaPorts;
let admin: DeviceAdminService;
let bus: InProcessEventBus;
let app: INestApplicationContext;
let port: number;
const clients: MqttClient[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as net.AddressInfo;
      s.close(() => resolve(p));
    });
  });

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END ${label}-----\n`;

/** A device row and a certificate for it from the device CA (a new key each time). */
async function certificateFor(deviceId: string) {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: 'CN=x',
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const issued = await ca.issue({
    csr: await verifiedCsr(new Uint8Array(csr.rawData)),
    attestedSpki: null,
    deviceId,
    userId: 'u-nadia',
    imei: null,
  });
  return {
    ...issued,
    keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
  };
}

async function enrolled() {
  const [d] = await db.handle.db
    .insert(devices)
    .values({ userId: 'u-nadia', institutionId: null, attestation: {}, lastAttestedAt: new Date() })
    .returning();
  return { deviceId: d!.id, cert: await certificateFor(d!.id) };
}

const connect = (deviceId: string, cert: { pem: string; keyPem: string }) =>
  mqtt
    .connectAsync(
      `mqtts://127.0.0.1:${port}`,
      {
        ca: ca.caPems(),
        cert: cert.pem,
        key: cert.keyPem,
        clientId: deviceId,
        servername: 'localhost',
        reconnectPeriod: 0,
        connectTimeout: 5_000,
      },
      false,
    )
    .then((c) => (clients.push(c), c));

/** Connected and subscribed, as a handset holds its push channel. */
async function handset(deviceId: string, cert: { pem: string; keyPem: string }) {
  const c = await connect(deviceId, cert);
  await c.subscribeAsync(pushTopic(deviceId), { qos: 1 });
  return c;
}

const closedWithin = (c: MqttClient, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (!c.connected) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    c.once('close', () => (clearTimeout(t), resolve(true)));
  });

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, deviceMgmtDomain]);
  dir = await mkdtemp(path.join(tmpdir(), 'pkz-dm-kick-'));
  port = await freePort();
  const config: DeviceMgmtConfig = {
    dataDir: dir,
    caKeyFile: path.join(dir, 'keys', 'device-ca.jwk'),
    certificateValidityDays: 90,
    trustLabRoot: false,
    labRootFile: path.join(dir, 'lab', 'attestation-root.pem'),
    demoFleet: false,
    attestationRootsFile: null,
    attestationStatusFile: path.join(dir, 'status.json'),
    push: loadPushConfig({ PAKAWAAZ_MQTT_PORT: String(port) }, { HOST: 'localhost' }),
    agent: null,
    requireStrongBox: false,
    minimumPatchLevel: null,
    trustedBootKeys: [],
    enrolUrlBase: 'https://noc.gov.example',
    checkInBatch: 64,
    desktopEnrolment: { maxAuthAgeSeconds: 300, acr: 'aal2' },
  };
  const metrics = new Metrics();
  bus = new InProcessEventBus(testLogger, {
    retryBaseMs: 10,
    retryMaxMs: 50,
    deadLetters: new DeadLetterStore(db.handle.db, metrics, testLogger),
  });
  const keys = new KeyService(new FileKeyBackend(), testLogger);
  const state = await openDeviceCaState(keys, db.handle, config, testLogger);
  const caRepo = new DeviceCaRepository(db.handle);
  ca = new DeviceCaService(state, config, caRepo, bus, testLogger);
  // Handsets only here: the device policy is asked for desktops alone.
  ports = new DeviceCaPorts(ca, caRepo, {} as PoliciesService);
  admin = new DeviceAdminService(
    new DeviceAdminRepository(db.handle),
    caRepo,
    ca,
    {} as Officials,
    new AuditService(db.handle),
    config,
    bus,
    testLogger,
  );
  @Global()
  @Module({
    providers: [
      { provide: LOGGER, useValue: testLogger },
      { provide: PLATFORM_CONFIG, useValue: { HOST: 'localhost' } },
      { provide: Metrics, useValue: metrics },
      { provide: EVENT_BUS, useValue: bus },
      { provide: DEVICE_EDGE_TLS, useValue: ports },
      { provide: DEVICE_AUTHENTICATOR, useValue: ports },
    ],
    exports: [LOGGER, PLATFORM_CONFIG, Metrics, EVENT_BUS, DEVICE_EDGE_TLS, DEVICE_AUTHENTICATOR],
  })
  class Kernel {}
  @Module({ imports: [Kernel, PushModule.forRoot(config.push)] })
  class TestModule {}
  app = await NestFactory.createApplicationContext(TestModule, { logger: false });
  await app.init();
  expect(app.get(DevicePushService).port()).toBe(port);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await app?.close();
  await bus?.close();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a revoked device certificate holds no MQTT connection', () => {
  it('retiring a device closes its connection at once and refuses its reconnect; other devices stay', async () => {
    const a = await enrolled();
    const b = await enrolled();
    const [ca1, cb] = await Promise.all([handset(a.deviceId, a.cert), handset(b.deviceId, b.cert)]);
    const closed = closedWithin(ca1, 2_000);
    await admin.retire(a.deviceId, 'left the service', national, 'req-1');
    expect(await closed).toBe(true);
    await expect(connect(a.deviceId, a.cert)).rejects.toThrow(/not authorized/i);
    expect(cb.connected).toBe(true);
    expect(await closedWithin(cb, 300)).toBe(false);
  });

  it('an acknowledged wipe (DEVICE_CERTIFICATES) closes the connection and refuses the reconnect', async () => {
    const a = await enrolled();
    const c = await handset(a.deviceId, a.cert);
    const closed = closedWithin(c, 2_000);
    expect(await ports.revokeForDevice(a.deviceId, 'wiped')).toBe(1);
    expect(await closed).toBe(true);
    await expect(connect(a.deviceId, a.cert)).rejects.toThrow(/not authorized/i);
  });

  it('a renewal closes the connection made with the superseded certificate; the new one connects and stays', async () => {
    const a = await enrolled();
    const old = await handset(a.deviceId, a.cert);
    const closed = closedWithin(old, 2_000);
    const renewed = await certificateFor(a.deviceId);
    const superseded = await ca.revokeForDevice(a.deviceId, 'superseded', undefined, renewed.serial);
    expect(superseded).toEqual([a.cert.serial]);
    await ca.announceRevoked(a.deviceId, superseded, 'superseded');
    expect(await closed).toBe(true);
    await expect(connect(a.deviceId, a.cert)).rejects.toThrow(/not authorized/i);
    const fresh = await handset(a.deviceId, renewed);
    await ca.announceRevoked(a.deviceId, superseded, 'superseded'); // a repeat names the old serial only
    expect(await closedWithin(fresh, 300)).toBe(false);
  });
});
