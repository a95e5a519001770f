import { api, unwrap } from '../../api/client';
import { apiQuery, useApiQuery } from '../../data/hooks';

export const ROLLOUT_KEY = ['rollout'] as const;

export const rolloutQueries = {
  plan: () => apiQuery(ROLLOUT_KEY, (signal) => unwrap(api.GET('/api/v1/rollout', { signal }))),
};

/** The plan: phases in order with what each enables, the capabilities, and the institutions per phase. */
export function useRolloutPlan() {
  const query = useApiQuery(rolloutQueries.plan());
  return { plan: query.data, error: query.error, fetching: query.fetching, refresh: query.refresh };
}
