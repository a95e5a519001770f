import { reconnectWithJitter, type Backoff } from '@pakawaaz/mqtt-reconnect';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { isCheckInPush, pushTopic } from './push-wire.js';

export type PushClientOptions = {
  /** `mqtts://broker:18830` (the embedded broker) or the external broker's device listener. */
  url: string;
  deviceId: string;
  /** The device certificate and key (PEM), and the device CA that issued the broker's certificate. */
  tls?: { certPem: string; keyPem: string; caPem: string };
  /** A check-in push arrived: check in now. */
  onPush: () => void;
  /** Connected (first time and after every reconnect): check in, since pushes sent meanwhile were lost. */
  onConnect?: () => void;
  onRetry?: (attempt: number, delayMs: number) => void;
  backoff?: Backoff;
  keepaliveSeconds?: number;
};

export type PushClient = { connected(): boolean; close(): Promise<void> };

const DEFAULT_BACKOFF: Backoff = { baseMs: 1_000, capMs: 5 * 60_000 };

/**
 * The handset's side of push without FCM: one MQTT connection with the device certificate (client id = device
 * id, clean session), subscribed to the device's own topic. Reconnects with capped, fully jittered exponential
 * back-off so a fleet that lost the broker together does not come back together.
 */
export function startPushClient(o: PushClientOptions): PushClient {
  const options: IClientOptions = {
    clientId: o.deviceId,
    clean: true,
    keepalive: o.keepaliveSeconds ?? 300,
    reconnectPeriod: 0,
    connectTimeout: 15_000,
    ...(o.tls && { cert: o.tls.certPem, key: o.tls.keyPem, ca: o.tls.caPem }),
  };
  const client: MqttClient = mqtt.connect(o.url, options);
  const stop = reconnectWithJitter(client, o.backoff ?? DEFAULT_BACKOFF, o.onRetry);
  const topic = pushTopic(o.deviceId);
  client.on('connect', () => {
    client.subscribe(topic, { qos: 1 }, (err) => {
      // Refused: drop the connection and retry after the back-off rather than sit connected and deaf.
      if (err) client.stream.destroy();
    });
    o.onConnect?.();
  });
  client.on('message', (t, payload) => {
    if (t === topic && isCheckInPush(payload)) o.onPush();
  });
  client.on('error', () => undefined); // every failure ends in 'close', which schedules the retry
  return {
    connected: () => client.connected,
    close: async () => {
      stop();
      await client.endAsync(true);
    },
  };
}
