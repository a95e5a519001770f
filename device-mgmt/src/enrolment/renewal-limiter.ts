/**
 * Certificate renewals per device (pure; time is a parameter): at most `limit` attempts in any `windowMs`.
 * A handset renews about once per certificate lifetime and retries a few times after a dropped reply; more
 * than that is a broken or hostile agent making the CA sign (and the attestation worker verify) in a loop.
 * The attempts are kept in the database (RenewalAttemptsRepository), so the limit holds for the cluster, not
 * per node; this decides from the times kept there and answers the times to keep.
 */
export type RenewalDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export type RenewalLimit = { readonly limit: number; readonly windowMs: number };

/**
 * Counts one attempt at `now` (ms) against the recent attempts, unless the window is full (a refused attempt
 * is not counted, so a device that keeps asking is let through once its oldest attempt leaves the window).
 * `keep`: the attempts still in the window (or ahead of `now`), oldest first, at most `limit` of them.
 */
export function takeRenewal(
  attempts: readonly number[],
  now: number,
  { limit, windowMs }: RenewalLimit,
): { decision: RenewalDecision; keep: number[] } {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be ≥ 1');
  if (!(windowMs > 0)) throw new RangeError('windowMs must be > 0');
  // An attempt recorded ahead of `now` (by a node whose clock runs ahead) still counts: dropping it would let
  // alternating requests between skewed nodes past the limit.
  const recent = attempts.filter((t) => t > now - windowMs).sort((a, b) => a - b);
  if (recent.length >= limit) {
    const kept = recent.slice(-limit);
    const oldest = kept[0] ?? now;
    return {
      decision: {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)),
      },
      keep: kept,
    };
  }
  return { decision: { allowed: true }, keep: [...recent, now] };
}
