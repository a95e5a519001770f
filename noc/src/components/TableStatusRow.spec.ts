import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { TableStatusRow } from './TableStatusRow';

const render = (rows: readonly unknown[] | undefined, loading: boolean) =>
  renderToStaticMarkup(
    createElement(
      'table',
      null,
      createElement(
        'tbody',
        null,
        createElement(TableStatusRow, { columns: 7, rows, loading, empty: 'No token yet.' }),
      ),
    ),
  );

describe('TableStatusRow', () => {
  it('says Loading… across every column until the first answer, then the empty message, then nothing', () => {
    expect(render(undefined, true)).toBe(
      '<table><tbody><tr><td colSpan="7" class="empty">Loading…</td></tr></tbody></table>',
    );
    expect(render([], false)).toContain('<td colSpan="7" class="empty">No token yet.</td>');
    // A refetch of a table that has rows, or has none, shows what it has, not Loading….
    expect(render([], true)).toContain('No token yet.');
    expect(render([{ id: 1 }], true)).toBe('<table><tbody></tbody></table>');
  });

  it('shows nothing when the first load failed (the page shows the error instead)', () => {
    expect(render(undefined, false)).toBe('<table><tbody></tbody></table>');
  });
});
