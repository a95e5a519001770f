import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusPill, type Tone } from '../../components/StatusPill';
import { useApiQuery } from '../../data/hooks';
import { formatCount, formatDateTime, formatTime } from '../../format';
import { keyKpis, kpiLabel, kpiValue } from './kpis';
import { HEALTH_POLL_MS, is404, networkQueries, pollUnless404, type NfHealth } from './queries';
import { Unavailable } from './Unavailable';

const NF_TONE: Record<NfHealth['status'], Tone> = { up: 'good', down: 'bad', unknown: 'neutral' };

export function SimulatedBadge() {
  return (
    <span className="badge-simulated" title="A lab simulator, not a real network function">
      SIMULATED
    </span>
  );
}

/** Polls every 5 s while the endpoint exists; a 404 stops polling until the operator checks again. */
export function HealthSection() {
  const { data, error, updatedAt, loading, refresh } = useApiQuery({
    ...networkQueries.health(),
    refetchInterval: pollUnless404(HEALTH_POLL_MS),
  });
  if (is404(error) && error)
    return (
      <section aria-labelledby="health-heading">
        <h2 id="health-heading">Network functions</h2>
        <Unavailable title="Network health" path="/api/v1/network/health" error={error} onRetry={refresh} />
      </section>
    );

  return (
    <section aria-labelledby="health-heading">
      <div className="section-header">
        <h2 id="health-heading">Network functions {data?.simulated ? <SimulatedBadge /> : null}</h2>
        <p className="updated" aria-live="polite">
          {updatedAt ? (
            <>
              Last updated <time dateTime={updatedAt.toISOString()}>{formatTime(updatedAt)}</time>
            </>
          ) : loading ? (
            'Loading…'
          ) : null}
          <span className="refresh-hint"> · refreshes every {HEALTH_POLL_MS / 1000} s</span>
        </p>
      </div>
      {error ? (
        data ? (
          <div className="banner banner-stale" role="alert">
            <strong>Data may be stale.</strong> The last update failed: {error.message}
          </div>
        ) : (
          <ErrorNotice error={error} title="Network health unavailable" onRetry={refresh} />
        )
      ) : null}
      {data && !data.monitoring ? (
        <p className="notice notice-info">
          Health monitoring is not running: no network function is being scraped.
        </p>
      ) : null}
      {data ? (
        <div className={error ? 'table-wrap stale' : 'table-wrap'}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Function</th>
                <th scope="col">Type</th>
                <th scope="col">State</th>
                <th scope="col">Last scrape</th>
                <th scope="col">Key KPIs</th>
                <th scope="col">Alarms</th>
              </tr>
            </thead>
            <tbody>
              {data.nfs.map((nf) => (
                <NfRow key={nf.name} nf={nf} />
              ))}
              {data.nfs.length === 0 ? (
                <tr>
                  <td colSpan={6} className="empty">
                    No network functions are monitored.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      ) : null}
      {data?.lastRoundAt ? (
        <p className="muted small">
          Scraped every {Math.round(data.intervalMs / 1000)} s; last round{' '}
          <time dateTime={data.lastRoundAt}>{formatDateTime(data.lastRoundAt)}</time>.
        </p>
      ) : null}
    </section>
  );
}

function NfRow({ nf }: { nf: NfHealth }) {
  const kpis = keyKpis(nf);
  const ran = nf.state?.ranNodes;
  return (
    <tr>
      <th scope="row">
        {nf.name}
        {nf.simulated ? (
          <>
            {' '}
            <SimulatedBadge />
          </>
        ) : null}
      </th>
      <td>{nf.nf.toUpperCase()}</td>
      <td>
        <StatusPill value={nf.status} tone={NF_TONE[nf.status]} />
        {nf.status !== 'up' && nf.consecutiveFailures > 0 ? (
          <div className="cell-note">
            {nf.consecutiveFailures} failed {nf.consecutiveFailures === 1 ? 'scrape' : 'scrapes'}
            {nf.lastError ? `: ${nf.lastError}` : ''}
          </div>
        ) : null}
      </td>
      <td className="nowrap">
        {nf.lastScrapeAt ? (
          <time dateTime={nf.lastScrapeAt}>{formatDateTime(nf.lastScrapeAt)}</time>
        ) : (
          <span className="muted">never</span>
        )}
        {nf.scrapeDurationMs !== null ? (
          <div className="muted small">{Math.round(nf.scrapeDurationMs)} ms</div>
        ) : null}
      </td>
      <td>
        {kpis.length === 0 && !ran ? (
          <span className="muted">—</span>
        ) : (
          <dl className="kpis">
            {kpis.map(([name, value]) => (
              <div key={name} className="kpi">
                <dt>{kpiLabel(name)}</dt>
                <dd>{kpiValue(name, value)}</dd>
              </div>
            ))}
            {ran && !kpis.some(([name]) => name === 'gnbs_connected' || name === 'enbs_connected') ? (
              <div className="kpi">
                <dt>RAN nodes</dt>
                <dd>{formatCount(ran.length)}</dd>
              </div>
            ) : null}
          </dl>
        )}
      </td>
      <td>
        {nf.activeAlarms.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          nf.activeAlarms.map((kind) => (
            <div key={kind}>
              <StatusPill value={kind.replace(/_/g, ' ')} tone="bad" />
            </div>
          ))
        )}
      </td>
    </tr>
  );
}
