/**
 * Token buckets per key (pure; time is a parameter): `perMinute` tokens refill evenly over a minute, up to
 * `burst` (by default as many as a minute's). Memory is bounded: full buckets carry no information and are
 * dropped, and past `maxKeys` the oldest key goes first. A clock that goes backwards refills nothing.
 */
export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

type Bucket = { tokens: number; at: number };

/** Seconds until a bucket holding `tokens` (< 1) has one, at `perMinute` a minute: at least 1, for `Retry-After`. */
export function retryAfterSeconds(tokens: number, perMinute: number): number {
  return Math.max(1, Math.ceil((Math.max(0, 1 - tokens) * 60) / perMinute));
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    readonly perMinute: number,
    readonly burst = perMinute,
    private readonly maxKeys = 100_000,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError('perMinute must be ≥ 1');
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError('burst must be ≥ 1');
    this.refillPerMs = perMinute / 60_000;
  }

  /** Takes one token for `key` at `now` (ms). */
  take(key: string, now: number): RateDecision {
    const bucket = this.refilled(key, now);
    if (bucket.tokens < 1)
      return { allowed: false, retryAfterSeconds: retryAfterSeconds(bucket.tokens, this.perMinute) };
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
      : { allowed: false, retryAfterSeconds: retryAfterSeconds(bucket.tokens, this.perMinute) };
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + Math.max(0, now - b.at) * this.refillPerMs);
    b.at = Math.max(now, b.at);
    return b;
  }

  private evict(now: number): void {
    for (const [key, b] of this.buckets) {
      if (this.buckets.size <= this.maxKeys) return;
      if (
        b.tokens + Math.max(0, now - b.at) * this.refillPerMs >= this.burst ||
        this.buckets.size > this.maxKeys
      )
        this.buckets.delete(key);
    }
  }
}
