import type { CliContext } from './context.js';

/** What a bulk job (SIM import, officials import, directory sync) reports while it runs. */
export type JobProgress = {
  status: 'queued' | 'running' | 'completed' | 'failed';
  totalRows: number;
  processedRows: number;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function progressBar(job: JobProgress, width = 30): string {
  const ratio = job.totalRows ? job.processedRows / job.totalRows : 0;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${job.processedRows}/${job.totalRows} rows`;
}

/**
 * Polls a job until it completes or fails, drawing a progress bar on stderr: redrawn in place on a
 * terminal, a line every few seconds otherwise (logs of scripts stay readable).
 */
export async function followJob<J extends JobProgress>(
  ctx: CliContext,
  read: () => Promise<J>,
  tty: boolean,
): Promise<J> {
  let lastLine = 0;
  for (;;) {
    const job = await read();
    const done = job.status === 'completed' || job.status === 'failed';
    if (tty) ctx.io.stderr(`\r${progressBar(job)}${done ? '\n' : ''}`);
    else if (done || Date.now() - lastLine > 2_000) {
      ctx.io.stderr(`${progressBar(job)}\n`);
      lastLine = Date.now();
    }
    if (done) return job;
    await sleep(250);
  }
}
