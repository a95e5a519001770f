import { describe, expect, it } from 'vitest';
import { estimateOpen5gsMemory, memoryEstimateLine } from './memory-estimate.js';
import { maxUeFor } from './render-common.js';

describe('estimateOpen5gsMemory', () => {
  it('grows with max.ue, the SMF, UPF and SGWs most', () => {
    const low = estimateOpen5gsMemory(1024);
    const high = estimateOpen5gsMemory(maxUeFor(10_000));
    expect(high.maxUe).toBe(12288);
    expect(high.totalMb).toBeGreaterThan(3 * low.totalMb);
    const biggest = Object.entries(high.perNfMb)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 4)
      .map(([nf]) => nf)
      .sort();
    expect(biggest).toEqual(['sgwc', 'sgwu', 'smf', 'upf']);
  });

  it('extrapolates linearly above the measured range and never goes below half the smallest measurement', () => {
    const a = estimateOpen5gsMemory(12288).perNfMb.smf;
    const b = estimateOpen5gsMemory(24576).perNfMb.smf;
    const c = estimateOpen5gsMemory(36864).perNfMb.smf;
    expect(Math.abs(c - b - (b - a))).toBeLessThanOrEqual(1);
    expect(estimateOpen5gsMemory(1).perNfMb.smf).toBeGreaterThan(0);
  });

  it('says it in one line for open5gs render', () => {
    expect(memoryEstimateLine(12288)).toMatch(
      /^max\.ue 12288 → about [\d,]+ MB of memory across the 12 NFs that run without MongoDB \(/,
    );
  });
});
