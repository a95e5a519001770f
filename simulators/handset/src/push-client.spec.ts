import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { reachable, requireServices } from '@pakawaaz/test-support';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startPushClient, type PushClient } from './push-client.js';
import { pushTopic } from './push-wire.js';

const hasMosquitto = !spawnSync('mosquitto', ['-h']).error;
if (!hasMosquitto) {
  const message = 'the mosquitto binary is not installed (apt install mosquitto)';
  if (requireServices()) throw new Error(`${message} and PAKAWAAZ_REQUIRE_SERVICES is set.`);
  console.warn(`\n[notice] ${message}: skipping the push client's reconnect test.\n`);
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** A throw-away anonymous Mosquitto on loopback (the TLS and ACL set-up is device-mgmt's test). */
async function mosquitto(port: number): Promise<ChildProcess> {
  const p = spawn('mosquitto', ['-p', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await reachable(`mqtt://127.0.0.1:${port}`, 200)); i++)
    await new Promise((r) => setTimeout(r, 50));
  return p;
}

const until = async (cond: () => boolean, ms = 5_000) => {
  for (const end = Date.now() + ms; !cond() && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
  return cond();
};

async function publish(url: string, topic: string, payload: string) {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  await c.publishAsync(topic, payload, { qos: 1 });
  await c.endAsync();
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe.skipIf(!hasMosquitto)('handset push client', () => {
  it('checks in on connect and on a push, ignores other payloads, and comes back after the broker restarts', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    let broker = await mosquitto(port);
    cleanup.push(() => broker.kill());
    const deviceId = randomUUID();
    const seen = { connects: 0, pushes: 0, retries: [] as number[] };
    const client: PushClient = startPushClient({
      url,
      deviceId,
      onPush: () => seen.pushes++,
      onConnect: () => seen.connects++,
      onRetry: (_attempt, delay) => seen.retries.push(delay),
      backoff: { baseMs: 50, capMs: 400 },
    });
    cleanup.push(() => client.close());
    expect(await until(() => seen.connects === 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 100)); // the SUBSCRIBE is on its way

    await publish(url, pushTopic(deviceId), '{"type":"wipe","all":true}');
    await publish(url, pushTopic(deviceId), '{"v":1,"type":"check-in"}');
    expect(await until(() => seen.pushes === 1)).toBe(true);

    broker.kill();
    expect(await until(() => !client.connected())).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // a few refused attempts
    broker = await mosquitto(port);
    expect(await until(() => seen.connects === 2)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    await publish(url, pushTopic(deviceId), '{"v":1,"type":"check-in"}');
    expect(await until(() => seen.pushes === 2)).toBe(true);
    expect(seen.retries.length).toBeGreaterThan(0);
    expect(Math.max(...seen.retries)).toBeLessThan(400);
  });
});
