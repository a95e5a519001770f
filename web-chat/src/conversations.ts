// The conversation screens: the list of conversations, a new chat with officials picked in the people search,
// the messages of one conversation with their read receipts, sending text and files, and search in local
// history. Plain DOM; everything shown comes from the SDK's local state (ChatCore's groups and history).
import type { ChatFileRef } from '../../lab/src/chat/chat-content.ts';
import type { HistoryEntry } from '../../lab/src/chat/chat-history.ts';
import type { ChatEvent } from '../../lab/src/chat/chat-types.ts';
import type { ChatSession } from './chat-session.ts';
import type { Person } from './people.ts';
import { fetchAndOpen, sealAndUpload, type DeviceHttp } from './files.ts';
import { renderKeyed } from './keyed-list.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text = '',
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

export class Conversations {
  private session: ChatSession | null = null;
  private current: string | null = null;
  /** Messages this browser sent a read receipt for (group id, message id). */
  private readonly receipted = new Set<string>();

  constructor(
    private readonly me: string,
    private readonly http: DeviceHttp,
    private readonly fail: (e: unknown) => void,
  ) {}

  attach(session: ChatSession): void {
    this.session = session;
    $('chat').hidden = false;
    $('leave').addEventListener('click', () => void this.leave().catch(this.fail));
    this.renderList();
  }

  /** The SDK's events, as they are applied: redraw, and send read receipts for what is on screen. */
  readonly onEvent = (e: ChatEvent): void => {
    if (!this.session) return;
    if (e.type === 'typing' || e.type === 'ignored') return;
    // Out of the group on screen (the official left it from another device, say): the conversation closes.
    if (e.type === 'removed' && e.groupId === this.current) this.closeConversation();
    this.renderList();
    if (e.groupId === this.current) this.renderMessages();
  };

  private get client() {
    if (!this.session) throw new Error('the chat is not open yet');
    return this.session.client;
  }

  /** The conversation on screen (its group id). */
  get currentGroup(): string | null {
    return this.current;
  }

  nameOf(userId: string | null): string {
    if (!userId) return 'Unknown device';
    if (userId === this.me) return 'You';
    // An official who wrote first is shown by id until this browser learns the name (picking them in the
    // people search records it).
    return this.session?.names.get(userId) ?? `Official ${userId.slice(0, 8)}`;
  }

  private title(groupId: string): string {
    const peers = new Set(
      this.client.core
        .members(groupId)
        .map((m) => m.userId)
        .filter((u) => u !== this.me),
    );
    if (peers.size === 0) return 'Only you';
    return `Chat with ${[...peers].map((u) => this.nameOf(u)).join(', ')}`;
  }

  /** In place (renderKeyed): a conversation's button stays the same element, so a click on it is never lost. */
  renderList(): void {
    renderKeyed(
      $('conversations'),
      [...this.client.core.groups.keys()],
      (groupId) => groupId,
      (groupId) => {
        const b = el('button', '', { type: 'button' });
        b.addEventListener('click', () => this.open(groupId));
        const li = el('li');
        li.append(b);
        return li;
      },
      (li, groupId) => {
        const b = li.firstElementChild as HTMLButtonElement;
        const title = this.title(groupId);
        if (b.textContent !== title) b.textContent = title;
        if (groupId === this.current) b.setAttribute('aria-current', 'true');
        else b.removeAttribute('aria-current');
      },
    );
  }

  /** Told of each conversation opened (the call panel looks up its group's call in progress). */
  onOpen: ((groupId: string) => void) | null = null;

  open(groupId: string): void {
    this.current = groupId;
    this.onOpen?.(groupId);
    $('conversation').hidden = false;
    this.renderList();
    this.renderMessages();
  }

  private statusOf(e: HistoryEntry): string {
    if (e.read.length > 0) return 'Read';
    return e.delivered.length > 0 ? 'Delivered' : 'Sent';
  }

  private renderMessages(): void {
    const groupId = this.current;
    if (!groupId || !this.client.core.groups.has(groupId)) return;
    $('conversation-title').textContent = this.title(groupId);
    const entries = this.client.core.history.conversation(groupId, 200);
    // Keyed by what an item shows: one that did not change (its Download button, say) stays the same element.
    renderKeyed(
      $('messages'),
      entries,
      (e) => this.shown(e),
      (e) => this.messageItem(e),
    );
    this.markRead(groupId, entries);
  }

