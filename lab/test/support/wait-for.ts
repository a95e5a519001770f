/**
 * Polls `probe` every 50 ms until it returns something other than undefined (that value), or throws after
 * `ms` naming `what`: end-to-end tests wait for events a WebSocket delivers.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
