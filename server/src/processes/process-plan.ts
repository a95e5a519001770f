/**
 * Several server processes on one host (PAKAWAAZ_PROCESSES > 1): the pure part — which process runs what, the
 * messages they exchange with the supervising process, and when a process that died is started again.
 *
 * One Node.js process runs its JavaScript on one core. With N processes, every one serves the HTTP API, the
 * device port and the chat WebSocket on the same ports (Node's cluster module hands each new connection to
 * one of them); they are nodes of one cluster (PostgreSQL and NATS), as nodes on separate hosts are. What a
 * host must run once stays in the **lead** process (index 0): the RADIUS server (an EAP exchange's rounds
 * must reach the process that holds its state), the embedded MQTT broker (handsets must all reach the one
 * that pushes to them: the other processes hand it their pushes), the embedded Janus, the demo fleet and the
 * network monitor.
 */

/** The variable the supervisor sets in each process it starts: its index on this host (0 = the lead). */
export const PROCESS_INDEX_VARIABLE = 'PAKAWAAZ_PROCESS_INDEX';

/** What a process other than the lead must not start: the host's one-of-a-kind listeners and jobs. */
export const FOLLOWER_SETTINGS: Readonly<Record<string, string>> = {
  RADIUS_ENABLED: 'false',
  PAKAWAAZ_JANUS: 'off',
  PAKAWAAZ_DEMO_FLEET: 'false',
  OPEN5GS_MONITOR: 'off',
};

/** The environment the supervisor adds to process `index`'s (which inherits the supervisor's own). */
export function processEnv(index: number): Record<string, string> {
  return { [PROCESS_INDEX_VARIABLE]: String(index), ...(index === 0 ? {} : FOLLOWER_SETTINGS) };
}

export type ProcessRole =
  | { kind: 'single' }
  | { kind: 'lead'; index: 0; count: number }
  | { kind: 'follower'; index: number; count: number };

/** This process's role: `single` unless the supervisor started it (and set its index). */
export function processRole(isClusterWorker: boolean, index: number | undefined, count: number): ProcessRole {
  if (!isClusterWorker || index === undefined || count < 2) return { kind: 'single' };
  return index === 0 ? { kind: 'lead', index: 0, count } : { kind: 'follower', index, count };
}

/** Messages between a server process and the supervisor, over the cluster module's IPC channel. */
export type ProcessMessage =
  | { pakawaaz: 'ready'; index: number }
  /** A follower's pushes, for the lead's MQTT broker (the supervisor passes them on to the lead). */
  | { pakawaaz: 'push'; deviceIds: string[] }
  /** A process asks for the lead's answer to `key`, or every process's (ProcessPeers; the supervisor routes). */
  | { pakawaaz: 'ask'; id: number; key: string; to: 'lead' | 'all' }
  /** The supervisor asks a process for its own answer… */
  | { pakawaaz: 'asked'; id: number; key: string }
  /** …which it gives (ok false: it has none, or it failed)… */
  | { pakawaaz: 'answer'; id: number; ok: boolean; value?: unknown }
  /** …and the asking process gets them all: null when the lead did not answer in time. */
  | { pakawaaz: 'answers'; id: number; values: unknown[] | null };

const MAX_PUSH_IDS = 10_000;
const KEY = /^[a-z0-9][a-z0-9.-]{0,99}$/;

const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isKey = (v: unknown): v is string => typeof v === 'string' && KEY.test(v);

/** A message from the other side of the channel, checked; anything else is null. */
export function parseProcessMessage(value: unknown): ProcessMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  switch (m.pakawaaz) {
    case 'ready':
      return isId(m.index) ? { pakawaaz: 'ready', index: m.index } : null;
    case 'push':
      return Array.isArray(m.deviceIds) &&
        m.deviceIds.length <= MAX_PUSH_IDS &&
        m.deviceIds.every((d) => typeof d === 'string')
        ? { pakawaaz: 'push', deviceIds: m.deviceIds }
        : null;
    case 'ask':
      return isId(m.id) && isKey(m.key) && (m.to === 'lead' || m.to === 'all')
        ? { pakawaaz: 'ask', id: m.id, key: m.key, to: m.to }
        : null;
    case 'asked':
      return isId(m.id) && isKey(m.key) ? { pakawaaz: 'asked', id: m.id, key: m.key } : null;
    case 'answer':
      return isId(m.id) && typeof m.ok === 'boolean'
        ? { pakawaaz: 'answer', id: m.id, ok: m.ok, value: m.value }
        : null;
    case 'answers':
      return isId(m.id) && (m.values === null || Array.isArray(m.values))
        ? { pakawaaz: 'answers', id: m.id, values: m.values as unknown[] | null }
        : null;
    default:
      return null;
  }
}

/** The most device ids one push message carries (a larger batch goes as several). */
export function pushBatches(deviceIds: readonly string[]): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < deviceIds.length; i += MAX_PUSH_IDS) batches.push(deviceIds.slice(i, i + MAX_PUSH_IDS));
  return batches;
}

export const RESTART = { firstMs: 1_000, maxMs: 30_000, healthyAfterMs: 60_000 } as const;

/**
 * How long to wait before starting again a process that died: 1 s, doubling with each death in a row up to
 * 30 s; a process that had run for a minute starts the count again. A crash loop never spins the host.
 */
export function restartDelay(deathsInARow: number): number {
  return Math.min(RESTART.maxMs, RESTART.firstMs * 2 ** Math.max(0, deathsInARow - 1));
}

/** The deaths in a row after one more, given how long the process ran. */
export function nextDeaths(deathsInARow: number, ranMs: number): number {
  return ranMs >= RESTART.healthyAfterMs ? 1 : deathsInARow + 1;
}
