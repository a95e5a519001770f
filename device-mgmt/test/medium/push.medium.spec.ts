import { randomUUID, X509Certificate } from 'node:crypto';
import net from 'node:net';
import { Global, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  DEVICE_AUTHENTICATOR,
  DEVICE_EDGE_TLS,
  LOGGER,
  Metrics,
  PLATFORM_CONFIG,
  type DeviceAuthenticator,
  type DeviceEdgeTls,
} from '@pakawaaz/platform';
import {
  createPemCa,
  issueDevicePem,
  issueServerPem,
  serviceGate,
  testMqttUrl,
  testLogger,
  type PemCa,
} from '@pakawaaz/test-support';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadPushConfig } from '../../src/device-mgmt.config.js';
import { DEVICE_PUSH, type DevicePush } from '../../src/devices/device-ports.js';
import { DevicePushService } from '../../src/push/device-push.service.js';
import { PushModule } from '../../src/push/push.module.js';
import { pushTopic } from '../../src/push/push-topic.js';

let ca: PemCa;
const opened: (INestApplicationContext | MqttClient)[] = [];

/** A free loopback port (PAKAWAAZ_MQTT_PORT=0 means "off", not "any"). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

const edgeTls = (): DeviceEdgeTls => ({
  clientCas: () => Promise.resolve([ca.certPem]),
  serverIdentity: (hostnames) => issueServerPem(ca, hostnames).then((s) => ({ ...s, chainPem: '' })),
});

/** The device is the certificate's CN (as the device CA issues them). */
const authenticator: DeviceAuthenticator = {
  authenticate: (chain) => {
    const deviceId = /CN=([^\n,]+)/.exec(new X509Certificate(chain[0]!).subject)?.[1] ?? '';
    return Promise.resolve({
      ok: true,
      device: {
        deviceId,
        userId: randomUUID(),
        institutionId: null,
        certThumbprint: 'x',
        compliance: 'compliant',
      },
    });
  },
};

async function boot(env: Record<string, string>, deviceCa: boolean) {
  const metrics = new Metrics();
  @Global()
  @Module({
    providers: [
      { provide: LOGGER, useValue: testLogger },
      { provide: PLATFORM_CONFIG, useValue: { HOST: 'localhost' } },
      { provide: Metrics, useValue: metrics },
      ...(deviceCa
        ? [
            { provide: DEVICE_EDGE_TLS, useValue: edgeTls() },
            { provide: DEVICE_AUTHENTICATOR, useValue: authenticator },
          ]
        : []),
    ],
    exports: [LOGGER, PLATFORM_CONFIG, Metrics],
  })
  class Kernel {}
  @Module({ imports: [Kernel, PushModule.forRoot(loadPushConfig(env, { HOST: 'localhost' }))] })
  class TestModule {}
  const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
  await app.init();
  opened.push(app);
  return { app, metrics, push: app.get<DevicePush>(DEVICE_PUSH) };
}

const track = (c: MqttClient) => (opened.push(c), c);
const message = (c: MqttClient, ms = 3_000) =>
  new Promise<string | null>((resolve) => {
    const t = setTimeout(() => resolve(null), ms);
    c.once('message', (topic, payload) => {
      clearTimeout(t);
      resolve(`${topic} ${payload.toString()}`);
    });
  });

beforeAll(async () => {
  ca = await createPemCa();
});
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await ('endAsync' in o ? o.endAsync(true) : o.close());
});

describe('DEVICE_PUSH with the embedded broker', () => {
  it('starts on bootstrap with the device CA, pushes to a connected handset, counts, and stops on close', async () => {
    const { app, push, metrics } = await boot({ PAKAWAAZ_MQTT_PORT: String(await freePort()) }, true);
    const port = app.get(DevicePushService).port()!;
    const deviceId = randomUUID();
    const cert = await issueDevicePem(ca, deviceId);
    const handset = track(
      await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
        ca: ca.certPem,
        cert: cert.certPem,
        key: cert.keyPem,
        clientId: deviceId,
        reconnectPeriod: 0,
      }),
    );
    await handset.subscribeAsync(pushTopic(deviceId), { qos: 1 });
    const got = message(handset);
    await push.notify([deviceId, deviceId, 'not-a-device/#']);
    expect(await got).toBe(`${pushTopic(deviceId)} {"v":1,"type":"check-in"}`);

    const text = await metrics.registry.metrics();
    expect(text).toContain('pakawaaz_push_notifications_total{outcome="sent"} 1');
    expect(text).toContain('pakawaaz_push_notifications_total{outcome="invalid_device_id"} 1');
    expect(text).toContain('pakawaaz_mqtt_connected_devices 1');

    const closed = new Promise<void>((resolve) => handset.once('close', () => resolve()));
    await app.close();
    opened.splice(opened.indexOf(app), 1);
    await closed;
  });

  it('boots without a device CA bound (no broker), and a push is counted as not sent, not thrown', async () => {
    const { push, metrics, app } = await boot({ PAKAWAAZ_MQTT_PORT: String(await freePort()) }, false);
    expect(app.get(DevicePushService).port()).toBeNull();
    await push.notify([randomUUID()]);
    expect(await metrics.registry.metrics()).toContain(
      'pakawaaz_push_notifications_total{outcome="no_broker"} 1',
    );
  });

  it('stops start-up naming the variable when the port is taken', async () => {
    const taken = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      await expect(boot({ PAKAWAAZ_MQTT_PORT: String(port) }, true)).rejects.toThrow(/PAKAWAAZ_MQTT_PORT/);
    } finally {
      taken.close();
    }
  });
});

describe('DEVICE_PUSH through an external broker (MQTT_URL, the local Mosquitto)', async () => {
  it('drops (and counts) pushes while the broker is unreachable, and shuts down while retrying', async () => {
    const { push, metrics, app } = await boot({ MQTT_URL: `mqtt://127.0.0.1:${await freePort()}` }, false);
    await new Promise((r) => setTimeout(r, 200)); // a refused connect or two
    await push.notify([randomUUID(), randomUUID()]);
    expect(await metrics.registry.metrics()).toContain(
      'pakawaaz_push_notifications_total{outcome="offline"} 2',
    );
    await app.close();
    opened.splice(opened.indexOf(app), 1);
  });

  const url = testMqttUrl();
  const up = await serviceGate('Mosquitto', url);

  it.skipIf(!up)('publishes the check-in push a subscriber of the device topic receives', async () => {
    const { push } = await boot({ MQTT_URL: url }, false);
    const deviceId = randomUUID();
    const sub = track(await mqtt.connectAsync(url, { reconnectPeriod: 0 }));
    await sub.subscribeAsync(pushTopic(deviceId), { qos: 1 });
    const got = message(sub);
    // The publisher connects in the background: notify until it is connected (an offline push is dropped).
    for (let i = 0; i < 50; i++) {
      await push.notify([deviceId]);
      if (await Promise.race([got.then(() => true), new Promise((r) => setTimeout(() => r(false), 100))]))
        break;
    }
    expect(await got).toBe(`${pushTopic(deviceId)} {"v":1,"type":"check-in"}`);
  });
});
