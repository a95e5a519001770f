import { describe, expect, it, vi } from 'vitest';

// The unit project runs in node; the API client (imported through ErrorNotice) reads the page's origin.
vi.hoisted(() => {
  Object.assign(globalThis, { window: { location: { origin: 'http://noc.test' } } });
});
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { RolloutLever, type Lever } from './RolloutLever';

const render = (lever: Lever, extra: { small?: boolean; disabled?: boolean } = {}) =>
  renderToStaticMarkup(
    createElement(RolloutLever, {
      lever,
      name: 'the rollout of org.example in Finance',
      question: 'Sure?',
      onConfirm: () => Promise.resolve(),
      ...extra,
    }),
  );

describe('RolloutLever', () => {
  it('names the button after the lever and the rollout, in the tone of the lever', () => {
    expect(render('pause')).toBe(
      '<button type="button" class="button button-secondary" aria-expanded="false" aria-label="Pause the rollout of org.example in Finance">Pause</button>',
    );
    expect(render('resume')).toContain('class="button button-primary"');
    expect(render('resume')).toContain('aria-label="Resume the rollout of org.example in Finance">Resume<');
    expect(render('advance')).toContain(
      'aria-label="Advance the rollout of org.example in Finance">Advance<',
    );
    // Halt is the danger lever: its first button is secondary, its confirm (not rendered yet) the danger one.
    expect(render('halt')).toContain('class="button button-secondary"');
    expect(render('halt')).toContain('aria-label="Halt the rollout of org.example in Finance">Halt<');
  });

  it('passes on small and disabled', () => {
    expect(render('halt', { small: true, disabled: true })).toBe(
      '<button type="button" class="button button-secondary button-small" disabled="" aria-expanded="false" aria-label="Halt the rollout of org.example in Finance">Halt</button>',
    );
  });
});
