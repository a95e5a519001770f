import { describe, expect, it, vi } from 'vitest';

// The unit project runs in node; the API client (imported through ErrorNotice) reads the page's origin.
vi.hoisted(() => {
  Object.assign(globalThis, { window: { location: { origin: 'http://noc.test' } } });
});
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { RadioRow } from './Form';

describe('RadioRow', () => {
  it('labels each radio with its words, checks the chosen one and disables the ones not offered', () => {
    const html = renderToStaticMarkup(
      createElement(RadioRow<'a' | 'b'>, {
        legend: 'Kind',
        name: 'kind',
        value: 'b',
        onChange: () => undefined,
        choices: [
          { value: 'a', label: 'Alpha', disabled: true },
          { value: 'b', label: createElement('span', null, 'Beta') },
        ],
      }),
    );
    expect(html).toBe(
      '<fieldset class="fieldset radio-row"><legend>Kind</legend>' +
        '<label><input type="radio" disabled="" name="kind" value="a"/> Alpha</label>' +
        '<label><input type="radio" name="kind" checked="" value="b"/> <span>Beta</span></label></fieldset>',
    );
  });
});
