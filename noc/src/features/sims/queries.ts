import { api, unwrap, type Schemas } from '../../api/client';
import { apiQuery, useApiPages } from '../../data/hooks';
import type { Tone } from '../../components/StatusPill';

export type SimList = Schemas['SimList'];
export type SimCard = SimList['sims'][number];
export type SimStatus = SimCard['status'];
export type ImportJob = Schemas['SimImportJob'];
export type SimFilter = { search: string; status: SimStatus | '' };

export const PAGE_SIZE = 100;
export const SIM_STATUSES: readonly SimStatus[] = ['available', 'assigned', 'retired'];
export const JOB_TONE: Record<ImportJob['status'], Tone> = {
  queued: 'neutral',
  running: 'warn',
  completed: 'good',
  failed: 'bad',
};

export const isFinished = (job: ImportJob): boolean => job.status === 'completed' || job.status === 'failed';

export const simKeys = {
  /** Everything on the page: the Refresh button and a finished import reload all of it. */
  all: ['sims'] as const,
  list: (filter: SimFilter) => ['sims', 'list', filter] as const,
  imports: ['sims', 'imports'] as const,
  job: (id: string) => ['sims', 'imports', id] as const,
};

export const simQueries = {
  imports: () => apiQuery(simKeys.imports, (signal) => unwrap(api.GET('/api/v1/sims/imports', { signal }))),
  job: (id: string) =>
    apiQuery(simKeys.job(id), (signal) =>
      unwrap(api.GET('/api/v1/sims/imports/{id}', { params: { path: { id } }, signal })),
    ),
};

/** The SIM list, 100 at a time after the last IMSI shown ("Load more"). */
export function useSimPages(filter: SimFilter) {
  return useApiPages({
    queryKey: simKeys.list(filter),
    page: async (after: string | undefined, signal) => {
      const page = await unwrap(
        api.GET('/api/v1/sims', {
          params: {
            query: {
              // One more than shown: the API's `next` is set whenever a page is full, even if nothing follows.
              limit: PAGE_SIZE + 1,
              ...(filter.search ? { search: filter.search } : {}),
              ...(filter.status ? { status: filter.status } : {}),
              ...(after ? { after } : {}),
            },
          },
          signal,
        }),
      );
      const shown = page.sims.slice(0, PAGE_SIZE);
      return { ...page, sims: shown, more: page.sims.length > PAGE_SIZE };
    },
    next: (last) => (last.more ? last.sims.at(-1)?.imsi : undefined),
  });
}
