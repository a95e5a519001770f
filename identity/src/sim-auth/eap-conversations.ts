import { randomBytes } from 'node:crypto';

/**
 * EAP conversations in flight (RADIUS State, or the HTTPS SIM factor's conversation id): in memory, each
 * living `ttlMs` after its last message, at most `maxEntries` at once (the oldest go first). A conversation
 * is continued on the node that started it — NAS clients keep sending to one server, and the HTTPS factor
 * finishes in seconds.
 */
export class EapConversations<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 50_000,
    private readonly random: (n: number) => Buffer = randomBytes,
  ) {}

  create(value: T, now: number): string {
    const id = this.random(16).toString('base64url');
    this.put(id, value, now);
    return id;
  }

  /** Takes the conversation out; the caller puts it back if it goes on. */
  take(id: string, now: number): T | undefined {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    return entry && entry.expires > now ? entry.value : undefined;
  }

  put(id: string, value: T, now: number): void {
    this.entries.delete(id);
    this.entries.set(id, { value, expires: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    if (this.entries.size % 1024 === 0) this.sweep(now);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    for (const [id, e] of this.entries) if (e.expires <= now) this.entries.delete(id);
  }
}
