/**
 * Gathers the ids given within one turn (until the microtasks run) and hands them to `send` once, in batches
 * of at most `batch`, each id once: a burst of sockets closing or opening is one event, not one each.
 */
export function perTurn(send: (ids: string[]) => void, batch: number): (id: string) => void {
  let pending: Set<string> | undefined;
  return (id) => {
    if (pending) return void pending.add(id);
    const ids = (pending = new Set([id]));
    queueMicrotask(() => {
      pending = undefined;
      const all = [...ids];
      for (let i = 0; i < all.length; i += batch) send(all.slice(i, i + batch));
    });
  };
}
