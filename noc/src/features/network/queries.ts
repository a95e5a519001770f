import { api, unwrap, type ApiError, type Schemas } from '../../api/client';
import type { paths } from '../../api/schema';
import { apiQuery } from '../../data/hooks';

export type CurrentSpec = Schemas['CurrentNetworkSpec'];
export type AppliedSpec = Schemas['AppliedNetworkSpec'];
export type Open5gsConfig = Schemas['Open5gsConfig'];
export type NetworkHealth = Schemas['NetworkHealth'];
export type NfHealth = NetworkHealth['nfs'][number];
export type Alarm = Schemas['NetworkAlarm'];
export type KpiName = NonNullable<
  NonNullable<paths['/api/v1/network/kpis']['get']['parameters']['query']>['kpi']
>;

export const HEALTH_POLL_MS = 5_000;

/** A 404 means the endpoint is not on this server (yet), or that the domain has nothing to show yet. */
export const is404 = (error: ApiError | null | undefined): boolean => error?.status === 404;

/** Polls every `ms` until the read answers 404 (then the operator checks again by hand). */
export const pollUnless404 =
  (ms: number) =>
  (query: { state: { error: ApiError | null } }): number | false =>
    is404(query.state.error) ? false : ms;

export const networkKeys = {
  all: ['network'] as const,
  spec: ['network', 'spec'] as const,
  config: ['network', 'open5gs-config'] as const,
  health: ['network', 'health'] as const,
  alarms: ['network', 'alarms', 'open'] as const,
};

export const networkQueries = {
  spec: () => apiQuery(networkKeys.spec, (signal) => unwrap(api.GET('/api/v1/network/spec', { signal }))),
  open5gsConfig: () =>
    apiQuery(networkKeys.config, (signal) => unwrap(api.GET('/api/v1/network/open5gs-config', { signal }))),
  health: () =>
    apiQuery(networkKeys.health, (signal) => unwrap(api.GET('/api/v1/network/health', { signal }))),
  openAlarms: () =>
    apiQuery(networkKeys.alarms, (signal) =>
      unwrap(api.GET('/api/v1/network/alarms', { params: { query: { state: 'open' } }, signal })),
    ),
  /** One KPI's samples of every NF since `sinceMs` ago (newest first, as the server sends them). */
  kpi: (kpi: KpiName, windowMs: number) =>
    apiQuery(['network', 'kpis', kpi, windowMs] as const, (signal) =>
      unwrap(
        api.GET('/api/v1/network/kpis', {
          params: {
            query: { kpi, since: new Date(Date.now() - windowMs).toISOString(), limit: 5_000 },
          },
          signal,
        }),
      ),
    ),
};
