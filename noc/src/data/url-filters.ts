import { useEffect, useMemo, useState } from 'react';
import { navigate, useLocation } from '../router';

/**
 * A list page's filters kept in its address (so that a diagnosis can be linked: "this user's rejects"): the
 * applied filters read from the query string, a draft the form edits, and `show` to apply one. A value equal
 * to its default is left out of the address. `show` of what is already applied calls `same` (a refresh).
 */
export function useUrlFilters<F extends Record<string, string>>(defaults: F) {
  const { pathname, search } = useLocation();
  const searchKey = search.toString();
  // `defaults` is a module constant of each page: the address alone decides the filters.
  const filters = useMemo(() => readFilters(defaults, new URLSearchParams(searchKey)), [searchKey]);
  const [draft, setDraft] = useState<F>(filters);
  // A link or the menu changes the address: the form follows it.
  useEffect(() => setDraft(filters), [filters]);
  const query = (f: F): string => writeFilters(defaults, f);
  return {
    filters,
    draft,
    setDraft,
    /** The page's address with these filters (for a link that narrows the list). */
    href: (f: F): string => `${pathname}${query(f) ? `?${query(f)}` : ''}`,
    show: (next: F, same: () => void): void => {
      const q = query(next);
      if (q === searchKey) same();
      else navigate(`${pathname}${q ? `?${q}` : ''}`, { replace: true });
    },
  };
}

function readFilters<F extends Record<string, string>>(defaults: F, q: URLSearchParams): F {
  return Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, q.get(k) ?? v])) as F;
}

function writeFilters<F extends Record<string, string>>(defaults: F, f: F): string {
  return new URLSearchParams(Object.entries(f).filter(([k, v]) => v !== '' && v !== defaults[k])).toString();
}
