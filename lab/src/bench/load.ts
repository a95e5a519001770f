import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/**
 * Closed-loop load for the benchmarks: `concurrency` workers each run one operation after another until
 * `maxCount` operations were started or `maxMs` elapsed, whichever comes first — every bench is bounded in
 * count and in time. Latency is per operation, in milliseconds.
 */

export type LoadOptions = {
  readonly concurrency: number;
  readonly maxCount: number;
  readonly maxMs: number;
  /** Resolves true on success; a rejection counts as a failure with its message kept (first few only). */
  readonly op: (i: number) => Promise<boolean>;
};

export type LoadResult = {
  readonly count: number;
  readonly failures: number;
  readonly elapsedMs: number;
  readonly perSecond: number;
  /** Latencies of the successful operations, sorted ascending. */
  readonly latencies: Float64Array;
  readonly errors: readonly string[];
};

const KEPT_ERRORS = 5;

export async function closedLoop(options: LoadOptions): Promise<LoadResult> {
  const started = performance.now();
  const deadline = started + options.maxMs;
  const latencies: number[] = [];
  const errors: string[] = [];
  let issued = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (issued < options.maxCount && performance.now() < deadline) {
      const i = issued++;
      const t0 = performance.now();
      const ok = await options.op(i).catch((error: unknown) => {
        if (errors.length < KEPT_ERRORS) errors.push(error instanceof Error ? error.message : String(error));
        return false;
      });
      if (ok) latencies.push(performance.now() - t0);
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  const sorted = Float64Array.from(latencies).sort();
  return {
    count: issued,
    failures,
    elapsedMs,
    perSecond: (latencies.length * 1000) / elapsedMs,
    latencies: sorted,
    errors,
  };
}

/** The q-quantile (0…1) of sorted values, nearest-rank; NaN when empty. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmtMs = (n: number): string => (Number.isNaN(n) ? 'n/a' : `${n.toFixed(n < 10 ? 2 : 1)} ms`);

export function latencySummary(r: LoadResult): string {
  const q = (p: number) => fmtMs(quantile(r.latencies, p));
  return `p50 ${q(0.5)}, p95 ${q(0.95)}, p99 ${q(0.99)}`;
}

/** One line per measurement: rate, latency quantiles, failures (with the first errors when any). */
export function describeLoad(name: string, unit: string, r: LoadResult): string {
  const failed = r.failures ? `, ${fmtInt(r.failures)} FAILED (${r.errors.join(' | ')})` : '';
  return `${name}: ${fmtInt(r.perSecond)} ${unit}/s, ${latencySummary(r)} (${fmtInt(r.count)} in ${(r.elapsedMs / 1000).toFixed(1)} s${failed})`;
}

/** User + system CPU seconds of a process so far (Linux /proc); NaN where that is not readable. */
export function processCpuSeconds(pid: number): number {
  const { user, system } = processCpuSplit(pid);
  return user + system;
}

/**
 * The fields of a /proc/<pid>/stat line after the command, which is in parentheses and may itself hold ") ":
 * state is [0], ppid [1], utime [11], stime [12], cutime [13], cstime [14] (times in clock ticks, 100/s).
 */
export function procStatFields(stat: string): string[] {
  const end = stat.lastIndexOf(') ');
  return end < 0 ? [] : stat.slice(end + 2).split(' ');
}

/** User and system (kernel: syscalls, TCP) CPU seconds of a process so far; NaN where not readable. */
export function processCpuSplit(pid: number): { user: number; system: number } {
  try {
    const fields = procStatFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}

/** The pid of a descendant process of `pid` whose command is `comm` (the server's embedded Janus). */
export async function childNamed(pid: number, comm: string): Promise<number> {
  for (const p of await descendants(pid))
    if ((await readFile(`/proc/${p}/comm`, 'utf8').catch(() => '')).trim() === comm) return p;
  throw new Error(`no ${comm} process under ${pid}`);
}

/** Every live descendant of `pid` (from /proc's parent ids). */
export async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => '');
    const ppid = Number(procStatFields(stat)[1]);
    if (ppid) parents.set(ppid, [...(parents.get(ppid) ?? []), Number(e)]);
  }
  const found: number[] = [];
  for (let todo = [pid]; todo.length;) {
    const kids = todo.flatMap((p) => parents.get(p) ?? []);
    found.push(...kids);
    todo = kids;
  }
  return found;
}

/** CPU seconds (user + system) of a process tree: the browser's, the generator's side. */
export async function treeCpuSeconds(pid: number): Promise<number> {
  const pids = [pid, ...(await descendants(pid))];
  return pids.map(processCpuSeconds).reduce((s, x) => s + (Number.isNaN(x) ? 0 : x), 0);
}
