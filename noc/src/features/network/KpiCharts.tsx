import { useMemo, useState } from 'react';
import { Chart } from '../../components/Chart';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useApiQuery } from '../../data/hooks';
import { kpiLabel, kpiValue } from './kpis';
import { networkQueries, type KpiName } from './queries';
import { alignSamples, type KpiSample } from './series';

const CHART_POLL_MS = 15_000;
const WINDOWS = [
  { label: 'Last 15 minutes', ms: 15 * 60_000 },
  { label: 'Last hour', ms: 60 * 60_000 },
] as const;

type Chart = { title: string; kpis: readonly KpiName[]; format: (v: number) => string; ratio?: boolean };

// Open5GS exports no attach counter on the MME, so the success chart is the 5G registration and PDU setup.
const CHARTS: readonly Chart[] = [
  {
    title: 'Registration and PDU session setup success',
    kpis: ['registration_success_ratio', 'pdu_session_success_ratio'],
    format: (v) => kpiValue('x_ratio', v),
    ratio: true,
  },
  {
    title: 'Sessions',
    kpis: ['pdu_sessions_active', 'mme_sessions'],
    format: (v) => kpiValue('count', v),
  },
  {
    title: 'User-plane throughput (N3 packets/s)',
    kpis: ['n3_packets_in_per_s', 'n3_packets_out_per_s'],
    format: (v) => kpiValue('x_per_s', v),
  },
];

/** KPIs over time from the health monitor's stored samples (`GET /api/v1/network/kpis`), per NF. */
export function KpiCharts() {
  const [windowMs, setWindowMs] = useState<number>(WINDOWS[0].ms);
  return (
    <section aria-labelledby="kpi-charts-heading">
      <div className="section-header">
        <h2 id="kpi-charts-heading">KPIs over time</h2>
        <div className="field field-inline">
          <label htmlFor="kpi-window">Period</label>
          <select id="kpi-window" value={windowMs} onChange={(e) => setWindowMs(Number(e.target.value))}>
            {WINDOWS.map((w) => (
              <option key={w.ms} value={w.ms}>
                {w.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="charts">
        {CHARTS.map((chart) => (
          <KpiChart key={chart.title} chart={chart} windowMs={windowMs} />
        ))}
      </div>
    </section>
  );
}

function useKpi(kpi: KpiName | undefined, windowMs: number) {
  // Charts hold at most two KPIs: two fixed hook calls, the second idle when there is none.
  return useApiQuery(networkQueries.kpi(kpi ?? 'registered_ues', windowMs), {
    pollMs: CHART_POLL_MS,
    enabled: kpi !== undefined,
  });
}

function KpiChart({ chart, windowMs }: { chart: Chart; windowMs: number }) {
  const first = useKpi(chart.kpis[0], windowMs);
  const second = useKpi(chart.kpis[1], windowMs);
  const hasSecond = chart.kpis[1] !== undefined;
  const { times, series } = useMemo(() => {
    const samples: KpiSample[] = [
      ...(first.data?.samples ?? []),
      ...(hasSecond ? (second.data?.samples ?? []) : []),
    ];
    return alignSamples(samples, (nf, kpi) => `${nf} ${kpiLabel(kpi)}`);
  }, [first.data, second.data, hasSecond]);
  const error = first.error ?? second.error;
  return (
    <div className="card chart-card">
      <Chart
        title={chart.title}
        times={times}
        series={series}
        format={chart.format}
        yRange={chart.ratio ? [0, 1] : undefined}
        empty={first.loading ? 'Loading…' : 'No samples in this period.'}
      />
      {error ? <ErrorNotice error={error} title={`Could not load ${chart.title.toLowerCase()}`} /> : null}
    </div>
  );
}
