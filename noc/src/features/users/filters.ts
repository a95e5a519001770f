import type { User } from '../../identity';

export const PAGE_SIZE = 25;

/**
 * The list's filters live in the URL, so a user's page can go back to the same view. `attack`: accounts
 * whose password step the guess limit closed (someone is guessing their password).
 */
export type Filters = {
  search: string;
  kind: User['kind'] | '';
  status: User['status'] | '';
  attack: boolean;
  page: number;
};

export function readFilters(search: URLSearchParams): Filters {
  const kind = search.get('kind');
  const status = search.get('status');
  const page = Number.parseInt(search.get('page') ?? '1', 10);
  return {
    search: search.get('search') ?? '',
    kind: kind === 'official' || kind === 'operator' ? kind : '',
    status: status === 'active' || status === 'disabled' ? status : '',
    attack: search.get('attack') === '1',
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

export function filtersUrl(f: Filters): string {
  const q = new URLSearchParams();
  if (f.search) q.set('search', f.search);
  if (f.kind) q.set('kind', f.kind);
  if (f.status) q.set('status', f.status);
  if (f.attack) q.set('attack', '1');
  if (f.page > 1) q.set('page', String(f.page));
  return q.size ? `/users?${q.toString()}` : '/users';
}
