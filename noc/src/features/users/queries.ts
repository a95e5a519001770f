import { api, unwrap } from '../../api/client';
import { apiQuery } from '../../data/hooks';
import { PAGE_SIZE, type Filters } from './filters';

/**
 * Every user read is under `['users']`: a change to one user (or to a session) refreshes the lists, the
 * alarm and the user's page at once.
 */
export const USERS_KEY = ['users'] as const;
export const FACTOR_RESETS_KEY = ['factor-resets'] as const;

export const userQueries = {
  list: ({ search, kind, status, attack, page }: Filters) =>
    apiQuery(['users', 'list', { search, kind, status, attack, page }], (signal) =>
      unwrap(
        api.GET('/api/v1/users', {
          params: {
            query: {
              limit: PAGE_SIZE,
              offset: (page - 1) * PAGE_SIZE,
              ...(search ? { search } : {}),
              ...(kind ? { kind } : {}),
              ...(status ? { status } : {}),
              ...(attack ? { passwordClosed: 'true' as const } : {}),
            },
          },
          signal,
        }),
      ),
    ),
  /** How many accounts have a closed password step (only the count is read). */
  underAttack: () =>
    apiQuery(['users', 'under-attack'], (signal) =>
      unwrap(api.GET('/api/v1/users', { params: { query: { passwordClosed: 'true', limit: 1 } }, signal })),
    ),
  detail: (id: string) =>
    apiQuery(['users', 'detail', id], (signal) =>
      unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id } }, signal })),
    ),
  sessions: (id: string) =>
    apiQuery(['users', 'sessions', id], (signal) =>
      unwrap(api.GET('/api/v1/users/{id}/sessions', { params: { path: { id } }, signal })),
    ),
  factorResets: () =>
    apiQuery(FACTOR_RESETS_KEY, (signal) => unwrap(api.GET('/api/v1/factor-resets', { signal }))),
};
