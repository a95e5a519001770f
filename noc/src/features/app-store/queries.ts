import { api, unwrap, type Schemas } from '../../api/client';
import { apiQuery } from '../../data/hooks';

export type StoreApp = Schemas['StoreApp'];
export type StoreAppVersion = Schemas['StoreAppVersion'];
export type ReviewQueueItem = Schemas['StoreReviewQueueItem'];
export type DeveloperOrg = Schemas['DeveloperOrg'];

export const storeKeys = {
  all: ['store'] as const,
  reviews: ['store', 'reviews'] as const,
  apps: ['store', 'apps'] as const,
  versions: (appId: string) => ['store', 'apps', appId, 'versions'] as const,
  orgs: ['store', 'orgs'] as const,
  user: (id: string) => ['store', 'user', id] as const,
  rollouts: ['store', 'rollouts'] as const,
  rolloutList: (institutionId: string) => ['store', 'rollouts', 'list', institutionId] as const,
  rollout: (id: string) => ['store', 'rollouts', id] as const,
  policy: (scope: string) => ['store', 'policies', scope] as const,
};

export const storeQueries = {
  reviews: () =>
    apiQuery(storeKeys.reviews, (signal) => unwrap(api.GET('/api/v1/store/reviews', { signal }))),
  apps: () => apiQuery(storeKeys.apps, (signal) => unwrap(api.GET('/api/v1/store/apps', { signal }))),
  versions: (appId: string) =>
    apiQuery(storeKeys.versions(appId), (signal) =>
      unwrap(api.GET('/api/v1/store/apps/{id}/versions', { params: { path: { id: appId } }, signal })),
    ),
  orgs: () => apiQuery(storeKeys.orgs, (signal) => unwrap(api.GET('/api/v1/store/orgs', { signal }))),
  /** Who uploaded a version: the store keeps the user id, people read the name. */
  user: (id: string) =>
    apiQuery(storeKeys.user(id), (signal) =>
      unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id } }, signal })),
    ),
  /** The rollouts in the caller's scope, newest first; `institutionId` ('' for all) narrows them. */
  rollouts: (institutionId: string) =>
    apiQuery(storeKeys.rolloutList(institutionId), (signal) =>
      unwrap(
        api.GET('/api/v1/store/rollouts', {
          params: { query: institutionId ? { institutionId } : {} },
          signal,
        }),
      ),
    ),
  /** One rollout with its figures, weighed from the fleet at each read. */
  rollout: (id: string) =>
    apiQuery(storeKeys.rollout(id), (signal) =>
      unwrap(api.GET('/api/v1/store/rollouts/{id}', { params: { path: { id } }, signal })),
    ),
  /** A scope's store policy ('national' or an institution id): its own, and the effective one. */
  policy: (scope: string) =>
    apiQuery(storeKeys.policy(scope), (signal) =>
      unwrap(api.GET('/api/v1/store/policies/{scope}', { params: { path: { scope } }, signal })),
    ),
};

export const storeWrites = {
  setPolicy: (scope: string, body: Schemas['StorePolicy']) =>
    unwrap(api.PUT('/api/v1/store/policies/{scope}', { params: { path: { scope } }, body })),
  review: (versionId: string, decision: 'approve' | 'reject', reason: string) =>
    unwrap(
      api.POST('/api/v1/store/versions/{id}/reviews', {
        params: { path: { id: versionId } },
        body: { decision, reason },
      }),
    ),
  withdraw: (versionId: string) =>
    unwrap(api.POST('/api/v1/store/versions/{id}/withdraw', { params: { path: { id: versionId } } })),
  mandatory: (appId: string, mandatory: boolean) =>
    unwrap(
      api.PUT('/api/v1/store/apps/{id}/mandatory', { params: { path: { id: appId } }, body: { mandatory } }),
    ),
  startRollout: (body: { versionId: string; institutionId: string; percent: number }) =>
    unwrap(api.POST('/api/v1/store/rollouts', { body })),
  widen: (id: string, percent: number) =>
    unwrap(api.POST('/api/v1/store/rollouts/{id}/percent', { params: { path: { id } }, body: { percent } })),
  pause: (id: string) => unwrap(api.POST('/api/v1/store/rollouts/{id}/pause', { params: { path: { id } } })),
  resume: (id: string) =>
    unwrap(api.POST('/api/v1/store/rollouts/{id}/resume', { params: { path: { id } } })),
  halt: (id: string, reason: string) =>
    unwrap(api.POST('/api/v1/store/rollouts/{id}/halt', { params: { path: { id } }, body: { reason } })),
  kill: (versionId: string, reason: string) =>
    unwrap(
      api.POST('/api/v1/store/versions/{id}/kill', { params: { path: { id: versionId } }, body: { reason } }),
    ),
  createOrg: (name: string, institutionId: string | null) =>
    unwrap(api.POST('/api/v1/store/orgs', { body: { name, institutionId } })),
  addMember: (orgId: string, userId: string) =>
    unwrap(
      api.POST('/api/v1/store/orgs/{id}/members', { params: { path: { id: orgId } }, body: { userId } }),
    ),
};
