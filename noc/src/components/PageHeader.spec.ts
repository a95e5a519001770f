import { describe, expect, it, vi } from 'vitest';
import { createElement, isValidElement, type ReactElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { OpenFormButton, PageHeader } from './PageHeader';

type Props = Parameters<typeof PageHeader>[0];
const render = (props: Props) => renderToStaticMarkup(createElement(PageHeader, props));

/** The element in `node`'s tree whose text children are exactly `text` (PageHeader renders no components). */
function findByText(node: ReactNode, text: string): ReactElement<{ onClick?: () => void }> | undefined {
  if (Array.isArray(node)) {
    for (const child of node as ReactNode[]) {
      const found = findByText(child, text);
      if (found) return found;
    }
    return undefined;
  }
  if (!isValidElement<{ children?: ReactNode }>(node)) return undefined;
  if (node.props.children === text) return node as ReactElement<{ onClick?: () => void }>;
  return findByText(node.props.children, text);
}

describe('PageHeader', () => {
  it('renders the title and the muted subtitle, with no actions row when there are no actions', () => {
    expect(render({ title: 'Users', subtitle: 'Officials and operators.' })).toBe(
      '<div class="page-header"><div><h1>Users</h1><p class="page-subtitle muted">Officials and operators.</p></div></div>',
    );
    expect(render({ title: 'Users' })).toBe('<div class="page-header"><div><h1>Users</h1></div></div>');
    expect(render({ title: 'Group', subtitle: null })).toBe(
      '<div class="page-header"><div><h1>Group</h1></div></div>',
    );
    expect(
      render({ title: 'User', subtitle: createElement('code', null, 'ada'), plainSubtitle: true }),
    ).toContain('<h1>User</h1><p class="page-subtitle"><code>ada</code></p>');
  });

  it('puts the standard Refresh button first among the actions, disabled while refreshing', () => {
    const html = render({
      title: 'Users',
      onRefresh: () => undefined,
      children: createElement('button', { type: 'button', className: 'button button-primary' }, 'Add a user'),
    });
    expect(html).toBe(
      '<div class="page-header"><div><h1>Users</h1></div><div class="page-actions">' +
        '<button type="button" class="button button-secondary">Refresh</button>' +
        '<button type="button" class="button button-primary">Add a user</button></div></div>',
    );
    expect(render({ title: 'Users', onRefresh: () => undefined, refreshing: true })).toContain(
      '<button type="button" class="button button-secondary" disabled="">Refresh</button>',
    );
  });

  it('has no Refresh button without onRefresh, but still renders the other actions', () => {
    const html = render({
      title: 'Group',
      children: createElement('button', { type: 'button' }, 'Delete group'),
    });
    expect(html).not.toContain('Refresh');
    expect(html).toContain('<div class="page-actions"><button type="button">Delete group</button></div>');
    expect(render({ title: 'Group', children: null })).not.toContain('page-actions');
  });

  it('calls onRefresh when Refresh is clicked', () => {
    const onRefresh = vi.fn();
    const button = findByText(PageHeader({ title: 'Users', onRefresh }), 'Refresh');
    expect(button?.type).toBe('button');
    expect(onRefresh).not.toHaveBeenCalled();
    button?.props.onClick?.();
    expect(onRefresh).toHaveBeenCalledTimes(1);
  });

  it('opens a create form with a primary button that is disabled and expanded while the form is open', () => {
    const button = (open: boolean, onOpen = () => undefined) =>
      renderToStaticMarkup(createElement(OpenFormButton, { open, onOpen, children: 'Add a user' }));
    expect(button(false)).toBe(
      '<button type="button" class="button button-primary" aria-expanded="false">Add a user</button>',
    );
    expect(button(true)).toBe(
      '<button type="button" class="button button-primary" disabled="" aria-expanded="true">Add a user</button>',
    );
    const onOpen = vi.fn();
    const element = OpenFormButton({ open: false, onOpen, children: 'Add a user' });
    (element as ReactElement<{ onClick: () => void }>).props.onClick();
    expect(onOpen).toHaveBeenCalledTimes(1);
  });
});
