import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from './concurrency-limit.js';

describe('concurrencyLimit', () => {
  it('never runs more than max at once, runs all in arrival order, and survives failures', async () => {
    const limit = concurrencyLimit(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 6 }, () => {
      let resolve = () => {};
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    });
    const tasks = gates.map((gate, i) =>
      limit(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await gate.promise;
        running--;
        if (i === 1) throw new Error('task 1 fails');
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    for (const gate of gates) gate.resolve();
    const results = await Promise.allSettled(tasks);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
  });
  it('refuses a nonsensical bound', () => {
    expect(() => concurrencyLimit(0)).toThrow(RangeError);
  });
});
