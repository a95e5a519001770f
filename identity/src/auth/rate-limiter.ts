/**
 * Token buckets per key (pure; time is a parameter): `perMinute` attempts refill evenly over a minute, with
 * a burst of the same size. Memory is bounded: full buckets carry no information and are dropped, and past
 * `maxKeys` the oldest key goes first.
 */
export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

type Bucket = { tokens: number; at: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 100_000,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError('perMinute must be ≥ 1');
    this.refillPerMs = perMinute / 60_000;
  }

  /** Takes one token for `key` at `now` (ms). */
  take(key: string, now: number): RateDecision {
    const bucket = this.refilled(key, now);
    if (bucket.tokens < 1) {
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000)),
      };
    }
    bucket.tokens -= 1;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.evict(now);
    return { allowed: true };
  }

  /** Whether `key` could take a token now, without taking it. */
  peek(key: string, now: number): RateDecision {
    const bucket = this.refilled(key, now);
    return bucket.tokens >= 1
      ? { allowed: true }
      : {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000)),
        };
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    b.tokens = Math.min(this.perMinute, b.tokens + Math.max(0, now - b.at) * this.refillPerMs);
    b.at = now;
    return b;
  }

  private evict(now: number): void {
    for (const [key, b] of this.buckets) {
      if (this.buckets.size <= this.maxKeys) return;
      if (b.tokens + (now - b.at) * this.refillPerMs >= this.perMinute || this.buckets.size > this.maxKeys)
        this.buckets.delete(key);
    }
  }
}
