import { lazy, Suspense } from 'react';
import type { ChartProps } from './TimeSeriesChart';

export type { ChartProps, ChartSeries } from './TimeSeriesChart';

// uPlot is loaded with the first chart, not with the NOC's first page.
const TimeSeriesChart = lazy(() => import('./TimeSeriesChart').then((m) => ({ default: m.TimeSeriesChart })));

/** A time-series chart (see TimeSeriesChart), loaded on demand. */
export function Chart(props: ChartProps) {
  return (
    <Suspense fallback={<p className="muted small">Loading chart…</p>}>
      <TimeSeriesChart {...props} />
    </Suspense>
  );
}
