import { randomUUID, X509Certificate } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createPemCa,
  issueDevicePem,
  issueServerPem,
  type PemCa,
  type PemIdentity,
} from '@pakawaaz/test-support';
import { startEmbeddedBroker, type BrokerEvent, type EmbeddedBroker } from './embedded-broker.js';
import { pushTopic } from './push-topic.js';

const GENEROUS = {
  globalPerSecond: 1000,
  globalBurst: 1000,
  perAddressPerSecond: 1000,
  perAddressBurst: 1000,
};

let ca: PemCa;
let foreignCa: PemCa;
let broker: EmbeddedBroker;
const events: BrokerEvent[] = [];
const revoked = new Set<string>();
const chains: number[] = [];
const clients: MqttClient[] = [];

/** Devices whose authentication waits until the test releases it (a database lookup in flight). */
const held = new Map<string, { entered: () => void; release: Promise<void> }>();

/** The test double of DEVICE_AUTHENTICATOR: the device id is the leaf's CN, unless revoked. */
async function authenticate(chain: readonly Uint8Array[]) {
  chains.push(chain.length);
  const cn = /CN=([^\n,]+)/.exec(new X509Certificate(chain[0]!).subject)?.[1] ?? '';
  const hold = held.get(cn);
  if (hold) {
    hold.entered();
    await hold.release;
  }
  return revoked.has(cn) ? { ok: false as const, reason: 'revoked' } : { ok: true as const, deviceId: cn };
}

async function start(limits = GENEROUS): Promise<EmbeddedBroker> {
  const server = await issueServerPem(ca);
  return startEmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    tls: { ...server, chainPem: '', clientCas: [ca.certPem] },
    authenticate,
    limits,
    onEvent: (e) => events.push(e),
  });
}

function connect(
  b: EmbeddedBroker,
  id: PemIdentity | null,
  opts: { clientId: string; clean?: boolean; maxVersion?: 'TLSv1.2' | 'TLSv1.3' },
): Promise<MqttClient> {
  return mqtt
    .connectAsync(
      `mqtts://127.0.0.1:${b.port}`,
      {
        ca: ca.certPem,
        ...(id && { cert: id.certPem, key: id.keyPem }),
        clientId: opts.clientId,
        clean: opts.clean ?? true,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
        ...(opts.maxVersion && { maxVersion: opts.maxVersion }),
      },
      false,
    )
    .then((c) => {
      clients.push(c);
      return c;
    });
}

async function device(b = broker) {
  const deviceId = randomUUID();
  const cert = await issueDevicePem(ca, deviceId);
  return { deviceId, cert, client: await connect(b, cert, { clientId: deviceId }) };
}

/** The SUBACK's granted QoS per topic (128 = refused; mqtt.js reports a refusal as an error carrying it). */
const granted = (c: MqttClient, topics: string[]): Promise<number[]> =>
  c.subscribeAsync(topics, { qos: 1 }).then(
    (g) => g.map((s) => s.qos),
    (err: Error & { packet?: { granted?: number[] } }) => err.packet?.granted ?? Promise.reject(err),
  );

const closedWithin = (c: MqttClient, ms = 2_000) =>
  new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    c.once('close', () => (clearTimeout(t), resolve(true)));
  });

const nextMessage = (c: MqttClient, ms = 2_000) =>
  new Promise<{ topic: string; payload: Buffer; qos: number; retain: boolean } | null>((resolve) => {
    const t = setTimeout(() => resolve(null), ms);
    c.once('message', (topic, payload, packet) => {
      clearTimeout(t);
      resolve({ topic, payload, qos: packet.qos, retain: packet.retain });
    });
  });

beforeAll(async () => {
  [ca, foreignCa] = await Promise.all([createPemCa(), createPemCa('Someone Else CA')]);
  broker = await start();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  events.length = 0;
});
afterAll(() => broker.close());

