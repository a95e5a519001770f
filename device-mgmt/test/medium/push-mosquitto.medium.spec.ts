import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import {
  createPemCa,
  issueDevicePem,
  issueServerPem,
  reachable,
  requireServices,
  type PemCa,
  type PemIdentity,
} from '@pakawaaz/test-support';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectExternalBroker, type ExternalPublisher } from '../../src/push/external-publisher.js';
import { pushTopic } from '../../src/push/push-topic.js';

/**
 * The Mosquitto set-up README documents for devices, proven on a real Mosquitto: mutual TLS with the device
 * CA and the certificate's CN as the user name for handsets, a password account for the server on its own
 * listener, and an ACL that lets each device read its own push topic only while the server writes to all.
 */
const SERVER_USER = 'pakawaaz-server';
const PASSWORD = 'correct horse battery staple';
const ACL = `# Handsets (user = certificate CN = device id): their own push topic, read only.
pattern read pakawaaz/devices/%u/push
# The Pakawaaz server's publisher account.
user ${SERVER_USER}
topic write pakawaaz/devices/+/push
`;

const hasMosquitto = !spawnSync('mosquitto', ['-h']).error;
if (!hasMosquitto) {
  const message = 'the mosquitto binary is not installed (apt install mosquitto)';
  if (requireServices()) throw new Error(`${message} and PAKAWAAZ_REQUIRE_SERVICES is set.`);
  console.warn(`\n[notice] ${message}: skipping the Mosquitto ACL tests.\n`);
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

let dir: string;
let ca: PemCa;
let port: number;
let serverPort: number;
let broker: ChildProcess;
let publisher: ExternalPublisher;
const clients: MqttClient[] = [];

async function handset(id: PemIdentity, clientId: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
    ca: ca.certPem,
    cert: id.certPem,
    key: id.keyPem,
    clientId,
    reconnectPeriod: 0,
  });
  clients.push(c);
  return c;
}

const received = (c: MqttClient) => {
  const topics: string[] = [];
  c.on('message', (t) => topics.push(t));
  return topics;
};

describe.skipIf(!hasMosquitto)('Mosquitto for devices (TLS, certificate identity, ACL)', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pkz-mosquitto-'));
    ca = await createPemCa();
    const server = await issueServerPem(ca);
    [port, serverPort] = await Promise.all([freePort(), freePort()]);
    const file = (name: string) => path.join(dir, name);
    await Promise.all([
      writeFile(file('ca.pem'), ca.certPem),
      writeFile(file('server.pem'), server.certPem),
      writeFile(file('server.key'), server.keyPem, { mode: 0o600 }),
      writeFile(file('acl'), ACL),
      // README's layout: a device listener (certificate identity) and a server listener (password).
      writeFile(
        file('mosquitto.conf'),
        [
          `user ${userInfo().username}`,
          'persistence false',
          'log_dest stderr',
          'per_listener_settings true',
          `listener ${port} 127.0.0.1`,
          `cafile ${file('ca.pem')}`,
          `certfile ${file('server.pem')}`,
          `keyfile ${file('server.key')}`,
          'require_certificate true',
          'use_identity_as_username true',
          'allow_anonymous false',
          `acl_file ${file('acl')}`,
          `listener ${serverPort} 127.0.0.1`,
          `certfile ${file('server.pem')}`,
          `keyfile ${file('server.key')}`,
          `password_file ${file('passwd')}`,
          'allow_anonymous false',
          `acl_file ${file('acl')}`,
          '',
        ].join('\n'),
      ),
    ]);
    const passwd = spawnSync('mosquitto_passwd', ['-c', '-b', file('passwd'), SERVER_USER, PASSWORD]);
    if (passwd.status !== 0) throw new Error(`mosquitto_passwd failed: ${String(passwd.stderr)}`);
    broker = spawn('mosquitto', ['-c', file('mosquitto.conf')], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await reachable(`mqtt://127.0.0.1:${port}`, 200)); i++)
      await new Promise((r) => setTimeout(r, 50));
    publisher = await connectExternalBroker({
      url: `mqtts://127.0.0.1:${serverPort}`,
      caFile: file('ca.pem'),
      username: SERVER_USER,
      password: PASSWORD,
      backoff: { baseMs: 50, capMs: 500 },
      publishTimeoutMs: 3_000,
    });
    for (let i = 0; i < 100 && !publisher.connected(); i++) await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await publisher?.close();
    broker?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it("delivers a device's push to it, and never another device's", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const clientA = await handset(await issueDevicePem(ca, a), a);
    const clientB = await handset(await issueDevicePem(ca, b), b);
    const gotA = received(clientA);
    const gotB = received(clientB);
    await clientA.subscribeAsync([pushTopic(a), pushTopic(b)], { qos: 1 }).catch(() => undefined);
    await clientB.subscribeAsync(pushTopic(b), { qos: 1 });

    expect(await publisher.publish(pushTopic(a))).toBe('sent');
    expect(await publisher.publish(pushTopic(b))).toBe('sent');
    await new Promise((r) => setTimeout(r, 500));
    expect(gotA).toEqual([pushTopic(a)]);
    expect(gotB).toEqual([pushTopic(b)]);
  });

  it('does not let a device publish to another device', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const clientA = await handset(await issueDevicePem(ca, a), a);
    const clientB = await handset(await issueDevicePem(ca, b), b);
    const gotB = received(clientB);
    await clientB.subscribeAsync(pushTopic(b), { qos: 1 });
    await clientA.publishAsync(pushTopic(b), '{"v":1,"type":"check-in"}', { qos: 1 }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    expect(gotB).toEqual([]);
    // …while the server's push still reaches it.
    expect(await publisher.publish(pushTopic(b))).toBe('sent');
    await new Promise((r) => setTimeout(r, 300));
    expect(gotB).toEqual([pushTopic(b)]);
  });

  it('refuses a handset without a certificate of the device CA', async () => {
    const other = await createPemCa('Someone Else CA');
    const id = randomUUID();
    await expect(
      mqtt.connectAsync(
        `mqtts://127.0.0.1:${port}`,
        { ca: ca.certPem, ...(await issueDevicePem(other, id)), clientId: id, reconnectPeriod: 0 },
        false,
      ),
    ).rejects.toThrow();
  });
});
