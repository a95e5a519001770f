/**
 * Group commit: many callers' small writes, each waiting for its own answer, go to the database as one
 * statement. A write is flushed at once when a flush slot is free, so an idle system adds no latency; writes
 * that arrive while every slot is busy wait and go out together as the next batch — the busier the system,
 * the bigger the batches, and the fewer round trips, statements and commits per write.
 *
 * Each write has a key (a row's id): a batch never holds two writes of the same key, and a key whose write is
 * in flight waits for it, so the statements never race on one row and a later write of a row is never
 * committed before an earlier one. A batch's keys are sorted, which makes its statement's text and row
 * order repeatable; it does not fix the order the database locks rows in (the plan does), so the flush must
 * expect a deadlock between concurrent batches and answer it (CheckInRepository writes that batch one by one).
 *
 * With `linger`, only the first slot flushes at once: while a statement is in flight, a further one starts when
 * `linger.batch` writes are waiting (those whose key is busy included) or after `linger.ms`, whichever comes
 * first — and as soon as a statement in flight ends, what waited goes out at once. At a moderate rate, where
 * each write would otherwise find a slot free and be its own transaction, the writes that arrive during one
 * statement go out together as the next: fewer commits, at a cost in latency bounded by the statement's time
 * or `ms`. A burst still opens every slot. With `linger.idleMs` the first slot gathers too: a write that finds
 * every slot idle waits up to that long (or for `linger.batch` writes) — latency bought for larger batches where
 * the traffic is steady but too light for statements to overlap.
 */
export type GroupCommitOptions<I, O> = {
  /**
   * Writes a batch (distinct keys, sorted). Its answer holds one settled result per item, in order: a write
   * can fail on its own while the others commit.
   */
  flush: (batch: readonly Keyed<I>[]) => Promise<readonly Settled<O>[]>;
  /** Most writes in one statement. */
  maxBatch: number;
  /** Most statements in flight at once (no more than the pool's connections others also need). */
  maxInFlight: number;
  /**
   * A second statement in flight only for `batch` writes waiting, or after `ms` (see above); none by default.
   * With `idleMs`, the first waits too: for `batch` writes, or `idleMs` after the first arrived.
   */
  linger?: { ms: number; batch: number; idleMs?: number };
  /**
   * Writes of one key that wait together become one write, `merge(waiting, next)` (cumulative acks: the
   * highest), and every caller gets its answer. Without it each waits for its own statement.
   */
  merge?: (waiting: I, next: I) => I;
};

export type Keyed<I> = { key: string; item: I };
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

type Caller<O> = { resolve: (o: O) => void; reject: (e: unknown) => void };
/** A write waiting or in flight, and its callers (more than one when writes were merged into it). */
type Waiting<I, O> = Keyed<I> & { callers: Caller<O>[] };

export class GroupCommit<I, O> {
  private readonly queue: Waiting<I, O>[] = [];
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private largest = 0;
  /** Lingering (see above): the timer that ends the wait, and whether it has. */
  private lingerTimer: NodeJS.Timeout | null = null;
  private lingered = false;
  /** With `merge`: the one waiting write of each key not yet taken. */
  private readonly waitingByKey = new Map<string, Waiting<I, O>>();
  /** Draining (drain): nothing lingers any more. */
  private draining = false;
  private readonly idle: (() => void)[] = [];

  constructor(private readonly options: GroupCommitOptions<I, O>) {
    if (!(options.maxBatch >= 1 && options.maxInFlight >= 1))
      throw new RangeError('maxBatch and maxInFlight must be at least 1');
    const l = options.linger;
    if (l && !(l.ms >= 0 && l.batch >= 1 && (l.idleMs ?? 0) >= 0))
      throw new RangeError('linger needs ms >= 0, batch >= 1 and idleMs >= 0');
  }

  write(key: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject: (e: unknown) => void) => {
      const merge = this.options.merge;
      const same = merge && this.waitingByKey.get(key);
      if (merge && same) {
        // Every merged caller is answered with the one write's answer.
        same.item = merge(same.item, item);
        same.callers.push({ resolve, reject });
        return;
      }
      const w = { key, item, callers: [{ resolve, reject }] };
      this.queue.push(w);
      if (merge) this.waitingByKey.set(key, w);
      this.pump();
    });
  }

  /**
   * Ends every wait now and resolves once nothing waits and nothing is in flight; writes after it go out
   * without lingering. For a shutdown, before the database closes (a gathering wait would otherwise outlive
   * its pool).
   */
  async drain(): Promise<void> {
    this.draining = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.pump();
    while (this.queue.length > 0 || this.inFlight > 0) await new Promise<void>((r) => this.idle.push(r));
  }

  /** For a bench's report: writes waiting now, statements in flight, the largest batch so far. */
  stats(): { waiting: number; inFlight: number; largestBatch: number } {
    return { waiting: this.queue.length, inFlight: this.inFlight, largestBatch: this.largest };
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      if (this.lingering()) return;
      const batch = this.take();
      this.lingered = false; // a wait that ended with every waiting key busy is over, not carried forward
      if (batch.length === 0) return;
      if (this.lingerTimer) clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
      this.inFlight++;
      for (const w of batch) this.busy.add(w.key);
      this.largest = Math.max(this.largest, batch.length);
      void this.run(batch);
    }
  }

  /** Whether the waiting writes stay for the statement in flight (arming the timer that bounds the wait). */
  private lingering(): boolean {
    const l = this.options.linger;
    // No wait for more writes than one statement may take.
    if (!l || this.lingered || this.draining || this.queue.length >= Math.min(l.batch, this.options.maxBatch))
      return false;
    const idle = this.inFlight === 0;
    const ms = idle ? (l.idleMs ?? 0) : l.ms;
    if (idle && ms <= 0) return false;
    this.lingerTimer ??= setTimeout(() => {
      this.lingerTimer = null;
      this.lingered = true;
      this.pump();
    }, ms);
    // A statement in flight keeps the process alive; an idle wait's timer must, or its writes could be lost.
    if (!idle) this.lingerTimer.unref();
    return true;
  }

  /** The oldest waiting writes whose keys are free, one per key; the others keep their place in the queue. */
  private take(): Waiting<I, O>[] {
    const taken = new Map<string, Waiting<I, O>>();
    const left: Waiting<I, O>[] = [];
    for (const w of this.queue) {
      if (taken.size < this.options.maxBatch && !this.busy.has(w.key) && !taken.has(w.key)) {
        taken.set(w.key, w);
        this.waitingByKey.delete(w.key);
      } else left.push(w);
    }
    this.queue.splice(0, this.queue.length, ...left);
    return [...taken.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private async run(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const settled = await this.options.flush(batch.map(({ key, item }) => ({ key, item })));
      batch.forEach((w, i) => {
        const s = settled[i];
        for (const c of w.callers)
          if (s === undefined)
            c.reject(new Error('group commit: the flush answered fewer results than writes'));
          else if (s.ok) c.resolve(s.value);
          else c.reject(s.error);
      });
    } catch (error) {
      for (const w of batch) for (const c of w.callers) c.reject(error);
    } finally {
      this.inFlight--;
      for (const w of batch) this.busy.delete(w.key);
      // A statement ended: what waited for one goes out now, whether or not others are still in flight.
      if (this.queue.length > 0) this.lingered = true;
      this.pump();
      if (this.queue.length === 0 && this.inFlight === 0) for (const done of this.idle.splice(0)) done();
    }
  }
}
