import type { ChatFileRef } from './chat-content.js';

/** One message in local history (text or file), with the receipts other members sent for it. */
export type HistoryEntry = {
  groupId: string;
  id: string;
  /** Device id of the sender (from its certificate), and its official when the certificate names one. */
  fromDevice: string;
  fromUser: string | null;
  sentAt: number;
  text: string;
  file?: ChatFileRef;
  own: boolean;
  delivered: string[];
  read: string[];
};

const MAX_QUERY_TERMS = 8;
const terms = (s: string): string[] =>
  s
    .toLocaleLowerCase()
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);

/**
 * Local message history with word search: an in-memory inverted index (prefix match on the last query word).
 * The device keeps it beside its MLS state; it never leaves the device.
 */
export class ChatHistory {
  private readonly entries = new Map<string, HistoryEntry>();
  private readonly index = new Map<string, Set<string>>();

  private static key = (groupId: string, id: string) => `${groupId}\u0000${id}`;

  /** Adds a message once: a redelivered message (same group and id) is not added twice. */
  add(e: Omit<HistoryEntry, 'delivered' | 'read'>): boolean {
    const k = ChatHistory.key(e.groupId, e.id);
    if (this.entries.has(k)) return false;
    this.entries.set(k, { ...e, delivered: [], read: [] });
    for (const t of new Set(terms(`${e.text} ${e.file?.name ?? ''}`))) {
      let s = this.index.get(t);
      if (!s) this.index.set(t, (s = new Set()));
      s.add(k);
    }
    return true;
  }

  /** Records a receipt from a device; `read` implies delivered. */
  receipt(groupId: string, ids: readonly string[], status: 'delivered' | 'read', fromDevice: string): void {
    for (const id of ids) {
      const e = this.entries.get(ChatHistory.key(groupId, id));
      if (!e) continue;
      if (!e.delivered.includes(fromDevice)) e.delivered.push(fromDevice);
      if (status === 'read' && !e.read.includes(fromDevice)) e.read.push(fromDevice);
    }
  }

  get(groupId: string, id: string): HistoryEntry | undefined {
    return this.entries.get(ChatHistory.key(groupId, id));
  }

  /** A group's messages in send order (oldest first), at most `limit` of the latest. */
  conversation(groupId: string, limit = 100): HistoryEntry[] {
    const all = [...this.entries.values()].filter((e) => e.groupId === groupId);
    return all.sort((a, b) => a.sentAt - b.sentAt).slice(-limit);
  }

  /** Messages containing every word of the query (the last one as a prefix), newest first. */
  search(query: string, o: { groupId?: string; limit?: number } = {}): HistoryEntry[] {
    const q = terms(query).slice(0, MAX_QUERY_TERMS);
    if (q.length === 0) return [];
    let hits: string[] | null = null;
    for (const [i, t] of q.entries()) {
      const match = new Set<string>();
      if (i === q.length - 1) {
        for (const [word, ks] of this.index) if (word.startsWith(t)) ks.forEach((k) => match.add(k));
      } else this.index.get(t)?.forEach((k) => match.add(k));
      hits = hits === null ? [...match] : hits.filter((k) => match.has(k));
    }
    const found = (hits ?? []).map((k) => this.entries.get(k)!);
    return found
      .filter((e) => o.groupId === undefined || e.groupId === o.groupId)
      .sort((a, b) => b.sentAt - a.sentAt)
      .slice(0, o.limit ?? 50);
  }

  toJSON(): HistoryEntry[] {
    return [...this.entries.values()];
  }

  static fromJSON(list: readonly HistoryEntry[]): ChatHistory {
    const h = new ChatHistory();
    for (const e of list) {
      h.add(e);
      const kept = h.entries.get(ChatHistory.key(e.groupId, e.id))!;
      kept.delivered = [...e.delivered];
      kept.read = [...e.read];
    }
    return h;
  }
}
