import { api, unwrap, type Schemas } from '../../api/client';
import { apiQuery } from '../../data/hooks';

export type CallsStatus = Schemas['CallsStatus'];
export type MediaHost = Schemas['MediaHost'];

export const callsQueries = {
  status: () =>
    apiQuery(['calls', 'status'], (signal) => unwrap(api.GET('/api/v1/calls/status', { signal }))),
  hosts: () =>
    apiQuery(['calls', 'media-hosts'], (signal) => unwrap(api.GET('/api/v1/calls/media-hosts', { signal }))),
};
