/**
 * Duplicate detection (RFC 5080 §2.2.2): a NAS retransmits a request, byte for byte, when the reply was
 * lost or late. Re-running it would double-count accounting and break EAP state machines, so a request
 * seen again within the window gets the cached reply bytes, or nothing while the first is still being
 * processed. Time is a parameter (milliseconds); the cache is bounded and evicts the oldest entry first.
 */

export type DedupeKey = {
  readonly clientId: string;
  readonly address: string;
  readonly port: number;
  readonly identifier: number;
  /** The Request Authenticator: a reused identifier with a new authenticator is a new request. */
  readonly authenticator: Buffer;
};

export type DedupeOutcome =
  | { readonly kind: 'new' }
  | { readonly kind: 'in-flight' }
  | { readonly kind: 'replay'; readonly reply: Buffer };

export type RadiusDedupe = {
  /** Looks the request up; a new one is recorded as in flight. */
  begin(key: DedupeKey, now: number): DedupeOutcome;
  /**
   * Records the reply for retransmissions; null forgets the request, so that a retransmission is
   * processed again (no reply was sent: the handler failed or chose to stay silent).
   */
  complete(key: DedupeKey, reply: Buffer | null, now: number): void;
  readonly size: () => number;
};

export type DedupeOptions = {
  /** How long a reply is kept; longer than a NAS's whole retry schedule (typically 3 × 5 s). */
  readonly windowMs?: number;
  readonly maxEntries?: number;
};

export const DEFAULT_DEDUPE_WINDOW_MS = 30_000;
export const DEFAULT_DEDUPE_MAX_ENTRIES = 50_000;

type Entry = { readonly expiresAt: number; readonly reply: Buffer | null };

/** NUL cannot occur in a client id we issue nor in an address, so the fields cannot run into each other. */
const keyOf = (key: DedupeKey): string =>
  [key.clientId, key.address, key.port, key.identifier, key.authenticator.toString('hex')].join('\0');

/** A Map iterates in insertion order and entries are re-inserted when touched, so the first is the oldest. */
class DedupeCache implements RadiusDedupe {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  begin(key: DedupeKey, now: number): DedupeOutcome {
    this.sweep(now);
    const id = keyOf(key);
    const entry = this.entries.get(id);
    // The sweep stops at the first live entry: with a clock that is not monotonic, check this one again.
    if (entry && entry.expiresAt > now) {
      return entry.reply === null ? { kind: 'in-flight' } : { kind: 'replay', reply: entry.reply };
    }
    this.store(id, { expiresAt: now + this.windowMs, reply: null });
    return { kind: 'new' };
  }

  complete(key: DedupeKey, reply: Buffer | null, now: number): void {
    const id = keyOf(key);
    if (reply === null) this.entries.delete(id);
    else this.store(id, { expiresAt: now + this.windowMs, reply });
  }

  readonly size = (): number => this.entries.size;

  private sweep(now: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(id);
    }
  }

  private store(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }
}

export function createRadiusDedupe(options: DedupeOptions = {}): RadiusDedupe {
  const windowMs = options.windowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_DEDUPE_MAX_ENTRIES;
  if (!(windowMs > 0) || !Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new Error('dedupe window and size must be positive');
  }
  return new DedupeCache(windowMs, maxEntries);
}
