import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line: a label and a value per time (null: no sample then). */
export type ChartSeries = { label: string; values: readonly (number | null)[] };

export type ChartProps = {
  /** Accessible name and caption, e.g. "Registration success". */
  title: string;
  /** Sample times, seconds since the epoch, ascending. */
  times: readonly number[];
  series: readonly ChartSeries[];
  /** Formats a value for the axis and the legend (percent, packets/s, counts). */
  format?: (value: number) => string;
  height?: number;
  /** Fixed y range, e.g. [0, 1] for a ratio. */
  yRange?: [number, number];
  /** Shown instead of the chart while there are no samples. */
  empty?: string;
};

const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

const plain = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/**
 * A time-series line chart (uPlot: canvas, ~50 KB, no dependencies). The plot is created once per set of
 * series and fed new data on each poll; it follows its container's width. The latest values are also given
 * as text, since a canvas says nothing to a screen reader.
 */
export function TimeSeriesChart({
  title,
  times,
  series,
  format = plain,
  height = 180,
  yRange,
  empty = 'No samples yet.',
}: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = series.map((s) => s.label).join('\u0000');
  const data = useMemo(
    () =>
      [Float64Array.from(times), ...series.map((s) => s.values.map((v) => v ?? null))] as uPlot.AlignedData,
    [times, series],
  );
  const formatRef = useRef(format);
  formatRef.current = format;

  useEffect(() => {
    const el = box.current;
    if (!el || times.length === 0) return;
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatRef.current(v)),
        })),
      ],
      scales: { x: { time: true }, ...(yRange ? { y: { range: yRange } } : {}) },
      axes: [{}, { values: (_u, ticks) => ticks.map((t) => formatRef.current(t)), size: 60 }],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    };
    const chart = new uPlot(options, data, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Re-created only when the lines change (or appear); new samples go through setData below.
  }, [labels, height, yRange?.[0], yRange?.[1], times.length === 0]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const latest = series.map((s) => {
    const last = [...s.values].reverse().find((v) => v !== null);
    return `${s.label}: ${last === undefined || last === null ? '—' : format(last)}`;
  });

  return (
    <figure className="chart" aria-label={title}>
      <figcaption className="chart-title">{title}</figcaption>
      {times.length === 0 ? <p className="muted small">{empty}</p> : <div ref={box} aria-hidden="true" />}
      {times.length > 0 ? <p className="visually-hidden">Latest: {latest.join('; ')}</p> : null}
    </figure>
  );
}
