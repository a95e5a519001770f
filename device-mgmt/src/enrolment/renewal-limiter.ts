/**
 * Certificate renewals per device (pure; time is a parameter): at most `limit` attempts in any `windowMs`.
 * A handset renews about once per certificate lifetime and retries a few times after a dropped reply; more
 * than that is a broken or hostile agent making the CA sign (and the attestation worker verify) in a loop.
 * Memory is bounded: at most `maxKeys` devices are remembered, the least recently seen goes first.
 */
export type RenewalDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export class RenewalLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be ≥ 1');
    if (!(windowMs > 0)) throw new RangeError('windowMs must be > 0');
  }

  /** Counts one attempt of `key` at `now` (ms), unless the window is full. */
  take(key: string, now: number): RenewalDecision {
    const recent = (this.attempts.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.attempts.delete(key);
    if (recent.length >= this.limit) {
      this.attempts.set(key, recent);
      const oldest = recent[0] ?? now;
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000)),
      };
    }
    recent.push(now);
    this.attempts.set(key, recent);
    if (this.attempts.size > this.maxKeys) {
      const first = this.attempts.keys().next();
      if (!first.done) this.attempts.delete(first.value);
    }
    return { allowed: true };
  }

  get size(): number {
    return this.attempts.size;
  }
}
