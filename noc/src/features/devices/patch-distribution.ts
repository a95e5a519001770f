import type { Bar } from '../../components/BarChart';

/** Months shown on the chart's time axis; handsets on older patches are summed into one "older" bar. */
export const PATCH_MONTHS_SHOWN = 12;

type PatchCount = { patchMonth: string | null; count: number };

const isMonth = (m: string | null): m is string => m !== null && /^\d{4}-(0[1-9]|1[0-2])$/.test(m);
const monthIndex = (m: string): number => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
const monthOf = (i: number): string => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;

/**
 * The patch-level chart's bars, oldest to newest on a continuous month axis (a month no handset is on shows
 * an empty bar, so gaps are visible): the newest month is `good`, one or two months behind `warn`, three or
 * more `bad`; months before the axis are summed into "older", handsets whose patch is not known into "unknown".
 */
export function patchBars(counts: readonly PatchCount[]): Bar[] {
  const known = counts.flatMap((c) =>
    isMonth(c.patchMonth) ? [{ patchMonth: c.patchMonth, count: c.count }] : [],
  );
  const unknown = counts.filter((c) => !isMonth(c.patchMonth)).reduce((n, c) => n + c.count, 0);
  const bars: Bar[] = [];
  if (known.length > 0) {
    const newest = Math.max(...known.map((c) => monthIndex(c.patchMonth)));
    const oldest = Math.min(...known.map((c) => monthIndex(c.patchMonth)));
    const first = Math.max(oldest, newest - PATCH_MONTHS_SHOWN + 1);
    const at = new Map<number, number>();
    for (const c of known)
      at.set(monthIndex(c.patchMonth), (at.get(monthIndex(c.patchMonth)) ?? 0) + c.count);
    const older = [...at].filter(([i]) => i < first).reduce((n, [, v]) => n + v, 0);
    if (older > 0)
      bars.push({
        key: 'older',
        label: `before ${monthOf(first)}`,
        short: 'older',
        value: older,
        tone: 'bad',
      });
    for (let i = first; i <= newest; i++) {
      const behind = newest - i;
      bars.push({
        key: monthOf(i),
        label: monthOf(i),
        short: monthOf(i).slice(2),
        value: at.get(i) ?? 0,
        tone: behind === 0 ? 'good' : behind <= 2 ? 'warn' : 'bad',
      });
    }
  }
  if (unknown > 0)
    bars.push({ key: 'unknown', label: 'unknown', short: 'unknown', value: unknown, tone: 'neutral' });
  return bars;
}
