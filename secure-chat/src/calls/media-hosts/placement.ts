/**
 * Where a new call's room goes (pure): a host that is enabled, healthy and below its capacity, the one with
 * the most free room (rooms are the unit of capacity: participants are not known when a call starts), ties
 * broken by name so placement is deterministic. `undefined`: no host can take a call.
 */
export type HostLoad = {
  id: string;
  name: string;
  enabled: boolean;
  health: 'up' | 'down' | 'unknown';
  /** Rooms the host may hold at once. */
  capacity: number;
  /** Live rooms on it now. */
  rooms: number;
};

export function placeRoom(hosts: readonly HostLoad[]): HostLoad | undefined {
  const free = (h: HostLoad) => h.capacity - h.rooms;
  return hosts
    .filter((h) => h.enabled && h.health === 'up' && free(h) > 0)
    .sort((a, b) => free(b) - free(a) || a.name.localeCompare(b.name))[0];
}

/** A host's health from consecutive probe results: down after `threshold` failures, up at the first success. */
export function nextHealth(
  current: HostLoad['health'],
  failures: number,
  probeOk: boolean,
  threshold: number,
): { health: HostLoad['health']; failures: number } {
  if (probeOk) return { health: 'up', failures: 0 };
  const f = failures + 1;
  return { health: f >= threshold ? 'down' : current, failures: f };
}

/**
 * `/healthz`'s calls line when no host is up. /healthz is public: the embedded Janus's start failure
 * (its message can carry paths and Janus's own output) stays in the server log; the other states' texts
 * are ours ("no … binary (apt-get install janus)", "janus exited (code 1)").
 */
export function callsDisabledDetail(
  hosts: number,
  embedded: { state: string; detail?: string } | undefined,
): string {
  if (hosts > 0) return `calls disabled: none of ${hosts} media hosts is up`;
  if (embedded?.detail === undefined) return 'calls disabled: no media host';
  const why =
    embedded.state === 'failed' ? 'the embedded Janus did not start: see the server log' : embedded.detail;
  return `calls disabled: no media host (${why})`;
}
