import { describe, expect, it, vi } from 'vitest';

// The unit project runs in node; the API client (imported through ErrorNotice) reads the page's origin.
vi.hoisted(() => {
  Object.assign(globalThis, { window: { location: { origin: 'http://noc.test' } } });
});
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ApiQueryState } from '../data/hooks';
import { ACTIONS_COLUMN, QueryTable } from './QueryTable';

type Row = { id: string };
const query = (over: Partial<ApiQueryState<unknown>> = {}): ApiQueryState<unknown> => ({
  data: undefined,
  error: null,
  loading: false,
  fetching: false,
  updatedAt: null,
  refresh: () => undefined,
  ...over,
});
const render = (q: ApiQueryState<unknown>, rows: Row[] | undefined, compact = false) =>
  renderToStaticMarkup(
    createElement(QueryTable<Row>, {
      query: q,
      failureTitle: 'Could not load the tokens',
      caption: 'Tokens',
      columns: ['Official', 'State', ACTIONS_COLUMN],
      compact,
      rows,
      renderRow: (r) => createElement('tr', { key: r.id }, createElement('td', null, r.id)),
      empty: 'No token yet.',
    }),
  );

describe('QueryTable', () => {
  it('heads each column, the actions one for screen readers only, under a hidden caption', () => {
    const html = render(query({ data: {}, fetching: true }), [{ id: 'a' }, { id: 'b' }], true);
    expect(html).toContain('<table class="table table-compact" aria-busy="true">');
    expect(html).toContain('<caption class="visually-hidden">Tokens</caption>');
    expect(html).toContain(
      '<tr><th scope="col">Official</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>',
    );
    expect(html).toContain('<tbody><tr><td>a</td></tr><tr><td>b</td></tr></tbody>');
  });

  it('says Loading… then the empty message across every column, the hidden one too', () => {
    expect(render(query({ loading: true }), undefined)).toContain(
      '<tbody><tr><td colSpan="3" class="empty">Loading…</td></tr></tbody>',
    );
    expect(render(query({ data: {} }), [])).toContain('<td colSpan="3" class="empty">No token yet.</td>');
    expect(render(query({ data: {} }), [])).toContain('<table class="table" aria-busy="false">');
  });

  it('shows the read failure above the table', () => {
    const error = { status: 503, code: 'unavailable', message: 'Down for now', issues: [], requestId: 'r1' };
    const html = render(query({ error: error as never }), undefined);
    expect(html.indexOf('Could not load the tokens')).toBeGreaterThan(-1);
    expect(html.indexOf('Could not load the tokens')).toBeLessThan(html.indexOf('<table'));
  });
});
