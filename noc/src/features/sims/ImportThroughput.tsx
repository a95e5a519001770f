import { useEffect, useRef, useState } from 'react';
import { Chart } from '../../components/Chart';
import { formatCount } from '../../format';
import { isFinished, type ImportJob } from './queries';

/** What the NOC saw of a job while polling it: seconds since the epoch and rows processed then. */
export type ProgressSample = { at: number; rows: number };

/** Bounded: a very long import keeps its last 2,000 samples (1,000 s at one poll per 500 ms). */
const MAX_SAMPLES = 2_000;

/** Records the job's progress each time a poll brings a new count (not each render). */
export function useProgressSamples(job: ImportJob): ProgressSample[] {
  const [samples, setSamples] = useState<ProgressSample[]>([]);
  const last = useRef<number | null>(null);
  useEffect(() => {
    if (job.status === 'queued' || last.current === job.processedRows) return;
    last.current = job.processedRows;
    setSamples((s) => [...s, { at: Date.now() / 1000, rows: job.processedRows }].slice(-MAX_SAMPLES));
  }, [job.status, job.processedRows]);
  return samples;
}

/** Rows per second between consecutive samples (the first sample has none). */
export function rowsPerSecond(samples: readonly ProgressSample[]): (number | null)[] {
  return samples.map((s, i) => {
    const prev = samples[i - 1];
    if (!prev || s.at <= prev.at) return null;
    return (s.rows - prev.rows) / (s.at - prev.at);
  });
}

/**
 * Import throughput: rows processed over time as this NOC watched the job, and the job's average rate
 * from the server's own timestamps once it has finished (also for an old job opened from the list).
 */
export function ImportThroughput({ job, samples }: { job: ImportJob; samples: ProgressSample[] }) {
  const seconds =
    job.finishedAt !== null ? (Date.parse(job.finishedAt) - Date.parse(job.createdAt)) / 1000 : null;
  const average = seconds !== null && seconds > 0 && isFinished(job) ? job.processedRows / seconds : null;
  const current = isFinished(job) ? null : (rowsPerSecond(samples).at(-1) ?? null);
  return (
    <div className="import-throughput" aria-label="Import throughput" role="group">
      {average !== null ? (
        <p className="muted small">
          {formatCount(job.processedRows)} rows in {seconds?.toFixed(1)} s: {formatCount(average)} rows/s on
          average.
        </p>
      ) : null}
      {current !== null ? <p className="muted small">Now {formatCount(current)} rows/s.</p> : null}
      {samples.length > 1 ? (
        <Chart
          title="Rows processed over time"
          times={samples.map((s) => s.at)}
          series={[{ label: 'rows processed', values: samples.map((s) => s.rows) }]}
          format={(v) => formatCount(v)}
          height={160}
        />
      ) : null}
    </div>
  );
}
