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
};

export const storeWrites = {
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
  createOrg: (name: string, institutionId: string | null) =>
    unwrap(api.POST('/api/v1/store/orgs', { body: { name, institutionId } })),
  addMember: (orgId: string, userId: string) =>
    unwrap(
      api.POST('/api/v1/store/orgs/{id}/members', { params: { path: { id: orgId } }, body: { userId } }),
    ),
};
