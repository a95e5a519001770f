/**
 * Reloads of an in-memory table, one at a time and in order (pure). A change event, the change's own
 * request and a timer can each ask for a reload; run side by side, a reload that read the rows before a
 * change could finish after one that read them after it, and put the old rows back until the next reload
 * (a rotated NAS secret refused for up to 30 s). Here every load is chained after the one before it, so two
 * never run at once; a call waits for a load that starts after the call, and calls made before that load
 * has started share it.
 */
export function serialReload(load: () => Promise<void>): () => Promise<void> {
  let tail: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;
  return () => {
    if (queued) return queued;
    const mine = tail
      .catch(() => undefined)
      .then(() => {
        queued = null; // started: a call from now on must wait for the next load
        return load();
      });
    queued = tail = mine;
    return mine;
  };
}
