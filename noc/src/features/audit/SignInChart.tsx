import { useMemo } from 'react';
import { api, unwrap } from '../../api/client';
import { Chart } from '../../components/Chart';
import { ErrorNotice } from '../../components/ErrorNotice';
import { apiQuery, useApiQuery } from '../../data/hooks';
import { formatCount } from '../../format';
import { signInSeries } from './signInSeries';

const POLL_MS = 60_000;

const signInStats = () =>
  apiQuery(['sign-in-stats', 24] as const, (signal) =>
    unwrap(api.GET('/api/v1/sign-in-stats', { params: { query: { hours: 24 } }, signal })),
  );

/** Sign-in successes and failures by factor over the last 24 hours, in 5-minute buckets. */
export function SignInChart() {
  const { data, error, refresh, updatedAt } = useApiQuery(signInStats(), { pollMs: POLL_MS });
  const { times, series } = useMemo(
    () => (data ? signInSeries(data, updatedAt?.getTime() ?? Date.now()) : { times: [], series: [] }),
    [data, updatedAt],
  );
  const failed = data?.buckets.reduce((n, b) => n + b.failed, 0) ?? 0;
  return (
    <section className="card chart-card" aria-labelledby="sign-ins-heading">
      <h2 id="sign-ins-heading">Sign-ins by factor</h2>
      <p className="card-lead muted">
        Completed sign-ins count once for each factor they used; failed steps count for the factor that
        failed. These are this server node&rsquo;s counts of the last 24 hours
        {data ? ` (${formatCount(failed)} failed ${failed === 1 ? 'step' : 'steps'})` : ''}; Prometheus has
        every node&rsquo;s as <code>pakawaaz_sign_in_steps_total</code>.
      </p>
      {error ? (
        <ErrorNotice error={error} title="Could not load the sign-in counts" onRetry={refresh} />
      ) : null}
      {data ? (
        <Chart
          title="Sign-ins per 5 minutes"
          times={series.length ? times : []}
          series={series}
          format={(v) => formatCount(v)}
          empty="No sign-in on this node in the last 24 hours."
        />
      ) : null}
    </section>
  );
}