describe('embedded MQTT broker (mutual TLS, device certificates)', () => {
  it('delivers a check-in push to a device on its own topic, QoS 1, not retained', async () => {
    const { deviceId, client } = await device();
    expect(await granted(client, [pushTopic(deviceId)])).toEqual([1]);
    const received = nextMessage(client);
    await broker.publish(pushTopic(deviceId));
    expect(await received).toEqual({
      topic: pushTopic(deviceId),
      payload: Buffer.from('{"v":1,"type":"check-in"}'),
      qos: 1,
      retain: false,
    });
    expect(broker.connected()).toBe(1);
    expect(chains.at(-1)).toBe(1); // the leaf, not the CA's self-signed root
  });

  it("refuses a subscription to another device's topic, and to wildcards", async () => {
    const a = await device();
    const b = await device();
    expect(await granted(a.client, [pushTopic(b.deviceId), 'pakawaaz/devices/+/push', '#'])).toEqual([
      128, 128, 128,
    ]);
    await b.client.subscribeAsync(pushTopic(b.deviceId), { qos: 1 });
    const aGot = nextMessage(a.client, 500);
    await broker.publish(pushTopic(b.deviceId));
    expect(await aGot).toBeNull();
    expect(events.filter((e) => e.kind === 'denied')).toHaveLength(3);
  });

  it('refuses every publish from a device', async () => {
    const a = await device();
    const b = await device();
    await b.client.subscribeAsync(pushTopic(b.deviceId), { qos: 1 });
    const bGot = nextMessage(b.client, 700);
    a.client.publish(pushTopic(b.deviceId), '{"v":1,"type":"check-in"}', { qos: 0 });
    expect(await bGot).toBeNull();
    expect(events).toContainEqual({ kind: 'denied', action: 'publish' });
  });

  it('refuses a connection without a certificate, or with a certificate of another CA', async () => {
    const deviceId = randomUUID();
    await expect(connect(broker, null, { clientId: deviceId })).rejects.toThrow();
    const foreign = await issueDevicePem(foreignCa, deviceId);
    await expect(connect(broker, foreign, { clientId: deviceId })).rejects.toThrow();
    expect(broker.connected()).toBe(0);
  });

  it('requires TLS 1.3, like the device port: a TLS 1.2 handset is refused', async () => {
    const deviceId = randomUUID();
    const cert = await issueDevicePem(ca, deviceId);
    await expect(connect(broker, cert, { clientId: deviceId, maxVersion: 'TLSv1.2' })).rejects.toThrow();
    const ok = await connect(broker, cert, { clientId: deviceId, maxVersion: 'TLSv1.3' });
    expect(ok.connected).toBe(true);
  });

  it('refuses a device the authenticator refuses (revoked), and a client id other than the device id', async () => {
    const deviceId = randomUUID();
    const cert = await issueDevicePem(ca, deviceId);
    await expect(connect(broker, cert, { clientId: randomUUID() })).rejects.toThrow(/identifier rejected/i);
    revoked.add(deviceId);
    await expect(connect(broker, cert, { clientId: deviceId })).rejects.toThrow(/not authorized/i);
    expect(events.filter((e) => e.kind === 'auth_refused').map((e) => 'reason' in e && e.reason)).toEqual([
      'client_id',
      'revoked',
    ]);
  });

  it('refuses persistent sessions (the broker keeps no queue per device)', async () => {
    const deviceId = randomUUID();
    const cert = await issueDevicePem(ca, deviceId);
    await expect(connect(broker, cert, { clientId: deviceId, clean: false })).rejects.toThrow();
  });

  it('refuses a burst of connections beyond the per-address bucket, before the TLS handshake', async () => {
    const limited = await start({
      globalPerSecond: 1000,
      globalBurst: 1000,
      perAddressPerSecond: 0.01,
      perAddressBurst: 3,
    });
    try {
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => device(limited)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      expect(events.filter((e) => e.kind === 'refused')).toEqual(
        Array.from({ length: 3 }, () => ({ kind: 'refused', reason: 'rate_address' })),
      );
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
      await limited.close();
    }
  });
});

describe('closing connections whose certificate no longer holds', () => {
  it('closes the device’s connection at once when it is kicked (with serials: only the one they name)', async () => {
    const a = await device();
    const serial = new X509Certificate(a.cert.certPem).serialNumber; // upper-case, zero-padded
    expect(broker.kick(a.deviceId, ['7fffffff'])).toBe(0);
    expect(await closedWithin(a.client, 300)).toBe(false);
    const closed = closedWithin(a.client);
    expect(broker.kick(a.deviceId, [`00${serial}`])).toBe(1);
    expect(await closed).toBe(true);
    expect(events).toContainEqual({ kind: 'kicked', reason: 'revoked' });
    expect(broker.kick(a.deviceId)).toBe(0);
    expect(broker.kick(randomUUID())).toBe(0);
  });

  it('refuses a connect whose authentication was under way when the device was kicked, not a later one', async () => {
    const deviceId = randomUUID();
    const cert = await issueDevicePem(ca, deviceId);
    let release!: () => void;
    const entered = new Promise<void>((resolve) =>
      held.set(deviceId, { entered: resolve, release: new Promise<void>((r) => (release = r)) }),
    );
    const attempt = connect(broker, cert, { clientId: deviceId });
    await entered;
    expect(broker.kick(deviceId)).toBe(0); // not connected yet
    release();
    await expect(attempt).rejects.toThrow(/not authorized/i);
    held.delete(deviceId);
    // The authenticator has the last word for connects that start after the kick.
    const again = await connect(broker, cert, { clientId: deviceId });
    expect(again.connected).toBe(true);
  });

  it('closes connections whose CA is no longer trusted when the TLS identity changes, and keeps the others', async () => {
    const own = await start();
    try {
      const a = await device(own);
      const server = await issueServerPem(ca);
      await own.setTls({ ...server, chainPem: '', clientCas: [ca.certPem, foreignCa.certPem] });
      expect(await closedWithin(a.client, 300)).toBe(false);
      const closed = closedWithin(a.client);
      await own.setTls({ ...server, chainPem: '', clientCas: [foreignCa.certPem] });
      expect(await closed).toBe(true);
      expect(events).toContainEqual({ kind: 'kicked', reason: 'untrusted' });
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
      await own.close();
    }
  });
});
