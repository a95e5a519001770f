import { BarChart } from '../../components/BarChart';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatCount } from '../../format';
import { patchBars } from './patch-distribution';
import type { FleetOs } from './types';

/** Builds listed; the rest are summed up. */
const BUILD_ROWS = 6;

/**
 * The fleet's OS (live handsets the operator may see): a chart of security patch months, newest on the right
 * and coloured by how far behind they are, and the OS builds the handsets last reported.
 */
export function OsDistribution({
  view,
  error,
  onRetry,
  title = 'Operating system',
}: {
  view: FleetOs | undefined;
  error: unknown;
  onRetry: () => void;
  /** The section's heading (and accessible name). */
  title?: string;
}) {
  if (error && !view)
    return <ErrorNotice error={error} title="Could not load the fleet's OS" onRetry={onRetry} />;
  if (!view || view.total === 0) return null;
  const headingId = `fleet-os-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const builds = view.byOsBuild.slice(0, BUILD_ROWS);
  const rest = view.total - builds.reduce((n, b) => n + b.count, 0);
  return (
    <section aria-labelledby={headingId} className="fleet-os">
      <h2 id={headingId}>{title}</h2>
      <BarChart bars={patchBars(view.byPatchMonth)} title="Security patch level" unit="devices" />
      <div className="table-wrap fleet-patch-levels">
        <table className="table table-compact">
          <caption className="table-caption">OS build</caption>
          <thead>
            <tr>
              <th scope="col">Build</th>
              <th scope="col" className="num">
                Devices
              </th>
            </tr>
          </thead>
          <tbody>
            {builds.map((b) => (
              <tr key={b.osBuild ?? ''}>
                <th scope="row">{b.osBuild ?? <span className="muted">not reported yet</span>}</th>
                <td className="num">{formatCount(b.count)}</td>
              </tr>
            ))}
            {rest > 0 ? (
              <tr>
                <th scope="row" className="muted">
                  other builds
                </th>
                <td className="num">{formatCount(rest)}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
