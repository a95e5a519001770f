import { describe, expect, it } from 'vitest';
import { createRng } from './prng.js';
import { DEFAULT_SIM_WORLD, SimWorld } from './sim-world.js';

const world = (overrides: Partial<typeof DEFAULT_SIM_WORLD> = {}) =>
  new SimWorld({ ...DEFAULT_SIM_WORLD, ...overrides, upfs: ['upf-a', 'upf-b'] });

describe('SimWorld', () => {
  it('only ever grows its counters, and keeps the population near its size', () => {
    const w = world();
    let last = { ...w.counters, n3In: { ...w.counters.n3In } };
    for (let step = 60; step <= 3600; step += 60) {
      w.advanceTo(step);
      expect(w.counters.regInitReq).toBeGreaterThanOrEqual(last.regInitReq);
      expect(w.counters.regInitSucc).toBeLessThanOrEqual(w.counters.regInitReq);
      expect(w.counters.n3In['upf-a']).toBeGreaterThanOrEqual(last.n3In['upf-a'] ?? 0);
      last = { ...w.counters, n3In: { ...w.counters.n3In } };
    }
    expect(w.registered).toBeGreaterThan(170);
    expect(w.registered).toBeLessThanOrEqual(200);
    expect(w.sessions).toBeGreaterThan(w.registered * 0.9);
  });

  it('loses registered UEs when registrations keep failing', () => {
    const w = world();
    w.registrationFailureRate = 1;
    w.advanceTo(3600);
    expect(w.registered).toBeLessThan(100);
  });

  it('stops registrations and connections without a radio node', () => {
    const w = world({ enbs: 0 });
    w.setRanCount('gnb', 0);
    const before = w.counters.regInitReq;
    w.advanceTo(600);
    expect(w.counters.regInitReq).toBe(before);
    expect(w.connectedUes()).toBe(0);
    expect(w.gnbUp).toEqual([false, false, false]);
  });

  it('bounds the steps run at once, so a clock jump cannot stall a request', () => {
    const w = world();
    w.advanceTo(10_000_000, 1_000);
    expect(w.step).toBe(10_000_000);
    expect(w.counters.regInitReq).toBeLessThan(5_000);
  });
});

describe('createRng', () => {
  it('repeats for a seed and stays in range', () => {
    const a = createRng(9);
    const b = createRng(9);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws Poisson and binomial counts with the right means', () => {
    const r = createRng(1);
    const mean = (f: () => number) => Array.from({ length: 4000 }, f).reduce((s, x) => s + x, 0) / 4000;
    expect(mean(() => r.poisson(3))).toBeCloseTo(3, 0);
    expect(mean(() => r.poisson(200))).toBeCloseTo(200, -1);
    expect(mean(() => r.binomial(20, 0.25))).toBeCloseTo(5, 0);
    expect(mean(() => r.binomial(1000, 0.1))).toBeCloseTo(100, -1);
  });
});
