import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from './mqtt-reconnect.js';

describe('fullJitterDelay', () => {
  const opts = { baseMs: 500, capMs: 60_000 };
  it('draws in [0, min(cap, base·2^attempt))', () => {
    expect(fullJitterDelay(0, opts, () => 0.999)).toBe(499);
    expect(fullJitterDelay(3, opts, () => 0.5)).toBe(2_000);
    expect(fullJitterDelay(20, opts, () => 0.999)).toBe(59_940);
    expect(fullJitterDelay(5, opts, () => 0)).toBe(0);
  });

  it('stays capped for absurd attempt counts', () => {
    expect(fullJitterDelay(10_000, opts, () => 0.5)).toBe(30_000);
  });
});
