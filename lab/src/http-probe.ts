/** Polls a URL until it answers 2xx; resolves with the milliseconds it took. Bounded by timeoutMs. */
export async function waitForHealthy(
  url: string,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<number> {
  const { timeoutMs = 60_000, intervalMs = 50 } = opts;
  const started = performance.now();
  let last = 'no answer yet';
  while (performance.now() - started < timeoutMs) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(Math.min(2_000, timeoutMs)) });
      await res.arrayBuffer();
      if (res.ok) return performance.now() - started;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${url} was not healthy within ${timeoutMs} ms (last: ${last})`);
}
