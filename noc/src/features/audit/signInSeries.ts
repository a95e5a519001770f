import type { Schemas } from '../../api/client';
import type { ChartSeries } from '../../components/Chart';

export type SignInStats = Schemas['SignInStats'];

const FACTOR_LABELS: Record<string, string> = {
  pwd: 'password',
  otp: 'one-time code',
  hwk: 'passkey or device',
  sim: 'SIM',
  radius: 'RADIUS',
};

/**
 * Every bucket from `since` to `now` (a quiet bucket is a zero, not a gap), and two lines per factor that
 * occurs: its successes and its failures.
 */
export function signInSeries(stats: SignInStats, now: number): { times: number[]; series: ChartSeries[] } {
  const step = stats.bucketSeconds;
  const first = Math.floor(Date.parse(stats.since) / 1000 / step) * step;
  const last = Math.floor(now / 1000 / step) * step;
  const times: number[] = [];
  for (let t = first; t <= last; t += step) times.push(t);
  const index = new Map(times.map((t, i) => [t, i]));
  const factors = [...new Set(stats.buckets.map((b) => b.factor))].sort();
  const series = factors.flatMap((factor) => {
    const ok = new Array<number>(times.length).fill(0);
    const failed = new Array<number>(times.length).fill(0);
    for (const b of stats.buckets.filter((row) => row.factor === factor)) {
      const i = index.get(Date.parse(b.at) / 1000);
      if (i === undefined) continue;
      ok[i] = b.succeeded;
      failed[i] = b.failed;
    }
    const label = FACTOR_LABELS[factor] ?? factor;
    return [
      { label: `${label} succeeded`, values: ok },
      { label: `${label} failed`, values: failed },
    ];
  });
  return { times, series };
}
