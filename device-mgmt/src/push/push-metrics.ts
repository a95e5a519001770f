import type { Metrics } from '@pakawaaz/platform';
import { Counter, Gauge } from 'prom-client';

export type PushOutcome = 'sent' | 'offline' | 'failed' | 'invalid_device_id' | 'no_broker';
export type RefusalReason = 'rate_address' | 'rate_global' | 'authentication' | 'subscribe' | 'publish';

/** `pakawaaz_push_*` and `pakawaaz_mqtt_*` on /metrics (registered once per registry). */
export function pushMetrics(metrics: Metrics, connected: () => number | undefined) {
  const registers = [metrics.registry];
  const existing = <T>(name: string) => metrics.registry.getSingleMetric(name) as T | undefined;
  const pushes =
    existing<Counter<'outcome'>>('pakawaaz_push_notifications_total') ??
    new Counter({
      name: 'pakawaaz_push_notifications_total',
      help: 'Check-in pushes to handsets, by outcome',
      labelNames: ['outcome'] as const,
      registers,
    });
  const refused =
    existing<Counter<'reason'>>('pakawaaz_mqtt_refused_total') ??
    new Counter({
      name: 'pakawaaz_mqtt_refused_total',
      help: 'Embedded MQTT broker: connections and requests refused, by reason (rate limit, authentication, ACL)',
      labelNames: ['reason'] as const,
      registers,
    });
  const closed =
    existing<Counter<'reason'>>('pakawaaz_mqtt_closed_total') ??
    new Counter({
      name: 'pakawaaz_mqtt_closed_total',
      help: 'Embedded MQTT broker: live connections it closed, by reason (certificate revoked, expired, CA no longer trusted)',
      labelNames: ['reason'] as const,
      registers,
    });
  if (!existing('pakawaaz_mqtt_connected_devices'))
    new Gauge({
      name: 'pakawaaz_mqtt_connected_devices',
      help: 'Handsets connected to the embedded MQTT broker now',
      registers,
      collect() {
        const n = connected();
        if (n !== undefined) this.set(n);
      },
    });
  return {
    push: (outcome: PushOutcome, n = 1) => pushes.inc({ outcome }, n),
    refused: (reason: RefusalReason) => refused.inc({ reason }),
    closed: (reason: 'revoked' | 'expired' | 'untrusted') => closed.inc({ reason }),
  };
}
