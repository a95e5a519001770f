import {
  queryOptions,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
  type QueryKey,
  type UseQueryOptions,
} from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { ApiError, asApiError, isAbort } from '../api/client';

/** Each attempt of a read gives up after this long (the server answers reads in milliseconds). */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Runs `fetcher` with TanStack's signal (aborted on unmount or a newer fetch) joined to a deadline. A missed
 * deadline becomes an ApiError (status 0, so it is retried); a cancellation stays an AbortError so TanStack
 * drops it silently.
 */
export async function withDeadline<T>(
  fetcher: (signal: AbortSignal) => Promise<T>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<T> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    return await fetcher(AbortSignal.any([signal, deadline]));
  } catch (caught) {
    if (isAbort(caught) && deadline.aborted && !signal.aborted)
      throw new ApiError(
        0,
        'timeout',
        `No answer from the server within ${Math.round(timeoutMs / 1000)} s.`,
        null,
      );
    throw isAbort(caught) ? caught : asApiError(caught);
  }
}

/**
 * Query options for one API read: the features' query factories are built from this, so every read has the
 * same deadline, error type and cancellation. `fetcher` is usually `(signal) => unwrap(api.GET(…, { signal }))`.
 */
export function apiQuery<T, K extends QueryKey>(
  queryKey: K,
  fetcher: (signal: AbortSignal) => Promise<T>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
) {
  return queryOptions<T, ApiError, T, K>({
    queryKey,
    queryFn: ({ signal }) => withDeadline(fetcher, signal, timeoutMs),
  });
}

export type ApiQueryState<T> = {
  data: T | undefined;
  /** The latest attempt's error (cleared by the next success); the last good data stays shown meanwhile. */
  error: ApiError | null;
  /** Nothing to show yet (first load). */
  loading: boolean;
  /** Any fetch in flight, including a background refresh. */
  fetching: boolean;
  /** Time of the last successful fetch. */
  updatedAt: Date | null;
  refresh: () => void;
};

type ReadOptions<T, K extends QueryKey> = UseQueryOptions<T, ApiError, T, K>;

/**
 * A cached API read. `pollMs` refreshes it on that interval while the tab is visible (never overlapping:
 * TanStack skips a tick while a fetch is running).
 */
export function useApiQuery<T, K extends QueryKey>(
  options: ReadOptions<T, K>,
  extra: { pollMs?: number; enabled?: boolean } = {},
): ApiQueryState<T> {
  const query = useQuery({
    ...options,
    ...(extra.pollMs ? { refetchInterval: extra.pollMs } : {}),
    ...(extra.enabled === false ? { enabled: false } : {}),
  });
  const { refetch } = query;
  const refresh = useCallback(() => void refetch(), [refetch]);
  return {
    data: query.data,
    error: query.error ?? null,
    loading: query.isPending && query.fetchStatus !== 'idle',
    fetching: query.isFetching,
    updatedAt: query.dataUpdatedAt ? new Date(query.dataUpdatedAt) : null,
    refresh,
  };
}

/** A list read page by page ("Load more"): `page(cursor)` fetches one page, `next(page)` names the next. */
export function useApiPages<P, C, K extends QueryKey>(options: {
  queryKey: K;
  page: (cursor: C | undefined, signal: AbortSignal) => Promise<P>;
  next: (last: P) => C | null | undefined;
  timeoutMs?: number;
}) {
  const query = useInfiniteQuery<P, ApiError, InfiniteData<P, C | undefined>, K, C | undefined>({
    queryKey: options.queryKey,
    initialPageParam: undefined,
    queryFn: ({ pageParam, signal }) =>
      withDeadline(
        (s) => options.page(pageParam as C | undefined, s),
        signal,
        options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ),
    getNextPageParam: (last) => options.next(last) ?? undefined,
  });
  const pages = useMemo(() => query.data?.pages ?? [], [query.data]);
  const { fetchNextPage, refetch } = query;
  return {
    pages,
    error: query.error ?? null,
    loading: query.isPending && query.fetchStatus !== 'idle',
    loadingMore: query.isFetchingNextPage,
    fetching: query.isFetching,
    hasMore: query.hasNextPage,
    loadMore: useCallback(() => void fetchNextPage(), [fetchNextPage]),
    refresh: useCallback(() => void refetch(), [refetch]),
  };
}

/** An optimistic edit of one cached read while a mutation is in flight, rolled back if it fails. */
export type Optimistic<V> = {
  queryKey: QueryKey;
  update: (current: unknown, variables: V) => unknown;
};

/**
 * An API write. On success the queries under `invalidates` are refetched (a prefix key such as
 * `['sims']` covers every SIM list); `optimistic` shows the expected result at once.
 */
export function useApiMutation<V, R>(options: {
  run: (variables: V) => Promise<R>;
  invalidates?: readonly QueryKey[];
  optimistic?: Optimistic<V>;
  onSuccess?: (result: R, variables: V) => void;
}) {
  const client = useQueryClient();
  const { invalidates = [], optimistic } = options;
  const mutation = useMutation<R, ApiError, V, { previous: unknown } | undefined>({
    mutationFn: async (variables) => {
      try {
        return await options.run(variables);
      } catch (caught) {
        throw asApiError(caught);
      }
    },
    onMutate: async (variables) => {
      if (!optimistic) return undefined;
      await client.cancelQueries({ queryKey: optimistic.queryKey });
      const previous = client.getQueryData(optimistic.queryKey);
      client.setQueryData(optimistic.queryKey, (current: unknown) => optimistic.update(current, variables));
      return { previous };
    },
    onError: (_error, _variables, context) => {
      if (optimistic && context) client.setQueryData(optimistic.queryKey, context.previous);
    },
    onSuccess: (result, variables) => options.onSuccess?.(result, variables),
    onSettled: () =>
      Promise.all(
        [...invalidates, ...(optimistic ? [optimistic.queryKey] : [])].map((queryKey) =>
          client.invalidateQueries({ queryKey }),
        ),
      ),
  });
  const { mutateAsync, reset } = mutation;
  return {
    /** Runs the write; resolves with the result, or rejects (the error is also in `error`). */
    run: mutateAsync,
    /** Fire and forget: the error is shown through `error`. */
    start: useCallback((variables: V) => void mutateAsync(variables).catch(() => undefined), [mutateAsync]),
    pending: mutation.isPending,
    error: mutation.error ?? null,
    result: mutation.data,
    reset,
  };
}
