import { describe, expect, it } from 'vitest';
import { BotBudget, BotBudgets } from './bot-budget.js';

describe('a bot’s send budget (token bucket)', () => {
  it('allows a burst, then refuses with the seconds until the next token', () => {
    const b = new BotBudget(60, 3, 0); // one a second, bursts of 3
    expect([b.take(0), b.take(0), b.take(0)].every((r) => r.ok)).toBe(true);
    expect(b.take(0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(b.take(999).ok).toBe(false);
    expect(b.take(1000).ok).toBe(true);
  });

  it('refills at its rate up to the burst, never beyond', () => {
    const b = new BotBudget(6, 2, 0); // one every 10 s
    expect(b.take(0).ok && b.take(0).ok).toBe(true);
    expect(b.take(0)).toEqual({ ok: false, retryAfterSeconds: 10 });
    expect(b.take(4_000)).toEqual({ ok: false, retryAfterSeconds: 6 });
    expect(b.take(10_000).ok).toBe(true);
    // An hour idle refills two tokens, not 360.
    const later = 3_610_000;
    expect([b.take(later), b.take(later), b.take(later)].map((r) => r.ok)).toEqual([true, true, false]);
  });

  it('ignores a clock that goes backwards', () => {
    const b = new BotBudget(60, 1, 10_000);
    expect(b.take(10_000).ok).toBe(true);
    expect(b.take(0).ok).toBe(false);
    expect(b.take(11_000).ok).toBe(true);
  });

  it('keeps one budget per bot', () => {
    const all = new BotBudgets(60, 1);
    expect(all.take('a', 0).ok).toBe(true);
    expect(all.take('a', 0).ok).toBe(false);
    expect(all.take('b', 0).ok).toBe(true);
  });
});
