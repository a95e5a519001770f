import type { Metrics } from '@pakawaaz/platform';
import { Counter, Gauge } from 'prom-client';

export type ChatMetrics = {
  wake(direction: 'sent' | 'held'): void;
  /** A wake's away devices whose push was decided: presumed held from a remembered answer, or asked about. */
  presence(remembered: number, asked: number): void;
};

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
  const wakes = counter(
    metrics,
    'pakawaaz_chat_wakes_total',
    'Cluster mode: wakes sent to the other nodes for devices not connected here (sent), and wakes from them that found a socket here (held)',
    'direction',
    ['sent', 'held'],
  );
  const presence = counter(
    metrics,
    'pakawaaz_chat_presence_devices_total',
    'Cluster mode: devices of wakes that could push them, presumed held elsewhere from a remembered answer (remembered) or asked about (asked)',
    'how',
    ['remembered', 'asked'],
  );
  return {
    wake: (direction) => wakes.inc({ direction }),
    presence: (remembered, asked) => {
      if (remembered) presence.inc({ how: 'remembered' }, remembered);
      if (asked) presence.inc({ how: 'asked' }, asked);
    },
  };
}

/** A counter with one label, registered once per registry, its values shown from 0. */
function counter<L extends string>(
  metrics: Metrics,
  name: string,
  help: string,
  label: L,
  values: readonly string[],
): Counter<L> {
  const registers = [metrics.registry];
  const c =
    (metrics.registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames: [label], registers });
  for (const v of values) c.inc({ [label]: v } as Partial<Record<L, string>>, 0);
  return c;
}
