/**
 * Most sockets' queue reads under way at once when every socket of a node must read its queue (ChatHub.wakeAllLocal:
 * a node back from a NATS cut), the next started as one ends: a node's sockets are read as fast as the database
 * answers, and never more at once. A few times the connection pool (10 by default), so that it stays busy while a
 * read waits for only a few others' turns, well within its 5 s connection timeout — ten thousand reads started
 * together would wait past it, fail and be retried together (a failed read retries after 1 s).
 */
export const WAKE_ALL_IN_FLIGHT = 64;

/**
 * A run of reads over a set of items, at most `limit` under way at a time, each next one started as one ends
 * (pure: no timers, no I/O; the caller's `read` does the work). Items added while it runs join it — one still
 * waiting keeps its place, one read or being read already is read again after the others — so there is never more
 * than one run, and nothing added is left out. An item no longer `live` when its turn comes is skipped; a read that
 * throws or rejects (`onError`) ends like one that succeeds: nothing stops the run.
 */
export class BoundedReads<T> {
  private readonly waiting = new Set<T>();
  private running = 0;

  constructor(
    private readonly limit: number,
    private readonly read: (item: T) => Promise<void>,
    private readonly live: (item: T) => boolean,
    private readonly onError?: (err: unknown) => void,
  ) {}

  /** Reads under way. */
  get inFlight(): number {
    return this.running;
  }

  /** Items waiting for their turn. */
  get pending(): number {
    return this.waiting.size;
  }

  /** Adds these items to the run (starting it if none is under way). */
  add(items: Iterable<T>): void {
    for (const item of items) this.waiting.add(item);
    this.fill();
  }

  private fill(): void {
    for (const item of this.waiting) {
      if (this.running >= this.limit) return;
      this.waiting.delete(item); // deleting the item visited keeps a Set's iteration going
      if (this.live(item)) this.start(item);
    }
  }

  private start(item: T): void {
    this.running++;
    let reading: Promise<void>;
    try {
      reading = Promise.resolve(this.read(item)); // whatever it returns, a promise to wait on
    } catch (err) {
      // Ended on a later microtask, as a rejection is: ending it here would start the next read from this
      // one's stack, a level deeper for each read that throws at once (a node's thousands of sockets).
      reading = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    void reading
      .then(
        () => undefined,
        (err: unknown) => this.onError?.(err),
      )
      .catch(() => undefined) // an onError that throws must not stop the run either
      .then(() => {
        this.running--;
        this.fill();
      });
  }
}
