import { Inject, Injectable } from '@nestjs/common';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { identityError } from '../identity.errors.js';
import { FailureBackoff } from './failure-backoff.js';
import { RateLimiter, type RateDecision } from './rate-limiter.js';

const HOUR_MS = 3_600_000;

/**
 * Slows guessing without handing anyone a way to lock accounts (docs/decisions/0008-lockout-model.md):
 * every sign-in step takes a token from its source's bucket (`PAKAWAAZ_LOGIN_RATE_PER_IP` a minute), and
 * failures back off exponentially per account *and source* and per source — so an attacker's guesses slow
 * the attacker, not the account's owner signing in from elsewhere. A refusal is a temporary 429 with
 * Retry-After, never a lock. The per-account guess limit itself is counted in the database (LoginFailures).
 * Per node, in memory: in a cluster each node slows on its own, and the database's guess limit is the bound.
 */
@Injectable()
export class LoginThrottle {
  private readonly sources: RateLimiter;
  private readonly passkeyOptionSources: RateLimiter;
  private readonly pairFailures: FailureBackoff;
  private readonly sourceFailures: FailureBackoff;

  constructor(@Inject(IDENTITY_CONFIG) config: IdentityConfig) {
    this.sources = new RateLimiter(config.loginRatePerIp);
    this.passkeyOptionSources = new RateLimiter(config.loginRatePerIp);
    const { freeFailures, freeFailuresPerSource, maxSeconds } = config.loginBackoff;
    const common = { baseMs: 1_000, maxMs: maxSeconds * 1_000 };
    this.pairFailures = new FailureBackoff({ ...common, free: freeFailures, forgetMs: 24 * HOUR_MS });
    this.sourceFailures = new FailureBackoff({ ...common, free: freeFailuresPerSource, forgetMs: HOUR_MS });
  }

  /** Before a sign-in step: refuses (429) a source over its rate, or an account+source or source backing off. */
  attempt(account: string, source: string | null | undefined, now = Date.now()): void {
    const src = sourceKey(source);
    refuse(
      this.sources.take(src, now),
      this.pairFailures.check(pairKey(account, src), now),
      this.sourceFailures.check(src, now),
    );
  }

  /** A failed step: the account from this source and the source itself back off. */
  failed(account: string | null, source: string | null | undefined, now = Date.now()): void {
    const src = sourceKey(source);
    if (account) this.pairFailures.failed(pairKey(account, src), now);
    this.sourceFailures.failed(src, now);
  }

  /**
   * A completed sign-in clears the account+source back-off. The source's own count is kept: an attacker
   * must not be able to wash it by signing in to an account of their own between guesses.
   */
  succeeded(account: string, source: string | null | undefined): void {
    this.pairFailures.succeeded(pairKey(account, sourceKey(source)));
  }

  /** Unauthenticated passkey options store a challenge: a source gets its own budget for them. */
  passkeyOptions(source: string | null | undefined, now = Date.now()): void {
    refuse(this.passkeyOptionSources.take(sourceKey(source), now));
  }
}

const sourceKey = (source: string | null | undefined) => source || 'unknown';
const pairKey = (account: string, source: string) => `${account.toLowerCase()}|${source}`;

function refuse(...decisions: RateDecision[]): void {
  const wait = Math.max(0, ...decisions.map((d) => (d.allowed ? 0 : d.retryAfterSeconds)));
  if (wait > 0)
    throw identityError('rate_limited', `Too many sign-in attempts: wait ${wait} s and try again.`, {
      retryAfterSeconds: wait,
    });
}
