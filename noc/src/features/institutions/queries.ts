import { api, unwrap } from '../../api/client';
import { apiQuery, useApiQuery } from '../../data/hooks';
import type { Institution } from '../../identity';

export const INSTITUTIONS_KEY = ['institutions'] as const;

export const institutionQueries = {
  list: () => apiQuery(INSTITUTIONS_KEY, (signal) => unwrap(api.GET('/api/v1/institutions', { signal }))),
};

const NONE: Institution[] = [];

/** Every institution the caller may see (operators see all), for selects and for names in tables. */
export function useInstitutions() {
  const query = useApiQuery(institutionQueries.list());
  return {
    institutions: query.data?.institutions ?? NONE,
    loaded: query.data !== undefined,
    error: query.error,
    fetching: query.fetching,
    refresh: query.refresh,
  };
}
