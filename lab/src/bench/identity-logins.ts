import type { ServerProcess } from '../server-process/server-process.js';
import { closedLoop, describeLoad, fmtInt, fmtMs, quantile } from './load.js';

/**
 * (c) A password-login storm (argon2id, m = 19 MiB, t = 2) against POST /api/v1/auth/login while /healthz is
 * sampled every 10 ms; the baseline is the same sampling with no storm. argon2 runs on libuv's thread pool,
 * so the event loop — and /healthz — should barely notice: the p99 ratio shows whether it does.
 */

const STORM = { logins: 200, concurrency: 16, ms: 60_000 };
const SAMPLE_EVERY_MS = 10;
const IDLE_SAMPLE_MS = 3_000;

/** Samples GET /healthz every 10 ms until `until` resolves; returns sorted latencies. */
async function sampleHealth(url: string, until: Promise<unknown>): Promise<Float64Array> {
  let done = false;
  void until.finally(() => (done = true));
  const samples: number[] = [];
  while (!done) {
    const t0 = performance.now();
    const res = await fetch(`${url}/healthz`);
    await res.arrayBuffer();
    samples.push(performance.now() - t0);
    const wait = SAMPLE_EVERY_MS - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return Float64Array.from(samples).sort();
}

const summary = (s: Float64Array): string =>
  `p50 ${fmtMs(quantile(s, 0.5))}, p99 ${fmtMs(quantile(s, 0.99))}, max ${fmtMs(quantile(s, 1))} (${fmtInt(s.length)} samples)`;

export async function benchLogins(
  server: ServerProcess,
  credentials: { username: string; password: string },
  out: (line: string) => void,
): Promise<void> {
  const idle = await sampleHealth(server.url, new Promise((r) => setTimeout(r, IDLE_SAMPLE_MS)));
  const body = JSON.stringify(credentials);
  const op = async (): Promise<boolean> => {
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST /api/v1/auth/login → ${res.status} ${text}`);
    return (JSON.parse(text) as { status?: string }).status === 'authenticated';
  };
  const storm = closedLoop({ concurrency: STORM.concurrency, maxCount: STORM.logins, maxMs: STORM.ms, op });
  const [logins, busy] = await Promise.all([storm, sampleHealth(server.url, storm)]);
  out(describeLoad(`password logins, concurrency ${STORM.concurrency}`, 'logins', logins));
  out(`/healthz during the storm: ${summary(busy)}`);
  out(`baseline /healthz, no storm: ${summary(idle)}`);
  const ratio = quantile(busy, 0.99) / quantile(idle, 0.99);
  out(
    `→ /healthz p99 ${fmtMs(quantile(busy, 0.99))} under the storm vs ${fmtMs(quantile(idle, 0.99))} idle = x${ratio.toFixed(1)}`,
  );
}
