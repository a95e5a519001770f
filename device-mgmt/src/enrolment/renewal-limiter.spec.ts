import { describe, expect, it } from 'vitest';
import { RenewalLimiter } from './renewal-limiter.js';

const MIN = 60_000;

describe('RenewalLimiter', () => {
  it('allows `limit` attempts in the window, then refuses with the seconds until the oldest leaves it', () => {
    const l = new RenewalLimiter(3, 60 * MIN);
    expect(l.take('d1', 0)).toEqual({ allowed: true });
    expect(l.take('d1', 10 * MIN)).toEqual({ allowed: true });
    expect(l.take('d1', 20 * MIN)).toEqual({ allowed: true });
    expect(l.take('d1', 30 * MIN)).toEqual({ allowed: false, retryAfterSeconds: 30 * 60 });
    // A refused attempt does not count: once the first leaves the window, one more is allowed.
    expect(l.take('d1', 60 * MIN + 1)).toEqual({ allowed: true });
    expect(l.take('d1', 60 * MIN + 2)).toEqual({ allowed: false, retryAfterSeconds: 600 });
  });

  it('counts each device on its own', () => {
    const l = new RenewalLimiter(1, MIN);
    expect(l.take('d1', 0).allowed).toBe(true);
    expect(l.take('d1', 1).allowed).toBe(false);
    expect(l.take('d2', 1).allowed).toBe(true);
  });

  it('never answers a Retry-After below one second', () => {
    const l = new RenewalLimiter(1, MIN);
    l.take('d1', 0);
    expect(l.take('d1', MIN - 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('remembers at most maxKeys devices, forgetting the least recently seen', () => {
    const l = new RenewalLimiter(1, MIN, 2);
    l.take('a', 0);
    l.take('b', 1);
    l.take('c', 2);
    expect(l.size).toBe(2);
    expect(l.take('a', 3).allowed).toBe(true); // forgotten
    expect(l.take('c', 3).allowed).toBe(false);
  });

  it('refuses nonsense limits', () => {
    expect(() => new RenewalLimiter(0, MIN)).toThrow(RangeError);
    expect(() => new RenewalLimiter(1, 0)).toThrow(RangeError);
  });
});
