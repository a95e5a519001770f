import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client';

/** Attempts after the first one for a failed read (network trouble or a 5xx, never a 4xx). */
const MAX_RETRIES = 2;

/**
 * A 4xx is the server's answer (forbidden, not found, invalid input): asking again gives the same answer,
 * so only network failures, timeouts and 5xx are retried.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES) return false;
  if (!(error instanceof ApiError)) return false;
  return error.status === 0 || error.status >= 500;
}

/** Backoff between retries: 0.5 s, 1 s, 2 s … capped at 8 s. */
export const retryDelay = (attempt: number): number => Math.min(500 * 2 ** attempt, 8_000);

/** One cache for the whole NOC, created once in main.tsx (and once per test). */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        retryDelay,
        // Operational data: a page opened again shows the cached rows at once and refreshes them.
        staleTime: 5_000,
        gcTime: 5 * 60_000,
        refetchOnWindowFocus: false,
      },
      // A mutation is never repeated behind the operator's back: it may have happened.
      mutations: { retry: false },
    },
  });
}
