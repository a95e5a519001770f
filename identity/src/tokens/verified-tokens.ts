import type { VerifiedAccessToken } from './access-token.js';

/**
 * Access tokens whose signature and claims were already checked, so a client that sends the same token on
 * every request (all of them) costs one ECDSA verification per token, not per request. Only tokens that
 * verified are stored — nobody can fill it without our signing key — and an entry is used only before the
 * token's `exp`. Session liveness is still checked on every request by the caller. Bounded: oldest first.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedAccessToken>();

  constructor(private readonly maxEntries = 20_000) {}

  get(token: string, nowSeconds: number): VerifiedAccessToken | undefined {
    const v = this.entries.get(token);
    if (v && v.exp > nowSeconds) return v;
    if (v) this.entries.delete(token);
    return undefined;
  }

  put(token: string, verified: VerifiedAccessToken): void {
    this.entries.set(token, verified);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
