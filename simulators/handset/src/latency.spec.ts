import { describe, expect, it } from 'vitest';
import { LatencyWindow } from './latency.js';

describe('LatencyWindow', () => {
  it('gives nearest-rank percentiles of the samples it holds', () => {
    const w = new LatencyWindow(1000);
    for (let i = 1; i <= 100; i++) w.add(i);
    expect(w.percentile(99)).toBe(99);
    expect(w.percentile(50)).toBe(50);
    expect(w.percentile(100)).toBe(100);
  });

  it('keeps only the newest samples once full, and has no percentile when empty', () => {
    const w = new LatencyWindow(3);
    expect(w.percentile(99)).toBeNull();
    [500, 1, 2, 3].forEach((ms) => w.add(ms));
    expect(w.count).toBe(3);
    expect(w.percentile(100)).toBe(3);
  });
});
