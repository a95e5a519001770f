import type { MqttClient } from 'mqtt';

/*
 * The push channel's reconnect, written once for both of its MQTT clients: device-mgmt's publisher to an
 * external broker and the handset simulator's subscriber. The wire contract itself (topic, payload) the
 * handset keeps its own copy of, as an agent would; how a client waits before reconnecting is not part of it.
 */

export type Backoff = { baseMs: number; capMs: number };

/**
 * Full-jitter exponential back-off (the AWS architecture blog's "full jitter"): a delay drawn uniformly in
 * [0, min(cap, base·2^attempt)). Ten thousand handsets that lost the broker at the same moment spread their
 * reconnects over the whole window instead of arriving in waves. `random` in [0, 1).
 */
export function fullJitterDelay(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(b.capMs, b.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * ceiling);
}

/**
 * Reconnects an `mqtt` client (created with `reconnectPeriod: 0`) after full-jitter exponential delays, reset
 * by every successful connect — mqtt.js itself only knows a fixed period, which makes a fleet reconnect in
 * lock-step. Returns a function that stops reconnecting.
 */
export function reconnectWithJitter(
  client: MqttClient,
  backoff: Backoff,
  onRetry?: (attempt: number, delayMs: number) => void,
): () => void {
  let attempt = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  client.on('connect', () => {
    attempt = 0;
  });
  client.on('close', () => {
    if (stopped || timer || client.disconnecting) return;
    const delay = fullJitterDelay(attempt++, backoff);
    onRetry?.(attempt, delay);
    timer = setTimeout(() => {
      timer = null;
      if (!stopped && !client.connected && !client.disconnecting) client.reconnect();
    }, delay);
    timer.unref();
  });
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
  };
}
