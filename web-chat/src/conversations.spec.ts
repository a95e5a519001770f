import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatHistory } from '../../lab/src/chat/chat-history.ts';
import type { ChatEvent } from '../../lab/src/chat/chat-types.ts';
import type { ChatSession } from './chat-session.ts';
import { Conversations } from './conversations.ts';

/** As much of the DOM as the conversation screens use (no DOM library here): elements, text, listeners. */
class FakeElement {
  parent: FakeElement | null = null;
  children: FakeElement[] = [];
  hidden = false;
  readonly dataset: Record<string, string> = {};
  private text = '';
  private readonly attrs = new Map<string, string>();
  private readonly listeners = new Map<string, (() => void)[]>();

  constructor(readonly tagName: string) {}

  get textContent(): string {
    return this.text + this.children.map((c) => c.textContent).join('');
  }
  set textContent(t: string) {
    for (const c of this.children) c.parent = null;
    this.children = [];
    this.text = t;
  }
  setAttribute(k: string, v: string): void {
    this.attrs.set(k, v);
  }
  getAttribute(k: string): string | null {
    return this.attrs.get(k) ?? null;
  }
  removeAttribute(k: string): void {
    this.attrs.delete(k);
  }
  addEventListener(type: string, fn: () => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  click(): void {
    for (const fn of this.listeners.get('click') ?? []) fn();
  }
  append(...nodes: (FakeElement | string)[]): void {
    for (const n of nodes) if (typeof n !== 'string') this.insertBefore(n, null);
  }
  replaceChildren(...nodes: FakeElement[]): void {
    this.textContent = '';
    this.append(...nodes);
  }
  insertBefore(node: FakeElement, before: FakeElement | null): void {
    node.remove();
    node.parent = this;
    const at = before ? this.children.indexOf(before) : -1;
    this.children.splice(at < 0 ? this.children.length : at, 0, node);
  }
  remove(): void {
    if (this.parent) this.parent.children.splice(this.parent.children.indexOf(this), 1);
    this.parent = null;
  }
  get firstElementChild(): FakeElement | null {
    return this.children[0] ?? null;
  }
  get nextElementSibling(): FakeElement | null {
    const siblings = this.parent?.children ?? [];
    return siblings[siblings.indexOf(this) + 1] ?? null;
  }
}

const byId = new Map<string, FakeElement>();
let history: ChatHistory;
let sent: unknown[];
const sessionOf = (h: ChatHistory) =>
  ({
    client: {
      core: {
        groups: new Map([['g1', {}]]),
        history: h,
        members: () => [{ userId: 'u-farah' }, { userId: 'u-chen' }],
      },
      send: (_groupId: string, body: unknown) => (sent.push(body), Promise.resolve('r1')),
    },
    names: new Map([['u-chen', 'Chen Li']]),
    saveNames: () => Promise.resolve(),
  }) as unknown as ChatSession;

const message = (id: string, extra: object = {}) => ({
  groupId: 'g1',
  id,
  fromDevice: 'd-chen',
  fromUser: 'u-chen',
  sentAt: 1_765_000_000_000,
  text: `text ${id}`,
  own: false,
  ...extra,
});
const arrived = (id: string) => ({ type: 'message', groupId: 'g1', id }) as unknown as ChatEvent;

describe('the conversation screens redraw in place (a click in progress is never lost)', () => {
  let view: Conversations;
  const el = (id: string) => byId.get(id)!;

  beforeEach(() => {
    byId.clear();
    history = new ChatHistory();
    sent = [];
    vi.stubGlobal('document', {
      visibilityState: 'visible',
      createElement: (tag: string) => new FakeElement(tag),
      getElementById: (id: string) => byId.get(id) ?? byId.set(id, new FakeElement('div')).get(id),
    });
    view = new Conversations('u-farah', (() => undefined) as never, (e) => {
      throw e;
    });
    view.attach(sessionOf(history));
  });

  afterEach(() => vi.unstubAllGlobals());

  it("keeps a conversation's button when a message arrives: a click pressed before it lands on the button", () => {
    const button = el('conversations').children[0]!.children[0]!;
    expect(button.textContent).toBe('Chat with Chen Li');
    // The official presses the button; a message arrives and the list is redrawn; the button is released.
    history.add(message('m1'));
    view.onEvent(arrived('m1'));
    expect(el('conversations').children).toHaveLength(1);
    expect(el('conversations').children[0]!.children[0]).toBe(button);
    button.click();
    expect(view.currentGroup).toBe('g1');
    expect(button.getAttribute('aria-current')).toBe('true');
    expect(el('messages').children.map((li) => li.getAttribute('data-message-id'))).toEqual(['m1']);
  });

  it('keeps the items of the messages on screen as others arrive; an own message gets a new item as its status changes', () => {
    history.add(message('m2', { file: { name: 'minutes.txt' } }));
    history.add(message('m3', { own: true, fromUser: 'u-farah', sentAt: 1_765_000_000_001 }));
    el('conversations').children[0]!.children[0]!.click();
    const items = () => el('messages').children;
    const [file, own] = items();
    const download = file!.children.find((c) => c.tagName === 'button')!;
    expect([download.textContent, own!.textContent]).toEqual([
      'Download minutes.txt',
      expect.stringContaining('Sent'),
    ]);
    // A read receipt for the other's message went out once it was on screen.
    expect(sent).toEqual([{ type: 'receipt', status: 'read', ids: ['m2'] }]);
    history.add(message('m4', { sentAt: 1_765_000_000_002 }));
    history.receipt('g1', ['m3'], 'read', 'd-chen');
    view.onEvent(arrived('m4'));
    const [file2, own2] = items();
    expect(file2).toBe(file);
    expect(file2!.children.find((c) => c.tagName === 'button')).toBe(download);
    expect(own2).not.toBe(own);
    expect(own2!.textContent).toContain('Read');
    expect(items().map((li) => li.getAttribute('data-message-id'))).toEqual(['m2', 'm3', 'm4']);
  });
});
