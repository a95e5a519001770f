/**
 * A bot's send budget: a token bucket of `burst` sends refilled at `perMinute` a minute. Pure (the caller passes
 * the clock in ms); a refusal says when the next token arrives, for `Retry-After`.
 */
export class BotBudget {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  take(now: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const refill = ((Math.max(now, this.at) - this.at) * this.perMinute) / 60_000;
    this.tokens = Math.min(this.burst, this.tokens + refill);
    this.at = Math.max(now, this.at);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    const wait = ((1 - this.tokens) * 60_000) / this.perMinute;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
  }
}

/** One budget per bot, forgotten after a quiet hour (a bot that stops sending costs nothing). */
export class BotBudgets {
  private readonly budgets = new Map<string, { budget: BotBudget; seen: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
  ) {}

  take(botId: string, now: number): ReturnType<BotBudget['take']> {
    if (this.budgets.size > 10_000)
      for (const [id, b] of this.budgets) if (now - b.seen > 3_600_000) this.budgets.delete(id);
    let entry = this.budgets.get(botId);
    if (!entry)
      this.budgets.set(
        botId,
        (entry = { budget: new BotBudget(this.perMinute, this.burst, now), seen: now }),
      );
    entry.seen = now;
    return entry.budget.take(now);
  }
}
