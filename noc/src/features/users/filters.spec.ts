import { describe, expect, it } from 'vitest';
import { filtersUrl, readFilters } from './filters';

const read = (query: string) => readFilters(new URLSearchParams(query));

describe('the Users list filters in the URL', () => {
  it('round-trips every filter through the URL', () => {
    const filters = {
      search: 'amina q',
      kind: 'official',
      status: 'disabled',
      attack: true,
      page: 3,
    } as const;
    const url = filtersUrl(filters);
    expect(url).toBe('/users?search=amina+q&kind=official&status=disabled&attack=1&page=3');
    expect(read(url.slice('/users?'.length))).toEqual(filters);
  });

  it('leaves defaults out of the URL', () => {
    expect(filtersUrl(read(''))).toBe('/users');
    expect(read('')).toEqual({ search: '', kind: '', status: '', attack: false, page: 1 });
  });

  it('ignores values a hand-edited URL may carry', () => {
    expect(read('kind=admin&status=locked&attack=yes&page=-2')).toEqual(read(''));
    expect(read('page=abc').page).toBe(1);
  });
});
