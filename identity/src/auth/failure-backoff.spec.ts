import { describe, expect, it } from 'vitest';
import { FailureBackoff } from './failure-backoff.js';

const HOUR = 3_600_000;
const make = (free = 3) => new FailureBackoff({ free, baseMs: 1_000, maxMs: 900_000, forgetMs: HOUR });

describe('FailureBackoff', () => {
  it('lets the free failures through, then doubles the wait with each failure up to the cap', () => {
    const b = make();
    for (let i = 0; i < 3; i++) {
      expect(b.check('k', 0).allowed).toBe(true);
      b.failed('k', 0);
    }
    // The third failure was the last free one: now the key waits.
    expect(b.check('k', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect([1, 2, 3, 4, 5, 6, 12, 13, 30, 1000].map((n) => b.delayMs(n))).toEqual([
      0, 0, 1_000, 2_000, 4_000, 8_000, 512_000, 900_000, 900_000, 900_000,
    ]);
  });

  it('refuses during the wait with the seconds left, and allows once it has passed', () => {
    const b = make(1);
    b.failed('k', 10_000);
    b.failed('k', 10_000);
    expect(b.check('k', 10_000)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(b.check('k', 11_001)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(b.check('k', 12_000).allowed).toBe(true);
  });

  it('keeps keys apart: one source guessing does not slow another', () => {
    const b = make(1);
    b.failed('alice|203.0.113.9', 0);
    expect(b.check('alice|203.0.113.9', 0).allowed).toBe(false);
    expect(b.check('alice|198.51.100.1', 0).allowed).toBe(true);
  });

  it('a success forgets the key; so does an hour without failures', () => {
    const b = make(2);
    b.failed('k', 0);
    b.failed('k', 0);
    b.succeeded('k');
    expect(b.failures('k', 0)).toBe(0);
    b.failed('k', 0);
    b.failed('k', 0);
    expect(b.failures('k', HOUR)).toBe(2);
    expect(b.failures('k', HOUR + 1)).toBe(0);
  });

  it('stays bounded, dropping the least recently failed keys', () => {
    const b = new FailureBackoff({ free: 0, baseMs: 1, maxMs: 1, forgetMs: HOUR, maxKeys: 100 });
    for (let i = 0; i < 1_000; i++) b.failed(`k${i}`, i * 10);
    expect(b.size).toBe(100);
    expect(b.failures('k999', 9_990)).toBe(1);
    expect(b.failures('k0', 9_990)).toBe(0);
  });
});
