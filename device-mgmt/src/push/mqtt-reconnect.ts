import type { MqttClient } from 'mqtt';
import { fullJitterDelay } from './push-topic.js';

export type Backoff = { baseMs: number; capMs: number };

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
