import { useCallback, useEffect, useState } from 'react';
import { asApiError, isAbort, type ApiError } from '../../api/client';

export type Loaded<T> = { data: T | null; error: ApiError | null; loading: boolean; reload: () => void };

/** Loads once per `key` change and on `reload()`; the previous load is aborted. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    load(controller.signal).then(
      (value) => {
        setData(value);
        setError(null);
        setLoading(false);
      },
      (caught: unknown) => {
        if (isAbort(caught)) return;
        setError(asApiError(caught));
        setLoading(false);
      },
    );
    return () => controller.abort();
    // `load` is recreated on every render; `key` says when what it loads changed.
  }, [key, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, loading, reload };
}
