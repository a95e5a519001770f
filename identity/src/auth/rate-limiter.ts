import { TokenBuckets } from '@pakawaaz/platform';

export type { RateDecision } from '@pakawaaz/platform';

/**
 * Token buckets per key (pure; time is a parameter): `perMinute` attempts refill evenly over a minute, with
 * a burst of the same size. Memory is bounded: full buckets carry no information and are dropped, and past
 * `maxKeys` the oldest key goes first (the platform's TokenBuckets).
 */
export class RateLimiter extends TokenBuckets {
  constructor(perMinute: number, maxKeys = 100_000) {
    super(perMinute, perMinute, maxKeys);
  }
}
