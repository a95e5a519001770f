import { describe, expect, it } from 'vitest';
import { retryAfterSeconds, TokenBuckets } from './token-buckets.js';

describe('TokenBuckets (a burst that may differ from the rate)', () => {
  it('allows a burst, then refuses with the seconds until the next token', () => {
    const b = new TokenBuckets(60, 3); // one a second, bursts of 3
    expect([b.take('k', 0), b.take('k', 0), b.take('k', 0)].every((r) => r.allowed)).toBe(true);
    expect(b.take('k', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(b.take('k', 999).allowed).toBe(false);
    expect(b.take('k', 1000).allowed).toBe(true);
  });

  it('refills at its rate up to the burst, never beyond', () => {
    const b = new TokenBuckets(6, 2); // one every 10 s
    expect(b.take('k', 0).allowed && b.take('k', 0).allowed).toBe(true);
    expect(b.take('k', 0)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(b.take('k', 4_000)).toEqual({ allowed: false, retryAfterSeconds: 6 });
    expect(b.take('k', 10_000).allowed).toBe(true);
    // An hour idle refills two tokens, not 360.
    const later = 3_610_000;
    const three = [b.take('k', later), b.take('k', later), b.take('k', later)];
    expect(three.map((r) => r.allowed)).toEqual([true, true, false]);
  });

  it('allows a burst larger than a minute’s rate', () => {
    const b = new TokenBuckets(2, 5);
    for (let i = 0; i < 5; i++) expect(b.take('k', 0).allowed).toBe(true);
    expect(b.take('k', 0)).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it('ignores a clock that goes backwards', () => {
    const b = new TokenBuckets(60, 1);
    expect(b.take('k', 10_000).allowed).toBe(true);
    expect(b.take('k', 0).allowed).toBe(false);
    expect(b.take('k', 10_999).allowed).toBe(false);
    expect(b.take('k', 11_000).allowed).toBe(true);
  });

  it('keeps one budget per key', () => {
    const all = new TokenBuckets(60, 1);
    expect(all.take('a', 0).allowed).toBe(true);
    expect(all.take('a', 0).allowed).toBe(false);
    expect(all.take('b', 0).allowed).toBe(true);
  });

  it('refuses a rate or burst below one', () => {
    expect(() => new TokenBuckets(0)).toThrow(RangeError);
    expect(() => new TokenBuckets(1, 0)).toThrow(RangeError);
  });

  it('says at least a second, rounded up, until the next token', () => {
    expect(retryAfterSeconds(0, 60)).toBe(1);
    expect(retryAfterSeconds(0.5, 6)).toBe(5);
    expect(retryAfterSeconds(-2, 60)).toBe(3); // a level below zero never happens, but waits the more
    expect(retryAfterSeconds(0.999, 1)).toBe(1);
  });
});
