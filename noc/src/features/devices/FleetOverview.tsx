import { ErrorNotice } from '../../components/ErrorNotice';
import { formatCount } from '../../format';
import { Link } from '../../router';
import type { FleetSummary } from './types';
import { COMPLIANCE, COMPLIANCE_STATES } from './labels';

const STAT_CLASS: Record<string, string> = {
  compliant: 'stat stat-available',
  grace: 'stat stat-retired',
  non_compliant: 'stat stat-bad',
};

/** The patch levels shown before "n more": the newest first, the long tail of old ones summed up. */
const PATCH_ROWS = 8;

/**
 * Counts of the whole fleet (what the operator may see): by compliance, each a link that filters the list
 * below, and by security patch level, newest first, with a bar for the share of the fleet.
 */
export function FleetOverview({
  summary,
  error,
  onRetry,
  href,
}: {
  summary: FleetSummary | undefined;
  error: unknown;
  onRetry: () => void;
  href: (filter: { compliance?: string; patchLevel?: string }) => string;
}) {
  if (error && !summary)
    return <ErrorNotice error={error} title="Could not load the fleet overview" onRetry={onRetry} />;
  const levels = [...(summary?.byPatchLevel ?? [])].sort((a, b) =>
    (b.patchLevel ?? '').localeCompare(a.patchLevel ?? ''),
  );
  const shown = levels.slice(0, PATCH_ROWS);
  const rest = levels.slice(PATCH_ROWS).reduce((n, l) => n + l.count, 0);
  const total = summary?.total ?? 0;
  return (
    <section aria-labelledby="fleet-heading" className="fleet-overview">
      <h2 id="fleet-heading">Fleet overview</h2>
      <dl className="stats" aria-busy={summary === undefined}>
        <div className="stat stat-assigned">
          <dt>Devices</dt>
          <dd>{summary ? <Link to={href({})}>{formatCount(summary.total)}</Link> : '—'}</dd>
        </div>
        {COMPLIANCE_STATES.map((state) => (
          <div key={state} className={STAT_CLASS[state]}>
            <dt>{COMPLIANCE[state].label}</dt>
            <dd>
              {summary ? (
                <Link
                  to={href({ compliance: state })}
                  aria-label={`${formatCount(summary.byCompliance[state] ?? 0)} ${COMPLIANCE[state].label}: show them`}
                >
                  {formatCount(summary.byCompliance[state] ?? 0)}
                </Link>
              ) : (
                '—'
              )}
            </dd>
          </div>
        ))}
      </dl>
      {summary && summary.total > 0 ? (
        <div className="table-wrap fleet-patch-levels">
          <table className="table table-compact">
            <caption className="table-caption">Security patch level</caption>
            <thead>
              <tr>
                <th scope="col">Patch level</th>
                <th scope="col" className="num">
                  Devices
                </th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((l) => (
                <tr key={l.patchLevel ?? ''}>
                  <th scope="row">
                    {l.patchLevel ? (
                      <Link
                        to={href({ patchLevel: l.patchLevel })}
                        aria-label={`Devices at patch level ${l.patchLevel}`}
                      >
                        {l.patchLevel}
                      </Link>
                    ) : (
                      <span className="muted">unknown</span>
                    )}
                  </th>
                  <td className="num">{formatCount(l.count)}</td>
                  <td>
                    <meter
                      className="share"
                      min={0}
                      max={total}
                      value={l.count}
                      aria-label={`${Math.round((l.count / total) * 100)} % of the fleet`}
                    />{' '}
                    <span className="muted small">{Math.round((l.count / total) * 100)} %</span>
                  </td>
                </tr>
              ))}
              {rest > 0 ? (
                <tr>
                  <th scope="row" className="muted">
                    older ({levels.length - PATCH_ROWS} levels)
                  </th>
                  <td className="num">{formatCount(rest)}</td>
                  <td />
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
