import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst of perMinute, then refuses with the wait until the next token', () => {
    const r = new RateLimiter(10);
    for (let i = 0; i < 10; i++) expect(r.take('alice', 0).allowed).toBe(true);
    expect(r.take('alice', 0)).toEqual({ allowed: false, retryAfterSeconds: 6 });
    expect(r.take('alice', 5_999).allowed).toBe(false);
    expect(r.take('alice', 6_000).allowed).toBe(true);
    expect(r.take('alice', 6_000).allowed).toBe(false);
  });

  it('keeps keys apart', () => {
    const r = new RateLimiter(1);
    expect(r.take('a', 0).allowed).toBe(true);
    expect(r.take('b', 0).allowed).toBe(true);
    expect(r.take('a', 0).allowed).toBe(false);
  });

  it('refills to the burst size and no further', () => {
    const r = new RateLimiter(3);
    for (let i = 0; i < 3; i++) r.take('k', 0);
    const later = 3_600_000;
    for (let i = 0; i < 3; i++) expect(r.take('k', later).allowed).toBe(true);
    expect(r.take('k', later).allowed).toBe(false);
  });

  it('peek does not consume', () => {
    const r = new RateLimiter(1);
    expect(r.peek('k', 0).allowed).toBe(true);
    expect(r.peek('k', 0).allowed).toBe(true);
    r.take('k', 0);
    expect(r.peek('k', 0).allowed).toBe(false);
  });

  it('stays within maxKeys however many keys an attacker invents', () => {
    const r = new RateLimiter(5, 1_000);
    for (let i = 0; i < 50_000; i++) r.take(`user-${i}`, i);
    expect(r.size).toBeLessThanOrEqual(1_000);
  });
});
