import { describe, expect, it, vi } from 'vitest';

// The unit project runs in node; the API client (imported through ErrorNotice) reads the page's origin.
vi.hoisted(() => {
  Object.assign(globalThis, { window: { location: { origin: 'http://noc.test' } } });
});
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { leverWords, RolloutLever, type Lever } from './RolloutLever';

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

  it('says, once confirming, busy and failed, what both rollout pages said before they shared it', () => {
    // The words of the app-store and OS rollout pages' own ConfirmButtons before this component.
    const name = 'the rollout of org.example in Finance';
    expect(leverWords('pause', name)).toEqual({
      label: 'Pause',
      accessibleName: `Pause ${name}`,
      confirmLabel: 'Pause it',
      busyLabel: 'Pausing…',
      errorTitle: 'The rollout was not paused',
      tone: 'secondary',
    });
    expect(leverWords('resume', name)).toMatchObject({
      confirmLabel: 'Resume it',
      busyLabel: 'Resuming…',
      errorTitle: 'The rollout was not resumed',
      tone: 'primary',
    });
    expect(leverWords('advance', name)).toMatchObject({
      confirmLabel: 'Advance it',
      busyLabel: 'Advancing…',
      errorTitle: 'The rollout was not advanced',
      tone: 'secondary',
    });
    expect(leverWords('halt', name)).toMatchObject({
      confirmLabel: 'Halt it',
      busyLabel: 'Halting…',
      errorTitle: 'The rollout was not halted',
      tone: 'danger',
    });
  });
});
