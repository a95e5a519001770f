import { api, unwrap, type Schemas } from '../../api/client';
import { apiQuery } from '../../data/hooks';

export type Subscriber = Schemas['Subscriber'];
export type SubscriberStatus = Subscriber['status'];
export type SyncStatus = Schemas['Open5gsSyncStatus'];
export type SyncReport = Schemas['Open5gsSyncReport'];

export const PAGE_SIZE = 25;
export const STATUSES: readonly SubscriberStatus[] = ['active', 'barred'];

/** The list's filters live in the URL, so a subscriber's detail page can go back to the same view. */
export type Filters = { search: string; status: SubscriberStatus | ''; profile: string; page: number };

export function readFilters(search: URLSearchParams): Filters {
  const status = search.get('status');
  const page = Number.parseInt(search.get('page') ?? '1', 10);
  return {
    search: search.get('search') ?? '',
    status: status === 'active' || status === 'barred' ? status : '',
    profile: search.get('profile') ?? '',
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

export function filtersUrl(f: Filters): string {
  const q = new URLSearchParams();
  if (f.search) q.set('search', f.search);
  if (f.status) q.set('status', f.status);
  if (f.profile) q.set('profile', f.profile);
  if (f.page > 1) q.set('page', String(f.page));
  return q.size ? `/subscribers?${q.toString()}` : '/subscribers';
}

export const subscriberKeys = {
  all: ['subscribers'] as const,
  list: (f: Filters) => ['subscribers', 'list', f] as const,
  one: (imsi: string) => ['subscribers', 'one', imsi] as const,
  sync: ['open5gs', 'sync'] as const,
};

export const subscriberQueries = {
  list: (f: Filters) =>
    apiQuery(subscriberKeys.list(f), (signal) =>
      unwrap(
        api.GET('/api/v1/subscribers', {
          params: {
            query: {
              limit: PAGE_SIZE,
              offset: (f.page - 1) * PAGE_SIZE,
              ...(f.search ? { search: f.search } : {}),
              ...(f.status ? { status: f.status } : {}),
              ...(f.profile ? { profile: f.profile } : {}),
            },
          },
          signal,
        }),
      ),
    ),
  one: (imsi: string) =>
    apiQuery(subscriberKeys.one(imsi), (signal) =>
      unwrap(api.GET('/api/v1/subscribers/{imsi}', { params: { path: { imsi } }, signal })),
    ),
  sync: () => apiQuery(subscriberKeys.sync, (signal) => unwrap(api.GET('/api/v1/open5gs/sync', { signal }))),
};
