/**
 * Reloads of an in-memory table, one at a time and in order (pure). A change event, the change's own
 * request and a timer can each ask for a reload; run side by side, a reload that read the rows before a
 * change could finish after one that read them after it, and put the old rows back until the next reload
 * (a rotated NAS secret refused for up to 30 s). Here a call made while a reload runs waits for one more
 * reload that starts after the running one ends; calls made meanwhile share it.
 */
export function serialReload(load: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> =>
    (running = load().finally(() => {
      running = null;
    }));
  return () => {
    if (!running) return start();
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = null;
        return start();
      });
    return next;
  };
}
