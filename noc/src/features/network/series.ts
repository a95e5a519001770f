import type { ChartSeries } from '../../components/Chart';

export type KpiSample = { nf: string; kpi: string; value: number; at: string };

/**
 * Samples of several KPIs (any order) as aligned chart data: one time axis (each scrape round stamps all
 * its NFs with the same time) and one line per NF and KPI, null where that NF had no sample.
 */
export function alignSamples(
  samples: readonly KpiSample[],
  label: (nf: string, kpi: string) => string,
): { times: number[]; series: ChartSeries[] } {
  const times = [...new Set(samples.map((s) => Date.parse(s.at) / 1000))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const lines = new Map<string, (number | null)[]>();
  for (const s of samples) {
    const key = label(s.nf, s.kpi);
    let values = lines.get(key);
    if (!values) lines.set(key, (values = new Array<number | null>(times.length).fill(null)));
    values[index.get(Date.parse(s.at) / 1000) ?? 0] = s.value;
  }
  const series = [...lines.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([lineLabel, values]) => ({ label: lineLabel, values }));
  return { times, series };
}
