import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusPill } from '../../components/StatusPill';
import { useApiQuery } from '../../data/hooks';
import { formatCount } from '../../format';
import { ImportThroughput, useProgressSamples } from './ImportThroughput';
import { isFinished, JOB_TONE, simKeys, simQueries, type ImportJob } from './queries';

const JOB_POLL_MS = 500;

/** Polls one import job every 500 ms until it has finished, then shows its summary and rejected rows. */
export function ImportJobView({ initial, onFinished }: { initial: ImportJob; onFinished: () => void }) {
  const client = useQueryClient();
  const query = useApiQuery({
    ...simQueries.job(initial.id),
    initialData: initial,
    // Errors keep the polling going: a blip should not lose track of the job.
    refetchInterval: (q) => (q.state.data && isFinished(q.state.data) ? false : JOB_POLL_MS),
    staleTime: 0,
  });
  const job = query.data ?? initial;
  const finished = isFinished(job);
  const samples = useProgressSamples(job);

  // Once the job is done, the counts, the SIM table and the recent imports reload.
  const wasRunning = useRef(!isFinished(initial));
  useEffect(() => {
    if (finished && wasRunning.current) {
      wasRunning.current = false;
      onFinished();
      void client.invalidateQueries({ queryKey: simKeys.all });
    }
  }, [finished, client, onFinished]);

  const total = job.totalRows;
  const percent = total > 0 ? Math.floor((job.processedRows / total) * 100) : finished ? 100 : 0;
  const statusText =
    job.status === 'queued'
      ? 'Queued — reading the file…'
      : job.status === 'running'
        ? `Importing: ${formatCount(job.processedRows)} of ${formatCount(total)} rows`
        : job.status === 'completed'
          ? `Completed: ${formatCount(job.processedRows)} of ${formatCount(total)} rows processed`
          : 'Failed';

  return (
    <section className="import-job" aria-labelledby="import-job-heading">
      <h3 id="import-job-heading">
        Import of <code>{job.filename}</code> <StatusPill value={job.status} tone={JOB_TONE[job.status]} />
      </h3>
      <div className="progress-row">
        <progress
          id="import-progress"
          aria-labelledby="import-job-heading"
          aria-describedby="import-progress-text"
          max={finished && total === 0 ? 1 : total || undefined}
          value={finished && total === 0 ? 1 : total > 0 ? job.processedRows : undefined}
        >
          {percent}%
        </progress>
        <span className="progress-percent" aria-hidden="true">
          {job.status === 'queued' ? '…' : `${percent}%`}
        </span>
      </div>
      <p id="import-progress-text" className="progress-text" role="status" aria-live="polite">
        {statusText}
      </p>

      {query.error ? <ErrorNotice error={query.error} title="Lost track of the import; retrying" /> : null}
      {job.status === 'failed' && job.failure ? (
        <div className="notice notice-error" role="alert">
          <strong className="notice-title">The import failed</strong>
          <p className="notice-message">{job.failure}</p>
        </div>
      ) : null}
      <ImportThroughput job={job} samples={samples} />
      {finished ? <ImportSummary job={job} /> : null}
    </section>
  );
}

function ImportSummary({ job }: { job: ImportJob }) {
  const reported = job.errors.length;
  const problems = job.invalid + job.conflicts;
  return (
    <>
      <dl className="stats stats-compact" aria-label="Import summary">
        <div className="stat">
          <dt>Imported</dt>
          <dd>{formatCount(job.imported)}</dd>
        </div>
        <div className="stat">
          <dt>Duplicates</dt>
          <dd>{formatCount(job.duplicates)}</dd>
        </div>
        <div className={job.conflicts > 0 ? 'stat stat-bad' : 'stat'}>
          <dt>Conflicts</dt>
          <dd>{formatCount(job.conflicts)}</dd>
        </div>
        <div className={job.invalid > 0 ? 'stat stat-bad' : 'stat'}>
          <dt>Invalid</dt>
          <dd>{formatCount(job.invalid)}</dd>
        </div>
      </dl>
      {reported > 0 ? (
        <div className="table-wrap">
          <table className="table table-compact">
            <caption className="table-caption">
              Rejected rows
              {reported < problems ? ` (the first ${formatCount(reported)} of ${formatCount(problems)})` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Line
                </th>
                <th scope="col">IMSI</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {job.errors.map((problem) => (
                <tr key={`${problem.line}-${problem.reason}`}>
                  <td className="num">{problem.line}</td>
                  <td>{problem.imsi ? <code>{problem.imsi}</code> : <span className="muted">—</span>}</td>
                  <td>{problem.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
