import { api, unwrap, type Schemas } from '../../api/client';
import { apiQuery } from '../../data/hooks';

export type CallsStatus = Schemas['CallsStatus'];
export type MediaHost = Schemas['MediaHost'];
export type CallRecord = Schemas['CallHistory']['calls'][number];
export type CallOutcome = NonNullable<CallRecord['outcome']>;

export const callsQueries = {
  status: () =>
    apiQuery(['calls', 'status'], (signal) => unwrap(api.GET('/api/v1/calls/status', { signal }))),
  hosts: () =>
    apiQuery(['calls', 'media-hosts'], (signal) => unwrap(api.GET('/api/v1/calls/media-hosts', { signal }))),
  history: (query: { outcome?: CallOutcome; before?: string }) =>
    apiQuery(['calls', 'history', query], (signal) =>
      unwrap(api.GET('/api/v1/calls/history', { params: { query: { ...query, limit: 50 } }, signal })),
    ),
};
