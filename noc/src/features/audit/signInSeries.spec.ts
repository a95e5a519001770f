import { describe, expect, it } from 'vitest';
import { signInSeries } from './signInSeries';

describe('signInSeries', () => {
  it('spans every bucket of the period with zeros where nothing happened', () => {
    const { times, series } = signInSeries(
      {
        bucketSeconds: 300,
        since: '2026-01-01T00:00:00.000Z',
        scope: 'node',
        buckets: [
          { at: '2026-01-01T00:05:00.000Z', factor: 'pwd', succeeded: 2, failed: 1 },
          { at: '2026-01-01T00:10:00.000Z', factor: 'otp', succeeded: 0, failed: 3 },
        ],
      },
      Date.parse('2026-01-01T00:14:59Z'),
    );
    const t0 = Date.parse('2026-01-01T00:00:00Z') / 1000;
    expect(times).toEqual([t0, t0 + 300, t0 + 600]);
    expect(series).toEqual([
      { label: 'one-time code succeeded', values: [0, 0, 0] },
      { label: 'one-time code failed', values: [0, 0, 3] },
      { label: 'password succeeded', values: [0, 2, 0] },
      { label: 'password failed', values: [0, 1, 0] },
    ]);
  });
});
