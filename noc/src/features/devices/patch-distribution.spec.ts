import { describe, expect, it } from 'vitest';
import { barHeights } from '../../components/BarChart';
import { PATCH_MONTHS_SHOWN, patchBars } from './patch-distribution';

describe('the patch-level chart', () => {
  it('puts the months on a continuous axis, oldest first, coloured by how far behind they are', () => {
    const bars = patchBars([
      { patchMonth: '2026-12', count: 40 },
      { patchMonth: '2026-09', count: 3 },
      { patchMonth: '2026-11', count: 7 },
      { patchMonth: null, count: 2 },
    ]);
    expect(bars.map((b) => [b.label, b.short, b.value, b.tone])).toEqual([
      ['2026-09', '26-09', 3, 'bad'],
      ['2026-10', '26-10', 0, 'warn'],
      ['2026-11', '26-11', 7, 'warn'],
      ['2026-12', '26-12', 40, 'good'],
      ['unknown', 'unknown', 2, 'neutral'],
    ]);
  });

  it('sums the months before the axis into one bar, across a year boundary', () => {
    const bars = patchBars([
      { patchMonth: '2027-02', count: 5 },
      { patchMonth: '2024-06', count: 1 },
      { patchMonth: '2025-01', count: 2 },
    ]);
    expect(bars).toHaveLength(PATCH_MONTHS_SHOWN + 1);
    expect(bars[0]).toMatchObject({ key: 'older', label: 'before 2026-03', value: 3, tone: 'bad' });
    expect(bars[1]?.label).toBe('2026-03');
    expect(bars.at(-1)).toMatchObject({ label: '2027-02', value: 5, tone: 'good' });
  });

  it('draws nothing for an empty fleet and keeps a small count visible', () => {
    expect(patchBars([])).toEqual([]);
    expect(barHeights([1000, 1, 0], 100)).toEqual([100, 2, 0]);
    expect(barHeights([0, 0], 100)).toEqual([0, 0]);
  });
});
