import { describe, expect, it } from 'vitest';
import { alignSamples } from './series';

describe('alignSamples', () => {
  it('puts every NF on one time axis, oldest first, with gaps where an NF had no sample', () => {
    const { times, series } = alignSamples(
      [
        { nf: 'amf-2', kpi: 'registration_success_ratio', value: 0.5, at: '2026-01-01T00:00:10Z' },
        { nf: 'amf-1', kpi: 'registration_success_ratio', value: 1, at: '2026-01-01T00:00:10Z' },
        { nf: 'amf-1', kpi: 'registration_success_ratio', value: 0.9, at: '2026-01-01T00:00:05Z' },
      ],
      (nf) => nf,
    );
    expect(times).toEqual([
      Date.parse('2026-01-01T00:00:05Z') / 1000,
      Date.parse('2026-01-01T00:00:10Z') / 1000,
    ]);
    expect(series).toEqual([
      { label: 'amf-1', values: [0.9, 1] },
      { label: 'amf-2', values: [null, 0.5] },
    ]);
  });

  it('gives nothing to draw without samples', () => {
    expect(alignSamples([], (nf) => nf)).toEqual({ times: [], series: [] });
  });
});
