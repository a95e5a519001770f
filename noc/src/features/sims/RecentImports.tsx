import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusPill } from '../../components/StatusPill';
import { useApiQuery } from '../../data/hooks';
import { formatCount, formatDateTime } from '../../format';
import { JOB_TONE, simQueries, type ImportJob } from './queries';

export function RecentImports({
  activeId,
  onView,
}: {
  activeId: string | null;
  onView: (job: ImportJob) => void;
}) {
  const { data, error, refresh } = useApiQuery(simQueries.imports());
  const jobs = data?.jobs;
  return (
    <section aria-labelledby="imports-heading">
      <h2 id="imports-heading">Recent imports</h2>
      {error ? (
        <ErrorNotice error={error} title="Could not load the recent imports" onRetry={refresh} />
      ) : null}
      <div className="table-wrap">
        <table className="table" aria-busy={jobs === undefined}>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col" className="num">
                Imported
              </th>
              <th scope="col" className="num">
                Duplicates
              </th>
              <th scope="col" className="num">
                Conflicts
              </th>
              <th scope="col" className="num">
                Invalid
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(jobs ?? []).map((job) => (
              <tr key={job.id}>
                <td className="nowrap">
                  <time dateTime={job.createdAt}>{formatDateTime(job.createdAt)}</time>
                </td>
                <td className="break">{job.filename}</td>
                <td>
                  <StatusPill value={job.status} tone={JOB_TONE[job.status]} />
                </td>
                <td className="num">{formatCount(job.totalRows)}</td>
                <td className="num">{formatCount(job.imported)}</td>
                <td className="num">{formatCount(job.duplicates)}</td>
                <td className="num">{formatCount(job.conflicts)}</td>
                <td className="num">{formatCount(job.invalid)}</td>
                <td>
                  <button
                    type="button"
                    className="button button-link"
                    onClick={() => onView(job)}
                    disabled={job.id === activeId}
                    aria-label={`Show the import of ${job.filename} started ${formatDateTime(job.createdAt)}`}
                  >
                    Show
                  </button>
                </td>
              </tr>
            ))}
            {jobs !== undefined && jobs.length === 0 ? (
              <tr>
                <td colSpan={9} className="empty">
                  No imports yet.
                </td>
              </tr>
            ) : null}
            {jobs === undefined && !error ? (
              <tr>
                <td colSpan={9} className="empty">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
