import { describe, expect, it } from 'vitest';
import { takeRenewal, type RenewalDecision } from './renewal-limiter.js';

const MIN = 60_000;

/** Replays attempts of one device through takeRenewal, as the repository does with the kept times. */
function limiter(limit: number, windowMs: number) {
  let kept: number[] = [];
  return (now: number): RenewalDecision => {
    const r = takeRenewal(kept, now, { limit, windowMs });
    kept = r.keep;
    expect(kept.length).toBeLessThanOrEqual(limit);
    return r.decision;
  };
}

describe('takeRenewal', () => {
  it('allows `limit` attempts in the window, then refuses with the seconds until the oldest leaves it', () => {
    const take = limiter(3, 60 * MIN);
    expect(take(0)).toEqual({ allowed: true });
    expect(take(10 * MIN)).toEqual({ allowed: true });
    expect(take(20 * MIN)).toEqual({ allowed: true });
    expect(take(30 * MIN)).toEqual({ allowed: false, retryAfterSeconds: 30 * 60 });
    // A refused attempt does not count: once the first leaves the window, one more is allowed.
    expect(take(60 * MIN + 1)).toEqual({ allowed: true });
    expect(take(60 * MIN + 2)).toEqual({ allowed: false, retryAfterSeconds: 600 });
  });

  it('never answers a Retry-After below one second', () => {
    const take = limiter(1, MIN);
    take(0);
    expect(take(MIN - 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('counts times ahead of now (a node whose clock runs ahead) and keeps at most `limit` times', () => {
    const ahead = 5 * MIN;
    const r = takeRenewal([ahead, 1, 2], 3, { limit: 2, windowMs: 10 * MIN });
    expect(r.decision).toEqual({ allowed: false, retryAfterSeconds: 600 });
    expect(r.keep).toEqual([2, ahead]);
    // Alternating between a node behind and one ahead does not get past the limit.
    const behind = takeRenewal([ahead], 0, { limit: 1, windowMs: 10 * MIN });
    expect(behind.decision.allowed).toBe(false);
  });

  it('refuses nonsense limits', () => {
    expect(() => takeRenewal([], 0, { limit: 0, windowMs: MIN })).toThrow(RangeError);
    expect(() => takeRenewal([], 0, { limit: 1, windowMs: 0 })).toThrow(RangeError);
  });
});
