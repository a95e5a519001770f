import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Rounds } from './rounds.js';

describe('Rounds', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits for a round to end before the next, goes on after a failure, and stops for good', async () => {
    const failures: unknown[] = [];
    let runs = 0;
    let release: () => void = () => undefined;
    const rounds = new Rounds(
      () => {
        runs++;
        if (runs === 2) return Promise.reject(new Error('probe failed'));
        return runs === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
      () => 100,
      (err) => failures.push(err),
    );
    rounds.start(0);
    await vi.advanceTimersByTimeAsync(1_000);
    // The first round has not finished: no second one started meanwhile.
    expect(runs).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(3);
    expect(failures).toEqual([new Error('probe failed')]);
    rounds.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(3);
  });
});
