/*
 * What the web chat does when renewing its bound token fails. A renewal that cannot succeed (the session or its
 * refresh token is refused, the desktop is retired, the key is not the session's) ends the session here; a
 * failure that may pass (no answer, 408, 429, 5xx — 503 device_management_unavailable among them) is tried
 * again, after the server's Retry-After when it gives one, else after a growing pause, while the current
 * token is still valid: the page keeps working on it meanwhile.
 */

/** A failed renewal as the client saw it: no `status` and no `code` when no answer came (network). */
export type RenewalFailure = { status?: number; code?: string; retryAfterSeconds?: number };

export type RenewalDecision = { action: 'sign-out' } | { action: 'retry'; afterMs: number };

/** A pause before the next try: 5 s, 10 s, 20 s… up to a minute. */
const backoffMs = (attempt: number) => Math.min(60_000, 5_000 * 2 ** Math.min(attempt, 4));

/** May this failure pass if tried again? A network failure, a timeout, a rate limit, a server-side failure. */
export function isTransient(f: RenewalFailure): boolean {
  if (f.status === undefined) return !f.code;
  return f.status === 408 || f.status === 429 || f.status >= 500;
}

/**
 * `attempt`: failures so far of this renewal (0 for the first); `msLeft`: how long the current token stays
 * valid. A transient failure is tried again no later than the token's last second; once it has expired, or
 * for a definitive refusal, the page signs out.
 */
export function afterRenewalFailure(f: RenewalFailure, attempt: number, msLeft: number): RenewalDecision {
  if (!isTransient(f) || msLeft <= 1_000) return { action: 'sign-out' };
  const asked =
    f.retryAfterSeconds !== undefined && Number.isFinite(f.retryAfterSeconds) && f.retryAfterSeconds >= 0
      ? f.retryAfterSeconds * 1000
      : backoffMs(attempt);
  return { action: 'retry', afterMs: Math.max(1_000, Math.min(asked, msLeft - 1_000)) };
}

/** Retry-After (RFC 9110 §10.2.3) in seconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d{1,9}$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}
