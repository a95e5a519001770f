import { DEFAULT_ALARM_RULES, type AlarmRulesConfig } from './alarm-rules.js';

/** How the network health monitor scrapes, keeps history and judges alarms. */
export type NetworkHealthOptions = {
  /** Between the starts of two scrape rounds; a round never overlaps the next. */
  readonly intervalMs: number;
  /** Per HTTP request to an NF (headers and body). */
  readonly timeoutMs: number;
  /** NFs scraped at the same time. */
  readonly concurrency: number;
  /** Largest metrics page or JSON state page accepted. */
  readonly maxBytes: number;
  /** Fetch the JSON state APIs every this many rounds (they are paged and heavier than /metrics). */
  readonly stateEveryRounds: number;
  /** Pages of 100 items read per state endpoint and fetch. */
  readonly statePages: number;
  /** KPI samples older than this are deleted. */
  readonly retentionMs: number;
  readonly pruneEveryMs: number;
  readonly rules: AlarmRulesConfig;
  /** Time of a scrape (KPI timestamps, rates); tests share one clock with the simulator. */
  readonly clock: () => Date;
  readonly fetch?: typeof fetch;
};

export const DEFAULT_NETWORK_HEALTH_OPTIONS: NetworkHealthOptions = {
  intervalMs: 15_000,
  timeoutMs: 3_000,
  concurrency: 8,
  maxBytes: 4 * 1024 * 1024,
  stateEveryRounds: 4,
  statePages: 10,
  retentionMs: 7 * 24 * 3600_000,
  pruneEveryMs: 3600_000,
  rules: DEFAULT_ALARM_RULES,
  clock: () => new Date(),
};

/** Optional Nest provider: partial options merged over the defaults. */
export const NETWORK_HEALTH_OPTIONS = Symbol.for('pakawaaz.core-network.NetworkHealthOptions');

/** Runs fn over items with at most `limit` in flight, keeping the order of results. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
