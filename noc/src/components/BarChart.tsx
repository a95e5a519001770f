import { formatCount } from '../format';

/** `label`: the full name (title, accessible name); `short`: what fits under the bar. */
export type Bar = {
  key: string;
  label: string;
  short: string;
  value: number;
  tone: 'good' | 'warn' | 'bad' | 'neutral';
};

const HEIGHT = 140;
const BAR = 34;
const GAP = 8;
const LABEL = 34;

/** Bar heights in the chart's units: proportional to the largest value; a non-zero value stays visible. */
export function barHeights(values: readonly number[], height: number): number[] {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 || v <= 0 ? 0 : Math.max(2, Math.round((v / max) * height))));
}

/**
 * A small column chart in SVG (no chart library: a handful of bars does not need one). Each bar has its count
 * above and its label below; the figures are also in the accessible name of each bar and in a caption table
 * for screen readers.
 */
export function BarChart({ bars, title, unit }: { bars: readonly Bar[]; title: string; unit: string }) {
  const heights = barHeights(
    bars.map((b) => b.value),
    HEIGHT - 18,
  );
  const width = bars.length * (BAR + GAP) + GAP;
  return (
    <figure className="bar-chart">
      <figcaption className="table-caption">{title}</figcaption>
      <svg
        role="img"
        aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.value} ${unit}`).join(', ')}`}
        viewBox={`0 0 ${width} ${HEIGHT + LABEL}`}
        width={width}
        height={HEIGHT + LABEL}
      >
        <line x1={0} x2={width} y1={HEIGHT} y2={HEIGHT} className="bar-axis" />
        {bars.map((b, i) => {
          const x = GAP + i * (BAR + GAP);
          const h = heights[i] ?? 0;
          return (
            <g key={b.key} data-bar={b.key} data-value={b.value}>
              <title>{`${b.label}: ${formatCount(b.value)} ${unit}`}</title>
              <rect x={x} y={HEIGHT - h} width={BAR} height={h} className={`bar bar-${b.tone}`} />
              <text x={x + BAR / 2} y={HEIGHT - h - 4} textAnchor="middle" className="bar-value">
                {formatCount(b.value)}
              </text>
              <text x={x + BAR / 2} y={HEIGHT + 14} textAnchor="middle" className="bar-label">
                {b.short}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
