import { useCallback, useEffect, useRef, useState } from 'react';
import { asApiError, isAbort, type ApiError } from './api/client';

export type PollState<T> = {
  data: T | null;
  /** Time of the last successful fetch. */
  updatedAt: Date | null;
  /** Error of the most recent attempt, cleared by the next success. */
  error: ApiError | null;
  loading: boolean;
  refresh: () => void;
};

/**
 * Fetch now and then every `intervalMs` after each attempt completes (never overlapping).
 * Each attempt is aborted after `timeoutMs`; everything stops on unmount.
 */
export function usePolling<T>(
  fetcher: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  timeoutMs = 10_000,
): PollState<T> {
  const [data, setData] = useState<T | null>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const fetcherRef = useRef(fetcher);
  useEffect(() => {
    fetcherRef.current = fetcher;
  });
  const kick = useRef<() => void>(() => undefined);

  useEffect(() => {
    let disposed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | undefined;

    const tick = async (): Promise<void> => {
      clearTimeout(timer);
      controller?.abort();
      const current = new AbortController();
      controller = current;
      const deadline = setTimeout(
        () => current.abort(new DOMException('Request timed out', 'TimeoutError')),
        timeoutMs,
      );
      setLoading(true);
      try {
        const result = await fetcherRef.current(current.signal);
        if (disposed || current !== controller) return;
        setData(result);
        setUpdatedAt(new Date());
        setError(null);
      } catch (caught) {
        if (disposed || current !== controller) return;
        if (
          isAbort(caught) &&
          current.signal.reason instanceof DOMException &&
          current.signal.reason.name === 'TimeoutError'
        ) {
          setError(
            asApiError(new Error(`No answer from the server within ${Math.round(timeoutMs / 1000)} s.`)),
          );
        } else if (!isAbort(caught)) {
          setError(asApiError(caught));
        }
      } finally {
        clearTimeout(deadline);
        if (!disposed && current === controller) {
          setLoading(false);
          timer = setTimeout(() => void tick(), intervalMs);
        }
      }
    };

    kick.current = () => void tick();
    void tick();
    return () => {
      disposed = true;
      clearTimeout(timer);
      controller?.abort();
    };
  }, [intervalMs, timeoutMs]);

  const refresh = useCallback(() => kick.current(), []);
  return { data, updatedAt, error, loading, refresh };
}
