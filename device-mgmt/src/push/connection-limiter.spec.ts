import { describe, expect, it } from 'vitest';
import { ConnectionLimiter, sourceKey } from './connection-limiter.js';

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

describe('ConnectionLimiter: the global budget', () => {
  it('never holds more than its burst, however long the broker was idle', () => {
    let t = 0;
    const l = new ConnectionLimiter({ ...limits, perAddressBurst: 100 }, () => t);
    t = 3_600_000; // an hour of quiet
    expect(l.budget()).toBe(5);
    const verdicts = Array.from({ length: 6 }, (_, i) => l.take(`10.1.0.${i}`));
    expect(verdicts.filter((v) => v === 'accept')).toHaveLength(5);
  });

  it('lets exactly burst + rate·t through a storm from 10,000 addresses in t seconds', () => {
    let t = 0;
    const l = new ConnectionLimiter(
      { globalPerSecond: 100, globalBurst: 50, perAddressPerSecond: 1, perAddressBurst: 1 },
      () => t,
    );
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) {
      t = i; // one attempt per millisecond, each from a new address, for 10 s
      if (l.take(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`) === 'accept') accepted++;
    }
    // 50 at once, then 100 per second over the 9.999 s that followed (±1 for floating point).
    expect(Math.abs(accepted - (50 + 9.999 * 100))).toBeLessThanOrEqual(1);
  });
});

describe('ConnectionLimiter: sources', () => {
  it('counts every address of one IPv6 /64 against one bucket, however it is written', () => {
    const l = new ConnectionLimiter({ ...limits, globalBurst: 100 }, () => 0);
    expect(l.take('2001:db8:aa:1::1')).toBe('accept');
    expect(l.take('2001:0db8:00aa:0001:ffff:ffff:ffff:fffe')).toBe('accept');
    expect(l.take('2001:db8:aa:1:1234::')).toBe('address');
    expect(l.take('2001:db8:aa:2::1')).toBe('accept'); // the next /64 is another subscriber
    expect(l.tracked()).toBe(2);
  });

  it('keeps IPv4 addresses apart, also when a dual-stack listener sees them IPv4-mapped', () => {
    const l = new ConnectionLimiter({ ...limits, globalBurst: 100 }, () => 0);
    expect([l.take('::ffff:192.0.2.1'), l.take('192.0.2.1'), l.take('::FFFF:192.0.2.1')]).toEqual([
      'accept',
      'accept',
      'address',
    ]);
    expect(l.take('::ffff:192.0.2.2')).toBe('accept');
  });

  it('names the source of an address', () => {
    expect(sourceKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceKey('2001:DB8:0:0:1::')).toBe('2001:db8:0:0::/64');
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
    expect(sourceKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceKey('64:ff9b::198.51.100.7')).toBe('64:ff9b:0:0::/64');
    expect(sourceKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(sourceKey('198.51.100.7')).toBe('198.51.100.7');
    expect(sourceKey('')).toBe('');
  });

  it('stays bounded when every source is busy, dropping the oldest in one batch', () => {
    const l = new ConnectionLimiter(
      { globalPerSecond: 1, globalBurst: 1e9, perAddressPerSecond: 0.001, perAddressBurst: 2 },
      () => 0,
    );
    for (let i = 0; i < 100_000; i++) l.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(l.tracked()).toBe(100_000);
    l.take('192.0.2.1');
    expect(l.tracked()).toBe(90_001);
    // The oldest source was forgotten (starts full again); a recent one still has its bucket.
    expect([l.take('10.0.0.0'), l.take('10.0.0.0')]).toEqual(['accept', 'accept']);
    expect([l.take('10.1.134.159'), l.take('10.1.134.159')]).toEqual(['accept', 'address']);
  });
});
