import type { ProbeResult } from './turn-probe.js';

/**
 * Which TURN servers the probe checks, and their health from the probes' results. Pure.
 *
 * A server is a `host:port` of the configured `turn:` URLs (RFC 7065; port 3478 by default). coturn answers
 * UDP and TCP on the same listening port, so one UDP probe stands for every `turn:` URL of that host and port
 * (`?transport=udp` or `tcp`). `turns:` URLs (TLS) are not probed.
 */
export type TurnHealth = 'unknown' | 'up' | 'degraded' | 'down';
export type TurnTarget = { server: string; host: string; port: number; urls: string[] };

export function turnTargets(urls: readonly string[]): { targets: TurnTarget[]; unprobed: string[] } {
  const byServer = new Map<string, TurnTarget>();
  const unprobed: string[] = [];
  for (const url of urls) {
    const m = /^turn:(\[[0-9a-fA-F:.]+\]|[^:?[\]]+)(?::(\d{1,5}))?(?:\?.*)?$/.exec(url);
    const port = m ? Number(m[2] ?? 3478) : 0;
    if (!m || port < 1 || port > 65_535) {
      unprobed.push(url);
      continue;
    }
    const host = m[1]!.replace(/^\[|\]$/g, '');
    const server = `${m[1]!}:${port}`;
    const t = byServer.get(server) ?? { server, host, port, urls: [] };
    t.urls.push(url);
    byServer.set(server, t);
  }
  return { targets: [...byServer.values()], unprobed };
}

/**
 * One verdict for a server probed at each of its addresses: the healthiest (clients use whichever address
 * works). When the host is a name, the verdict says which address it is about.
 */
export function bestProbe(
  host: string,
  results: readonly { address: string; result: ProbeResult }[],
): ProbeResult {
  const rank = { up: 0, degraded: 1, down: 2 } as const;
  const best = [...results].sort((x, y) => rank[x.result.health] - rank[y.result.health])[0];
  if (!best) return { health: 'down', rttMs: null, error: `${host} has no address` };
  const { address, result } = best;
  if (address === host || result.error === null) return result;
  return { ...result, error: `${address}: ${result.error}` };
}

/**
 * The next health after a probe: one good probe is `up`; a bad one counts, and DOWN_AFTER bad probes in a
 * row (one lost datagram is not an outage) take the probe's verdict (`down`, or `degraded` when the server
 * answers but refuses the allocation). Until then the health stays as it was.
 */
export function nextTurnHealth(
  current: TurnHealth,
  failures: number,
  probe: 'up' | 'degraded' | 'down',
  threshold: number,
): { health: TurnHealth; failures: number } {
  if (probe === 'up') return { health: 'up', failures: 0 };
  const f = failures + 1;
  return { health: f >= threshold ? probe : current, failures: f };
}

/**
 * The alarm a stored change of health means: `raised` when a server stops being usable (down or degraded),
 * `cleared` when it is up again after that, `null` otherwise (first sight of a healthy server).
 */
export function alarmOf(before: TurnHealth, after: TurnHealth): 'raised' | 'cleared' | null {
  const bad = (h: TurnHealth) => h === 'down' || h === 'degraded';
  if (bad(after) && before !== after) return 'raised';
  if (after === 'up' && bad(before)) return 'cleared';
  return null;
}
