import type { Metrics } from '@pakawaaz/platform';
import { Counter, Gauge } from 'prom-client';

export type ChatMetrics = { wake(direction: 'sent' | 'held'): void };

/**
 * `pakawaaz_chat_*` on /metrics: the device sockets open on this node, and (cluster mode) the wakes between
 * nodes — sent for devices not connected here, and received for devices that are (a message crossed nodes).
 * Registered once per registry; nothing is counted per message.
 */
export function chatMetrics(metrics: Metrics, sockets: () => number): ChatMetrics {
  const registers = [metrics.registry];
  if (!metrics.registry.getSingleMetric('pakawaaz_chat_sockets'))
    new Gauge({
      name: 'pakawaaz_chat_sockets',
      help: 'Chat WebSockets of devices open on this node',
      registers,
      collect() {
        this.set(sockets());
      },
    });
  const wakes =
    (metrics.registry.getSingleMetric('pakawaaz_chat_wakes_total') as Counter<'direction'> | undefined) ??
    new Counter({
      name: 'pakawaaz_chat_wakes_total',
      help: 'Cluster mode: wakes sent to the other nodes for devices not connected here (sent), and wakes from them that found a socket here (held)',
      labelNames: ['direction'] as const,
      registers,
    });
  wakes.inc({ direction: 'sent' }, 0);
  wakes.inc({ direction: 'held' }, 0);
  return { wake: (direction) => wakes.inc({ direction }) };
}
