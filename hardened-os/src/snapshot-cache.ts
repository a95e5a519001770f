import type { Logger } from '@pakawaaz/platform';

/**
 * A snapshot read from the database for questions asked on hot paths (device-mgmt asks at every check-in):
 * - one read at a time, whatever the number of questions waiting for it (single flight);
 * - fresh for `ttlMs`, so other nodes' changes arrive within it; `invalidate()` makes this node's own changes
 *   arrive at once (a read already in flight when it is called is not kept);
 * - a failed read is not cached (the next question tries again); meanwhile the last snapshot read is served,
 *   with a warning, so a database blip does not fail every check-in. With none read yet the error goes up.
 */
export class SnapshotCache<T extends { readonly at: number }> {
  private snapshot: T | null = null;
  private lastGood: T | null = null;
  private loading: Promise<T> | null = null;
  private generation = 0;

  constructor(
    private readonly o: {
      read: () => Promise<T>;
      ttlMs: number;
      /** What failed, for the warning: "reading <what> failed: serving the last snapshot". */
      what: string;
      logger?: Logger | undefined;
    },
  ) {}

  get(): Promise<T> {
    const s = this.snapshot;
    if (s && Date.now() - s.at < this.o.ttlMs) return Promise.resolve(s);
    return (this.loading ??= this.reload());
  }

  invalidate(): void {
    this.generation++;
    this.snapshot = null;
    this.loading = null;
  }

  private reload(): Promise<T> {
    const generation = this.generation;
    const loading: Promise<T> = this.o
      .read()
      .then(
        (fresh) => {
          if (generation === this.generation) this.snapshot = fresh;
          this.lastGood = fresh;
          return fresh;
        },
        (err: unknown) => {
          const stale = this.lastGood;
          if (!stale) throw err;
          this.o.logger?.warn(
            { err, snapshotAgeMs: Date.now() - stale.at },
            `reading ${this.o.what} failed: serving the last snapshot`,
          );
          return stale;
        },
      )
      .finally(() => {
        if (this.loading === loading) this.loading = null;
      });
    return loading;
  }
}
