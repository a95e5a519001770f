import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { reconnectWithJitter, type Backoff } from '@pakawaaz/mqtt-reconnect';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { PUSH_PAYLOAD } from './push-topic.js';

export type ExternalBrokerOptions = {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** PEM files: the broker's CA (mqtts), and a client certificate if the broker wants one. */
  caFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  backoff: Backoff;
  publishTimeoutMs: number;
  onState?: (state: 'connected' | 'offline', detail?: string) => void;
};

export type PublishOutcome = 'sent' | 'offline' | 'failed';

export type ExternalPublisher = {
  connected(): boolean;
  publish(topic: string): Promise<PublishOutcome>;
  close(): Promise<void>;
};

/**
 * Publishes pushes through an external broker (Mosquitto in production) with one `mqtt` client that
 * reconnects with jittered back-off. A push while the broker is unreachable is dropped, not queued: the
 * handset checks in on its interval anyway, and a queue would only grow during an outage.
 */
export async function connectExternalBroker(o: ExternalBrokerOptions): Promise<ExternalPublisher> {
  const read = (f: string | undefined) => (f ? readFile(f) : Promise.resolve(undefined));
  const [ca, cert, key] = await Promise.all([read(o.caFile), read(o.certFile), read(o.keyFile)]);
  const options: IClientOptions = {
    clientId: `pakawaaz-server-${hostname()}-${process.pid}`,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    queueQoSZero: false,
    ...(o.username !== undefined && { username: o.username }),
    ...(o.password !== undefined && { password: o.password }),
    ...(ca && { ca }),
    ...(cert && { cert }),
    ...(key && { key }),
  };
  const client: MqttClient = mqtt.connect(o.url, options);
  const stop = reconnectWithJitter(client, o.backoff);
  client.on('connect', () => o.onState?.('connected'));
  client.on('offline', () => o.onState?.('offline'));
  client.on('error', (err) => o.onState?.('offline', err.message));
  client.on('close', () => o.onState?.('offline'));

  const publish = (topic: string): Promise<PublishOutcome> => {
    if (!client.connected) return Promise.resolve('offline');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('failed'), o.publishTimeoutMs);
      client.publish(topic, PUSH_PAYLOAD, { qos: 1, retain: false }, (err) => {
        clearTimeout(timer);
        resolve(err ? 'failed' : 'sent');
      });
    });
  };
  return {
    connected: () => client.connected,
    publish,
    close: async () => {
      stop();
      await client.endAsync(true);
    },
  };
}
