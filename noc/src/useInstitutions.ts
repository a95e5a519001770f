import { useCallback, useEffect, useState } from 'react';
import { api, asApiError, isAbort, unwrap, type ApiError } from './api/client';
import type { Institution } from './identity';

/** Every institution the caller may see (operators see all), for selects and for names in tables. */
export function useInstitutions(): {
  institutions: Institution[];
  loaded: boolean;
  error: ApiError | null;
  reload: () => void;
} {
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    unwrap(api.GET('/api/v1/institutions', { signal: controller.signal })).then(
      (list) => {
        setInstitutions(list.institutions);
        setLoaded(true);
        setError(null);
      },
      (caught: unknown) => {
        if (!isAbort(caught)) setError(asApiError(caught));
      },
    );
    return () => controller.abort();
  }, [generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { institutions, loaded, error, reload };
}
