/**
 * A round of work repeated on a timer (probes, sweeps): the next round is scheduled when the previous one has
 * finished, so a slow round never overlaps the next; a failed round is reported and the rounds go on. The
 * timer does not keep the process alive, and `stop` ends the rounds for good.
 */
export class Rounds {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly round: () => Promise<unknown>,
    /** The wait between the end of a round and the start of the next (read at each round). */
    private readonly everyMs: () => number,
    private readonly failed: (err: unknown) => void,
  ) {}

  /** The first round after `delayMs`. */
  start(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round()
        .catch(this.failed)
        .finally(() => this.start(this.everyMs()));
    }, delayMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