  /** What a message's item shows: a new item when it changes (a receipt came, a name was learnt). */
  private shown(e: HistoryEntry): string {
    const who = e.own ? 'You' : this.nameOf(e.fromUser);
    return JSON.stringify([e.groupId, e.id, who, e.own ? this.statusOf(e) : '']);
  }

  private messageItem(e: HistoryEntry): HTMLLIElement {
    const li = el('li', '', { 'data-message-id': e.id });
    li.append(el('strong', `${e.own ? 'You' : this.nameOf(e.fromUser)}: `));
    if (e.text) li.append(el('span', e.text));
    if (e.file) li.append(this.fileButton(e.file));
    li.append(
      ' ',
      el('time', new Date(e.sentAt).toLocaleTimeString(), { datetime: new Date(e.sentAt).toISOString() }),
    );
    if (e.own) {
      const status = this.statusOf(e);
      li.append(' ', el('span', status, { class: 'receipt', 'data-status': status.toLowerCase() }));
    }
    return li;
  }

  private fileButton(file: ChatFileRef): HTMLButtonElement {
    const b = el('button', `Download ${file.name}`, { type: 'button' });
    b.addEventListener('click', () => {
      fetchAndOpen(file)
        .then((blob) => {
          const a = el('a', '', { download: file.name, href: URL.createObjectURL(blob) });
          a.click();
          setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
        })
        .catch(this.fail);
    });
    return b;
  }

  /** Read receipts for the others' messages now on screen (once each). */
  private markRead(groupId: string, entries: readonly HistoryEntry[]): void {
    if (document.visibilityState !== 'visible') return;
    const ids = entries.filter((e) => !e.own && !this.receipted.has(`${groupId} ${e.id}`)).map((e) => e.id);
    if (ids.length === 0) return;
    for (const id of ids) this.receipted.add(`${groupId} ${id}`);
    this.client.send(groupId, { type: 'receipt', status: 'read', ids }).catch(this.fail);
  }

  /** A new conversation (an MLS group) with one official or several, picked in the people search. */
  async startChat(people: readonly Person[]): Promise<void> {
    if (people.length === 0) throw new Error('choose at least one official');
    const groupId = await this.client.createGroup();
    for (const p of people) this.session!.names.set(p.userId, p.displayName);
    await this.session!.saveNames();
    const added = await this.client.addMembers(
      groupId,
      people.map((p) => p.userId),
    );
    this.open(groupId);
    const missing = added.filter((a) => a.devices === 0).map((a) => this.nameOf(a.userId));
    if (missing.length > 0)
      throw new Error(`${missing.join(', ')}: no chat device yet (they sign in to the chat once first)`);
  }

  /**
   * Leaves the conversation on screen once the official confirms: the server takes all their devices out of the
   * group (the others' clients commit it), and the conversation leaves the list (its local history stays) — on
   * the official's other devices too, once their SDK reads the server's Remove of their own leaf.
   */
  async leave(): Promise<void> {
    const groupId = this.current;
    if (!groupId) return;
    const question = `Leave “${this.title(groupId)}”? You will receive nothing more sent in it.`;
    if (!window.confirm(question)) return;
    try {
      await this.client.leaveGroup(groupId);
    } finally {
      // Also when the server said this device is no member already: the SDK forgot the group then too.
      if (!this.client.core.groups.has(groupId)) {
        if (this.current === groupId) this.closeConversation();
        this.renderList();
      }
    }
  }

  /** No conversation on screen any more (its group was left or forgotten). */
  private closeConversation(): void {
    this.current = null;
    $('conversation').hidden = true;
  }

  async sendText(text: string): Promise<void> {
    if (!this.current) throw new Error('open a conversation first');
    await this.client.send(this.current, { type: 'text', text });
    this.renderMessages();
  }

  async sendFile(file: File): Promise<void> {
    const groupId = this.current;
    if (!groupId) throw new Error('open a conversation first');
    const ref = await sealAndUpload(file, this.http, groupId);
    await this.client.send(groupId, { type: 'file', file: ref });
    this.renderMessages();
  }

  search(query: string): void {
    const hits = this.client.core.history.search(query, { limit: 50 });
    const list = $('results');
    list.replaceChildren();
    if (hits.length === 0) list.append(el('li', 'No messages found'));
    for (const h of hits) {
      const b = el('button', `${h.own ? 'You' : this.nameOf(h.fromUser)}: ${h.text || h.file?.name || ''}`, {
        type: 'button',
      });
      b.addEventListener('click', () => this.open(h.groupId));
      const li = el('li');
      li.append(b);
      list.append(li);
    }
  }
}
