import type { RateDecision } from './rate-limiter.js';

export type BackoffOptions = {
  /** Failures before the first wait. */
  readonly free: number;
  /** The first wait; each further failure doubles it. */
  readonly baseMs: number;
  readonly maxMs: number;
  /** A key whose last failure is older than this starts afresh. */
  readonly forgetMs: number;
  readonly maxKeys?: number;
};

type Entry = { failures: number; lastFailure: number; until: number };

/**
 * Exponential back-off on failures (pure; time is a parameter): the first `free − 1` failures under a key
 * cost nothing; the `free`-th makes the key wait `baseMs`, and each further one doubles the wait, capped at
 * `maxMs`. A wait is never a lock:
 * it ends by itself, and it slows only the key that failed (an account from one source, or one source), so
 * an attacker's guesses do not stop the account's owner elsewhere. Memory is bounded: forgotten keys are
 * dropped, and past `maxKeys` the least recently failed key goes first.
 */
export class FailureBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly maxKeys: number;

  constructor(private readonly options: BackoffOptions) {
    if (!Number.isInteger(options.free) || options.free < 0) throw new RangeError('free must be ≥ 0');
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Whether `key` may try now (a check, not a failure). */
  check(key: string, now: number): RateDecision {
    const e = this.live(key, now);
    if (!e || e.until <= now) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((e.until - now) / 1000)) };
  }

  failed(key: string, now: number): void {
    const e = this.live(key, now) ?? { failures: 0, lastFailure: now, until: 0 };
    e.failures += 1;
    e.lastFailure = now;
    e.until = now + this.delayMs(e.failures);
    this.entries.delete(key);
    this.entries.set(key, e);
    if (this.entries.size > this.maxKeys) this.evict(now);
  }

  succeeded(key: string): void {
    this.entries.delete(key);
  }

  failures(key: string, now: number): number {
    return this.live(key, now)?.failures ?? 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The wait after the `failures`-th failure: none before `free`, then base, 2·base, 4·base … up to max. */
  delayMs(failures: number): number {
    const over = failures - this.options.free;
    if (over < 0) return 0;
    // 2^30 · base is far past any sensible maxMs, and no overflow for large counts.
    return Math.min(this.options.maxMs, this.options.baseMs * 2 ** Math.min(over, 30));
  }

  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && now - e.lastFailure > this.options.forgetMs && e.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** Insertion order is last-failure order: the oldest go first. */
  private evict(now: number): void {
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.maxKeys) return;
      if (e.until <= now || this.entries.size > this.maxKeys) this.entries.delete(key);
    }
  }
}
