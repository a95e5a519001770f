import { api, unwrap, type Schemas } from '../../api/client';
import { apiQuery } from '../../data/hooks';

type AuthEvent = Schemas['AuthEvent'];
type Counter = Schemas['RadiusClientCounters']['counters'][number];

/** Every NAS read (the list and its counters) is under this key: a change to a NAS refreshes both. */
export const NAS_CLIENTS_KEY = ['radius', 'clients'] as const;
export const AUTH_EVENTS_KEY = ['auth-events'] as const;
export const ACCOUNTING_KEY = ['radius', 'accounting'] as const;

/** The accounting page's filters, as they appear in the page address. */
export type AccountingFilters = { imsi: string; user: string; since: string };

/** The sign-in log's filters, as they appear in the page address. */
export type LogFilters = { channel: string; result: string; user: string; nas: string; since: string };

export const SINCE: readonly { value: string; label: string; ms: number }[] = [
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: 'all', label: 'Everything kept', ms: 0 },
];

// `since` is computed when the fetch runs, not in the key, so that "Refresh" moves the window forward.
function logQuery(f: LogFilters) {
  const ms = SINCE.find((s) => s.value === f.since)?.ms ?? 0;
  return {
    limit: 200,
    ...(f.channel ? { channel: f.channel as AuthEvent['channel'] } : {}),
    ...(f.result ? { result: f.result as AuthEvent['result'] } : {}),
    ...(f.user.trim() ? { user: f.user.trim() } : {}),
    ...(f.nas.trim() ? { nas: f.nas.trim() } : {}),
    ...(ms ? { since: new Date(Date.now() - ms).toISOString() } : {}),
  };
}

export type NasCounts = {
  accept: number;
  reject: number;
  drop: number;
  reasons: { result: string; reason: string; count: number }[];
};

/** Counters of the last 24 hours, per NAS id ('' for unregistered addresses). */
export function countsByClient(counters: readonly Counter[]): Map<string, NasCounts> {
  const byClient = new Map<string, NasCounts>();
  for (const c of counters) {
    const key = c.clientId ?? '';
    const n = byClient.get(key) ?? { accept: 0, reject: 0, drop: 0, reasons: [] };
    if (c.result === 'accept' || c.result === 'reject' || c.result === 'drop') n[c.result] += c.count;
    if (c.result !== 'accept') n.reasons.push({ result: c.result, reason: c.reason, count: c.count });
    byClient.set(key, n);
  }
  for (const n of byClient.values()) n.reasons.sort((a, b) => b.count - a.count);
  return byClient;
}

function accountingQuery(f: AccountingFilters) {
  const ms = SINCE.find((s) => s.value === f.since)?.ms ?? 0;
  return {
    limit: 500,
    ...(f.imsi.trim() ? { imsi: f.imsi.trim() } : {}),
    ...(f.user ? { user: f.user } : {}),
    ...(ms ? { from: new Date(Date.now() - ms).toISOString() } : {}),
  };
}

export const radiusQueries = {
  clients: () =>
    apiQuery([...NAS_CLIENTS_KEY, 'list'], (signal) => unwrap(api.GET('/api/v1/radius/clients', { signal }))),
  counters: () =>
    apiQuery([...NAS_CLIENTS_KEY, 'counters'], (signal) =>
      unwrap(api.GET('/api/v1/radius/clients/counters', { signal })),
    ),
  accounting: (filters: AccountingFilters) =>
    apiQuery([...ACCOUNTING_KEY, filters], (signal) =>
      unwrap(api.GET('/api/v1/radius/accounting', { params: { query: accountingQuery(filters) }, signal })),
    ),
  authEvents: (filters: LogFilters) =>
    apiQuery([...AUTH_EVENTS_KEY, filters], (signal) =>
      unwrap(api.GET('/api/v1/auth-events', { params: { query: logQuery(filters) }, signal })),
    ),
};
