import { api, unwrap, type Schemas } from '../../api/client';
import { apiQuery } from '../../data/hooks';

export type SystemStatus = Schemas['SystemStatus'];

export const systemQueries = {
  status: () => apiQuery(['system', 'status'], (signal) => unwrap(api.GET('/api/v1/system', { signal }))),
};
