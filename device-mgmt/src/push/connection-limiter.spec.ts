import { describe, expect, it } from 'vitest';
import { ConnectionLimiter } from './connection-limiter.js';

const limits = { globalPerSecond: 10, globalBurst: 5, perAddressPerSecond: 1, perAddressBurst: 2 };

describe('ConnectionLimiter', () => {
  it('lets a burst through per address, then refuses until tokens come back', () => {
    let t = 0;
    const l = new ConnectionLimiter(limits, () => t);
    expect([l.take('a'), l.take('a'), l.take('a')]).toEqual(['accept', 'accept', 'address']);
    t = 999;
    expect(l.take('a')).toBe('address');
    t = 1000;
    expect(l.take('a')).toBe('accept');
  });

  it('refuses beyond the global bucket even when every address is new', () => {
    let t = 0;
    const l = new ConnectionLimiter(limits, () => t);
    const verdicts = Array.from({ length: 7 }, (_, i) => l.take(`10.0.0.${i}`));
    expect(verdicts).toEqual(['accept', 'accept', 'accept', 'accept', 'accept', 'global', 'global']);
    t = 100; // 10 per second: one token after 100 ms
    expect(l.take('10.0.1.1')).toBe('accept');
    expect(l.take('10.0.1.2')).toBe('global');
  });

  it('does not charge the global bucket for a refused address', () => {
    const l = new ConnectionLimiter({ ...limits, globalBurst: 3 }, () => 0);
    l.take('a');
    l.take('a');
    expect(l.take('a')).toBe('address');
    expect(l.take('b')).toBe('accept');
    expect(l.take('c')).toBe('global');
  });
});
