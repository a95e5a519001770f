import { Inject, Injectable } from '@nestjs/common';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { identityError } from '../identity.errors.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * Slows guessing without letting anyone lock accounts cheaply: every sign-in step takes a token from the
 * account's bucket (keyed by the typed name, so unknown and known names behave alike) and from the
 * address's; a refusal is a temporary 429, never a lock. Lock-out itself needs `PAKAWAAZ_LOCKOUT_THRESHOLD`
 * consecutive failures, which at the per-account rate takes an attacker hours, not seconds.
 */
@Injectable()
export class LoginThrottle {
  private readonly accounts: RateLimiter;
  private readonly addresses: RateLimiter;

  constructor(@Inject(IDENTITY_CONFIG) config: IdentityConfig) {
    this.accounts = new RateLimiter(config.loginRatePerAccount);
    this.addresses = new RateLimiter(config.loginRatePerIp);
  }

  attempt(account: string, ip: string | null | undefined, now = Date.now()): void {
    const byIp = ip ? this.addresses.take(ip, now) : { allowed: true as const };
    const byAccount = this.accounts.take(account.toLowerCase(), now);
    const refused = !byIp.allowed ? byIp : !byAccount.allowed ? byAccount : undefined;
    if (refused && !refused.allowed)
      throw identityError(
        'rate_limited',
        `Too many sign-in attempts: wait ${refused.retryAfterSeconds} s and try again.`,
        {
          retryAfterSeconds: refused.retryAfterSeconds,
        },
      );
  }
}
