import type { Principal } from '@pakawaaz/platform';

/**
 * What verifying an API token resolved: the principal with its effective roles (token roles ∩ its owner's
 * current roles), or null when the token is refused (owner disabled or gone, a parent token revoked, no
 * role left in common) — and what that depends on, so that a change to any of it forgets the entry.
 */
/** The principal an API token resolves to, but its scope: that is looked up on each call (the tree changes). */
export type ApiTokenPrincipal = Omit<Principal, 'scope'>;

export type ApiTokenResolution = {
  readonly tokenId: string;
  readonly principal: ApiTokenPrincipal | null;
  /** The owner and every token in the chain that created this one. */
  readonly dependsOn: readonly string[];
  readonly expiresAt: number | null;
};

type Entry = ApiTokenResolution & { loadedAt: number; lastUseWrittenAt: number };

/**
 * Per-node memory of verified API tokens, keyed by the presented secret, so that a busy automation token
 * costs a map lookup per request, not a database round trip. Only tokens found in the database are kept
 * (nobody can fill it with guesses). An entry is forgotten when its owner or a token it depends on changes
 * (identity.user.* and identity.api-token.revoked events, on every node), and re-read at most `recheckMs`
 * after it was loaded — the bound on staleness should an event be lost. Bounded: oldest first.
 */
export class ApiTokenMemory {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly recheckMs = 60_000,
    private readonly maxEntries = 20_000,
  ) {}

  get(secret: string, now: number): ApiTokenResolution | undefined {
    const e = this.entries.get(secret);
    if (!e) return undefined;
    if (now - e.loadedAt > this.recheckMs || (e.expiresAt !== null && e.expiresAt <= now)) {
      this.entries.delete(secret);
      return undefined;
    }
    return e;
  }

  put(secret: string, r: ApiTokenResolution, now: number, lastUseWrittenAt: number): void {
    this.entries.delete(secret);
    this.entries.set(secret, { ...r, loadedAt: now, lastUseWrittenAt });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /**
   * Whether the token's last use should be written now (at most once per `everyMs` per token and node);
   * marks it written.
   */
  dueForTouch(secret: string, now: number, everyMs: number): boolean {
    const e = this.entries.get(secret);
    if (!e || now - e.lastUseWrittenAt < everyMs) return false;
    e.lastUseWrittenAt = now;
    return true;
  }

  /** Forgets every entry that depends on this user or token id. */
  forget(id: string): void {
    for (const [secret, e] of this.entries) if (e.dependsOn.includes(id)) this.entries.delete(secret);
  }

  get size(): number {
    return this.entries.size;
  }
}
